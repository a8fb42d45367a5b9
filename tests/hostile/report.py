"""Run the hostile-input cases outside pytest and list what happened, grouped by engine area.

::

    python -m tests.hostile.report              # the failing cases, as a Markdown list per area
    python -m tests.hostile.report --all        # every case, passing ones too
    python -m tests.hostile.report -k focus     # the cases whose id contains 'focus'

The same cases and the same judgement as ``tests/test_hostile_inputs.py``; this is a reading aid
for whoever fixes the engine (one line per case: id, what happened, what is expected).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.hostile.harness import Case, Outcome, Same, judge, prepare, run_case, run_command


def all_cases() -> list[Case]:
    from tests.test_hostile_inputs import CASES

    return CASES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list passing cases too")
    parser.add_argument("-k", dest="keyword", default="", help="only cases whose id contains this")
    options = parser.parse_args(argv)
    cases = [case for case in all_cases() if options.keyword in case.id]
    references: dict = {}
    by_area: dict[str, list[str]] = {}
    failed = 0
    with tempfile.TemporaryDirectory(prefix="costwarden-hostile-") as root:
        root_path = Path(root)

        def reference(case: Case, same: Same) -> Outcome:
            args = same.reference_args or case.args
            key = (args, tuple(sorted((k, v if isinstance(v, (bytes, str)) else repr(v)) for k, v in same.reference.items())))
            if key not in references:
                work, writers, _ = prepare(root_path / f"reference-{len(references)}", same.reference)
                references[key] = run_command(args, work, writers=writers)
            return references[key]

        for number, case in enumerate(cases):
            outcome = run_case(case, root_path / f"case-{number}")
            complaint = judge(case.expect, outcome, reference=lambda same, case=case: reference(case, same))
            if complaint is not None:
                failed += 1
            if complaint is not None or options.all:
                status = "FAIL" if complaint else "pass"
                happened = complaint if complaint else outcome.summary(1)
                by_area.setdefault(case.area, []).append(
                    f"- **{case.id}** ({status}, {outcome.seconds:.1f} s) — {case.note}\n"
                    f"  - happened: {happened}\n  - expected: {case.expect.describe()}")
            print(f"{'FAIL' if complaint else 'pass'} {case.id}", file=sys.stderr, flush=True)
    for area in sorted(by_area):
        print(f"\n### {area}\n")
        print("\n".join(by_area[area]))
    print(f"\n{failed} of {len(cases)} cases fail")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
