"""The schemas ``costwarden schema --write`` gives editors, checked by the real yaml-language-server.

yaml-language-server (the engine of VS Code's YAML extension) is pinned in ``.ci/node/package.json``
and its ``package-lock.json``; ``.ci/run`` installs it with ``npm ci``, and the ``server_command``
fixture does the same when it is missing (without Node.js the tests fail and say so). It runs as a
subprocess; a small LSP client below speaks to it over stdio (initialize, the configuration it
asks for, didOpen, publishDiagnostics, completion, hover) with bounded waits. Its HTTP proxy is a closed port, so a schema that needed the network would
show up as a diagnostic: everything must resolve from the written files.

Valid documents are real files of the built-in library and the examples (their own modeline
replaced by one pointing at the written schemas), and a policy set like the README's; each broken document is one of them with one
line changed, and the editor must report that line, as ``costwarden validate`` does.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.cli import main
from engine.documents.editor_schemas import editor_schema
from engine.documents.loader import read_documents
from engine.documents.schemas import KIND_SCHEMAS, schema_names
from tests.conftest import ROOT

NODE_DIR = ROOT / ".ci" / "node"
SERVER = NODE_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
PINNED = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["yaml-language-server"]
WAIT = 60  # seconds: the longest any one answer of the server may take
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # nothing listens there: any download fails at once


# ----------------------------------------------------------------------------- the LSP client


class LanguageServer:
    """A language server process spoken to over stdio: JSON-RPC messages with Content-Length headers."""

    def __init__(self, command: list[str], root: Path, settings: dict):
        self.root, self.settings = root, settings
        self.process = subprocess.Popen(command, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.incoming: queue.Queue = queue.Queue()
        self.stderr: collections.deque = collections.deque(maxlen=40)
        self.diagnostics: dict[str, list] = {}  # uri -> what the last publishDiagnostics said
        self.published: set[str] = set()
        self.results: dict[Path, list] = {}  # what open_all found, by file
        self.next_id = 0
        threading.Thread(target=self._read_messages, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_messages(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                self.incoming.put(json.loads(stream.read(length)))
        finally:
            self.incoming.put(None)

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr.append(line.decode("utf-8", "replace").rstrip())

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict | None = None):
        self.next_id += 1
        number = self.next_id
        self._send({"id": number, "method": method, "params": params})
        answer = self._until(lambda m: m.get("id") == number and "method" not in m, f"the answer to {method}")
        assert "error" not in answer, f"{method}: {answer['error']}"
        return answer["result"]

    def _until(self, wanted, what: str) -> dict:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                message = self.incoming.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"yaml-language-server gave no {what} in {WAIT} s; its stderr:\n" + "\n".join(self.stderr)) from None
            if message is None:
                raise AssertionError(f"yaml-language-server ended before {what}; its stderr:\n" + "\n".join(self.stderr))
            if "method" in message and "id" in message:  # a request of the server's
                self._send({"id": message["id"], "result": self._answer(message)})
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
                self.published.add(message["params"]["uri"])
            if wanted(message):
                return message

    def _answer(self, request: dict):
        if request["method"] == "workspace/configuration":  # the server pulls yaml, http, [yaml], editor
            sections = {"yaml": self.settings, "http": {"proxy": CLOSED_PORT_PROXY, "proxyStrictSSL": False}}
            return [sections.get(item.get("section"), {}) for item in request["params"]["items"]]
        return None  # client/registerCapability and the like: accepted

    def start(self) -> None:
        self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}],
            "capabilities": {
                "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                "textDocument": {"completion": {"completionItem": {"snippetSupport": True}}, "publishDiagnostics": {}},
            },
        })
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": None})

    def open_all(self, paths: list[Path]) -> dict[Path, list]:
        """Open every file, then wait until the server has published the diagnostics of each."""
        uris = {path: path.as_uri() for path in paths}
        for path, uri in uris.items():
            # a JSON file too goes to the YAML server as YAML (JSON is YAML), as an editor sends it when told to
            self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}})
        waiting = set(uris.values())
        self._until(lambda m: not (waiting - self.published), f"diagnostics for all of {len(waiting)} documents")
        found = {path: self.diagnostics[uri] for path, uri in uris.items()}
        self.results.update(found)
        return found

    def completion(self, path: Path, line: int, character: int) -> set[str]:
        result = self.request("textDocument/completion", {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": character}})
        items = result["items"] if isinstance(result, dict) else result or []
        return {item["label"] for item in items}

    def hover(self, path: Path, line: int, character: int) -> str:
        result = self.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": character}})
        return result["contents"]["value"] if result else ""

    def schema_of(self, path: Path) -> list[str]:
        return [schema["uri"] for schema in self.request("yaml/get/jsonSchema", path.as_uri())]

    def stop(self) -> None:
        try:
            self.request("shutdown")
            self.notify("exit")
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)


# ----------------------------------------------------------------------------- the documents

MODELINE = re.compile(r"^# yaml-language-server:.*\n", re.M)


def without_modeline(source: str) -> str:
    """A real file's text (``source`` relative to the repository, or the text itself) without its own modeline."""
    text = source if source.startswith("apiVersion:") else (ROOT / source).read_text(encoding="utf-8")
    return MODELINE.sub("", text)


def modelined(source: str, schema: str, depth: int) -> str:
    """The document with a modeline pointing at the written schemas, from ``depth`` folders below them."""
    return f"# yaml-language-server: $schema={'../' * depth}.schemas/{schema}\n" + without_modeline(source)


POLICY_SET = """\
apiVersion: costwarden/v1
kind: PolicySet
id: acme-production
policies:
  allowed-environment-values:
    severity: critical
    parameters:
      environments: [prod, prd]
  stopped-instance:
    enabled: false
"""

CONFIG = """\
apiVersion: costwarden/v1
kind: Config
check:
  policies: [builtin, policies]
  plan: infra/plan.json
  fail-on: high
  stale-after: 5
  format: [sarif, markdown]
  output: [costwarden.sarif, summary.md]
validate:
  paths: [policies]
baseline:
  create:
    output: .costwarden-baseline.json
"""

# name -> (real file, or text, and the schema of its kind)
VALID = {
    "policy-budget": ("policies/budgets/team-monthly-budget.yaml", "policy.schema.json"),
    "policy-commitment": ("policies/commitments/commitment-utilization.yaml", "policy.schema.json"),
    "policy-commitment-coverage": ("policies/commitments/compute-commitment-coverage.yaml", "policy.schema.json"),
    "policy-condition": ("policies/waste/stopped-instance.yaml", "policy.schema.json"),
    "policy-previous-generation": ("policies/rightsizing/previous-generation.yaml", "policy.schema.json"),
    "policy-rightsizing": ("policies/rightsizing/rightsize-compute.yaml", "policy.schema.json"),
    "policy-tag-coverage": ("policies/tagging/allocation-tag-coverage.yaml", "policy.schema.json"),
    "policy-tagging": ("policies/tagging/allowed-environment-values.yaml", "policy.schema.json"),
    "policy-waste": ("policies/waste/zero-usage.yaml", "policy.schema.json"),
    "policy-set": (POLICY_SET, "policy-set.schema.json"),
    "ownership": ("examples/ownership.yaml", "ownership.schema.json"),
    "policy-test": ("policies/commitments/commitments.test.yaml", "policy-test.schema.json"),
    "budgets": ("policies/budgets/team-monthly.budgets.yaml", "budgets.schema.json"),
    "size-ladders": ("policies/rightsizing/size-ladders.yaml", "size-ladders.schema.json"),
    "generation-map": ("policies/rightsizing/previous-generations.yaml", "generation-map.schema.json"),
    "policy-cost-delta": ("policies/change/change-cost-increase.yaml", "policy.schema.json"),
    "policy-change-budget": ("policies/budgets/change-within-budget.yaml", "policy.schema.json"),
    "exemption": ("examples/exemptions/legacy-batch.yaml", "exemption.schema.json"),
    "allocation": ("examples/allocation.yaml", "allocation.schema.json"),
    "scorecard": ("examples/scorecard.yaml", "scorecard.schema.json"),
    "config": (CONFIG, "config.schema.json"),
}

# name -> (valid document, the line as it is, the line broken, what the editor must say there)
BROKEN = {
    "policy-budget-misspelt-key": ("policy-budget", "  measure: BilledCost", "  mesure: BilledCost", "Property mesure is not allowed."),
    "policy-commitment-misspelt-key": ("policy-commitment", "  period: month", "  perod: month", "Property perod is not allowed."),
    "policy-commitment-wrong-type": ("policy-commitment-coverage", "      service_categories: [Compute]", "      service_categories: Compute",
                                     'Incorrect type. Expected "array".'),
    "policy-condition-misspelt-key": ("policy-condition", '  message: "the instance is {state}: its disks and reserved IPs are still billed"',
                                      '  mesage: "the instance is {state}: its disks and reserved IPs are still billed"', "Property mesage is not allowed."),
    "policy-condition-unknown-operator": ("policy-condition", "    op: in", "    op: inside", "Value is not accepted."),
    "policy-previous-generation-wrong-type": ("policy-previous-generation", "  allow_architecture_change: false", "  allow_architecture_change: no",
                                              'Incorrect type. Expected "boolean".'),
    "policy-previous-generation-misspelt-key": ("policy-previous-generation", "  allow_architecture_change: false",
                                               "  allow_architecture_changes: false", "Property allow_architecture_changes is not allowed."),
    "policy-tag-coverage-misspelt-key": ("policy-tag-coverage", "  period: month", "  perid: month", "Property perid is not allowed."),
    "policy-rightsizing-misspelt-key": ("policy-rightsizing", "  min_days: {param: min_days}", "  min_day: {param: min_days}", "Property min_day is not allowed."),
    "policy-tag-coverage-wrong-type": ("policy-tag-coverage", "  top: 10", "  top: ten", 'Incorrect type. Expected "integer".'),
    "policy-tagging-misspelt-key-in-a-list": ("policy-tagging", "      required: false", "      requird: false", "Property requird is not allowed."),
    "policy-waste-nested-condition": ("policy-waste", "          - {path: utilization.requests.max, op: eq, value: 0}",
                                      "          - {path: utilization.requests.max, op: eq, vlaue: 0}", "Property vlaue is not allowed."),
    "policy-misspelt-envelope-key": ("policy-tagging", "enforcement: enforce", "enforcment: enforce", "Property enforcment is not allowed."),
    "policy-set-misspelt-key": ("policy-set", "    enabled: false", "    enable: false", "Property enable is not allowed."),
    "ownership-misspelt-key": ("ownership", "    aliases: [search-infra]", "    alias: [search-infra]", "Property alias is not allowed."),
    "policy-test-wrong-value": ("policy-test", "    expect: fail\n    description: spot usage is not eligible; coverage is measured at the contracted price",
                                "    expect: 1\n    description: spot usage is not eligible; coverage is measured at the contracted price",
                                "Value is not accepted."),
    "budgets-wrong-value": ("budgets", "period: month", "period: monthly", "Value is not accepted."),
    "budgets-negative-amount": ("budgets", "  payments: 1000", "  payments: -5", "Value is below the minimum of 0."),
    "budgets-amount-text": ("budgets", "  search: 200", '  search: {amount: "-200"}', "String does not match the pattern"),
    "size-ladders-wrong-type": ("size-ladders", "      - {size: t2.micro, vcpu: 1, memory_gib: 1}", "      - {size: t2.micro, vcpu: one, memory_gib: 1}",
                                'Incorrect type. Expected "number".'),
    "policy-cost-delta-wrong-value": ("policy-cost-delta", "  scope: owner", "  scope: team", "Value is not accepted."),
    "policy-change-budget-misspelt-key": ("policy-change-budget", "  measure: BilledCost", "  measur: BilledCost",
                                          "Property measur is not allowed."),
    "exemption-misspelt-key": ("exemption", "ticket: FINOPS-142", "tiket: FINOPS-142", "Property tiket is not allowed."),
    "allocation-wrong-value": ("allocation", "    split: proportional", "    split: evenly-ish", "Value is not accepted."),
    "scorecard-misspelt-key": ("scorecard", "    match: normalized", "    mach: normalized", "Property mach is not allowed."),
    "config-misspelt-option": ("config", "  fail-on: high", "  fail-onn: high", "Property fail-onn is not allowed."),
    "config-wrong-value": ("config", "  fail-on: high", "  fail-on: hgh", "Value is not accepted."),
    "config-wrong-type": ("config", "  stale-after: 5", "  stale-after: five", 'Incorrect type. Expected "integer".'),
    "config-unknown-command": ("config", "validate:", "validat:", "Property validat is not allowed."),
    "generation-map-misspelt-key": ("generation-map", "  - {family: m4, replacements: [m7i, m7g]}", "  - {family: m4, replacement: [m7i, m7g]}",
                                    "Property replacement is not allowed."),
}

# Files mapped to a schema by the globs of docs/editor-setup.md's VS Code settings, not by a modeline.
LIBRARY = {  # policies/**/*.yaml -> document.schema.json: each document checked by its kind
    "policies/commitments/commitment-utilization.yaml": "policies/commitments/commitment-utilization.yaml",
    "policies/commitments/commitments.test.yaml": "policies/commitments/commitments.test.yaml",
    "policies/ownership.yaml": "policies/fixtures/ownership.yaml",
    "policies/rightsizing/size-ladders.yaml": "policies/rightsizing/size-ladders.yaml",
    "policies/broken-policy.yaml": "policies/commitments/compute-commitment-coverage.yaml",
}
LIBRARY_BREAK = ("    price: ContractedCost", "    prize: ContractedCost", "Property prize is not allowed.")

# Built-in library files opened as a contributor opens them in a checkout: each with its own modeline, which
# points at the git-ignored .schemas/ at the repository's root (costwarden schema --write .schemas). The
# parameters ({param: NAME}) of the first two must pass; the last is broken on one line.
CHECKOUT = ["policies/tagging/allowed-environment-values.yaml", "policies/rightsizing/rightsize-compute.yaml",
            "policies/budgets/team-monthly-budget.test.yaml", "policies/rightsizing/size-ladders.yaml"]
CHECKOUT_BREAK = ("policies/waste/zero-usage.yaml", "          - {path: utilization.requests.max, op: eq, value: 0}",
                  "          - {path: utilization.requests.max, op: eq, vlaue: 0}", "Property vlaue is not allowed.")
INVENTORY_BREAK = ('      "name": "search-indexer-1",', '      "nmae": "search-indexer-1",', "Property nmae is not allowed.")


def vscode_settings() -> dict:
    """The .vscode/settings.json of docs/editor-setup.md that maps files by glob."""
    page = (ROOT / "docs" / "editor-setup.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", page, re.S)]
    (settings,) = [b for b in blocks if "yaml.schemas" in b]
    return settings


def break_line(text: str, line: str, broken: str) -> tuple[str, int]:
    """``text`` with its one ``line`` (one or more whole lines) replaced, and the 0-based line that changed."""
    assert text.count(line + "\n") == 1, f"{line!r} is not once in the document"
    changed = next(i for i, (a, b) in enumerate(zip(line.splitlines(), broken.splitlines())) if a != b)
    start = text.index(line + "\n")
    return text[:start] + broken + text[start + len(line):], text[:start].count("\n") + changed


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server_command() -> list[str]:
    """The command that starts the pinned yaml-language-server, installed with npm ci if missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to run yaml-language-server (the editor schema tests): install Node 20 or later so that `node` is on PATH")
    if not SERVER.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"npm is needed to install yaml-language-server into {NODE_DIR} (npm ci): install it with Node.js")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not SERVER.is_file():
            pytest.fail(f"npm ci in {NODE_DIR} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    version = subprocess.run([node, str(SERVER), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == PINNED, f"{SERVER} is {version.stdout.strip()!r}, package.json pins {PINNED}: run npm ci in {NODE_DIR}"
    return [node, str(SERVER), "--stdio"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder with the written schemas, every document of the tests, and the lines that were broken."""
    root = tmp_path_factory.mktemp("editor")
    written = CliRunner().invoke(main, ["schema", "--write", str(root / ".schemas")])
    assert written.exit_code == 0, written.output
    texts = {name: modelined(source, schema, 1) for name, (source, schema) in VALID.items()}
    for name, text in texts.items():
        (root / name).mkdir()
        (root / name / "doc.yaml").write_text(text)
    for name, (valid, line, broken, _) in BROKEN.items():
        text, _ = break_line(texts[valid], line, broken)
        (root / name).mkdir()
        (root / name / "doc.yaml").write_text(text)
    for target, source in LIBRARY.items():
        text = without_modeline(source)
        if target.endswith("broken-policy.yaml"):
            text, _ = break_line(text, *LIBRARY_BREAK[:2])
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_text(text)
    (root / "policies" / "mixed.yaml").write_text(without_modeline("policies/commitments/commitment-utilization.yaml") + "---\n"
                                                   + without_modeline("policies/fixtures/ownership.yaml"))
    checkout = root / "checkout"  # a copy of the repository's layout: .schemas/ at its root, files as they are
    written = CliRunner().invoke(main, ["schema", "--write", str(checkout / ".schemas")])
    assert written.exit_code == 0, written.output
    for source in CHECKOUT:
        (checkout / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / source, checkout / source)
    broken_source, line, broken, _ = CHECKOUT_BREAK
    (checkout / broken_source).parent.mkdir(parents=True, exist_ok=True)
    (checkout / broken_source).write_text(break_line((ROOT / broken_source).read_text(encoding="utf-8"), line, broken)[0])
    (root / "inventory").mkdir()
    inventory = (ROOT / "examples" / "inventory.json").read_text(encoding="utf-8")
    (root / "inventory" / "estate.json").write_text(inventory)
    (root / "inventory" / "broken.json").write_text(break_line(inventory, *INVENTORY_BREAK[:2])[0])
    return root


@pytest.fixture(scope="module")
def editor(server_command, workspace):
    documented = vscode_settings()
    settings = {"validate": True, "completion": True, "hover": True, "kubernetesCRDStore": {"enable": False},
                "schemaStore": {"enable": documented["yaml.schemaStore.enable"]}, "schemas": documented["yaml.schemas"]}
    server = LanguageServer(server_command, workspace, settings)
    try:
        server.start()
        paths = (sorted(workspace.glob("*/doc.yaml")) + sorted(workspace.glob("policies/**/*.yaml")) + sorted(workspace.glob("inventory/*.json"))
                 + sorted(workspace.glob("checkout/policies/**/*.yaml")))
        server.open_all(paths)
        yield server
    finally:
        server.stop()


def described(diagnostics: list) -> list[str]:
    return [f"{d['range']['start']['line']}:{d['range']['start']['character']} {d['message']}" for d in diagnostics]


# ----------------------------------------------------------------------------- editor: diagnostics


@pytest.mark.parametrize("source", CHECKOUT)
def test_a_builtin_library_file_is_checked_through_its_own_modeline(editor, workspace, source):
    path = workspace / "checkout" / source
    assert editor.results[path] == [], described(editor.results[path])
    kind = re.search(r"^kind: (\w+)", path.read_text(), re.M).group(1)
    # the modeline's schema (the editor settings' glob policies/**/*.yaml may add the document schema beside it)
    assert (workspace / "checkout" / ".schemas" / KIND_SCHEMAS[kind]).as_uri() in editor.schema_of(path)


def test_a_broken_builtin_library_file_is_reported_through_its_own_modeline(editor, workspace):
    source, line, broken, message = CHECKOUT_BREAK
    _, changed = break_line((ROOT / source).read_text(encoding="utf-8"), line, broken)
    found = editor.results[workspace / "checkout" / source]
    assert {d["range"]["start"]["line"] for d in found} == {changed}, described(found)
    assert any(d["message"].startswith(message) for d in found), described(found)


def test_every_library_and_example_file_has_the_modeline_of_its_kind():
    """Each YAML file of policies/ and examples/ starts with a modeline naming the editor schema of its kind
    or document.schema.json (which checks any kind, and is the one for a file that mixes kinds) in the .schemas/ folder at the repository's root, which
    `costwarden schema --write .schemas` writes (docs/editor-setup.md: working on the built-in library)."""
    from engine.documents.editor_schemas import editor_schema_texts

    written = set(editor_schema_texts())
    wrong = []
    for path in sorted([*(ROOT / "policies").rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")]):
        text = path.read_text(encoding="utf-8")
        kinds = set(re.findall(r"^kind: (\w+)", text, re.M))
        if not kinds:
            continue
        schemas = {KIND_SCHEMAS[kinds.pop()], "document.schema.json"} if len(kinds) == 1 else {"document.schema.json"}
        depth = len(path.relative_to(ROOT).parts) - 1
        wanted = {f"# yaml-language-server: $schema={'../' * depth}.schemas/{schema}" for schema in schemas & written}
        first = next(line for line in text.splitlines() if line.strip())
        if first not in wanted:
            wrong.append(f"{path.relative_to(ROOT)}: {first!r}, expected one of {sorted(wanted)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", list(VALID))
def test_a_valid_document_of_each_kind_has_no_diagnostics(editor, workspace, name):
    path = workspace / name / "doc.yaml"
    assert editor.results[path] == [], described(editor.results[path])
    # and the server did check it: the document is associated with the written schema of its kind
    assert editor.schema_of(path) == [(workspace / ".schemas" / VALID[name][1]).as_uri()]


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_document_is_reported_at_the_changed_line(editor, workspace, name):
    valid, line, broken, message = BROKEN[name]
    text = (workspace / valid / "doc.yaml").read_text()
    _, changed = break_line(text, line, broken)
    found = editor.results[workspace / name / "doc.yaml"]
    assert found, f"{name}: no diagnostic"
    assert {d["range"]["start"]["line"] for d in found} == {changed}, described(found)
    assert any(d["message"].startswith(message) for d in found), described(found)


@pytest.mark.parametrize("name", list(BROKEN))
def test_costwarden_validate_reports_the_same_line(workspace, name):
    valid, line, broken, _ = BROKEN[name]
    _, changed = break_line((workspace / valid / "doc.yaml").read_text(), line, broken)
    path = workspace / name / "doc.yaml"
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = {int(m) - 1 for m in re.findall(rf"^{re.escape(str(path))}:(\d+):\d+: E\d+", result.output, re.M)}
    assert changed in lines, result.output


def test_a_folder_mapped_to_the_document_schema_checks_each_document_by_its_kind(editor, workspace):
    library = {str(path.relative_to(workspace)): found for path, found in editor.results.items() if path.is_relative_to(workspace / "policies")}
    library = {name: found for name, found in library.items() if name in LIBRARY or name == "policies/mixed.yaml"}
    assert sorted(library) == sorted([*LIBRARY, "policies/mixed.yaml"])
    broken = library.pop("policies/broken-policy.yaml")
    assert all(found == [] for found in library.values()), {name: described(found) for name, found in library.items()}
    _, changed = break_line(without_modeline(LIBRARY["policies/broken-policy.yaml"]), *LIBRARY_BREAK[:2])
    assert described(broken) == [f"{changed}:4 {LIBRARY_BREAK[2]}"]
    assert editor.schema_of(workspace / "policies" / "ownership.yaml") == [(workspace / ".schemas" / "document.schema.json").as_uri()]


def test_a_mixed_file_gets_each_documents_errors_by_its_kind(editor, workspace):
    path = workspace / "policies" / "mixed-broken.yaml"
    policy = without_modeline("policies/commitments/commitment-utilization.yaml")
    ownership = without_modeline("policies/fixtures/ownership.yaml")
    text = policy.replace("  period: month\n", "  period: monthly\n") + "---\n" + ownership.replace("resolution:\n", "resolutoin:\n")
    path.write_text(text)
    lines = text.splitlines()
    found = editor.open_all([path])[path]
    second = lines.index("apiVersion: costwarden/v1", lines.index("---"))  # where the Ownership document's mapping starts
    assert described(found) == [f"{lines.index('  period: monthly')}:10 Value is not accepted. Valid values: \"month\", \"quarter\", \"year\".",
                                f'{second}:0 Missing property "resolution".', f"{lines.index('resolutoin:')}:0 Property resolutoin is not allowed."]


def test_an_inventory_mapped_by_a_glob_is_checked_with_the_inventory_schema(editor, workspace):
    assert editor.results[workspace / "inventory" / "estate.json"] == []
    _, changed = break_line((ROOT / "examples" / "inventory.json").read_text(encoding="utf-8"), *INVENTORY_BREAK[:2])
    assert described(editor.results[workspace / "inventory" / "broken.json"]) == [f"{changed}:6 {INVENTORY_BREAK[2]}"]


# ----------------------------------------------------------------------------- editor: completion


def test_completion_inside_spec_offers_the_keys_of_the_policy_type(editor, workspace):
    path = workspace / "completion-commitment.yaml"
    path.write_text(modelined("policies/commitments/commitment-utilization.yaml", "policy.schema.json", 0) + "  \n")
    editor.open_all([path])
    last = path.read_text().count("\n") - 1
    offered = editor.completion(path, last, 2)
    assert {"coverage", "scope", "match", "fiscal_year_start", "top"} <= offered, offered
    assert not offered & {"utilization", "period", "keys", "fail_if"}, offered  # present already, or of other types


def test_completion_in_a_list_item_of_spec_and_of_the_policy_type_names(editor, workspace):
    path = workspace / "completion-tagging.yaml"
    text = modelined("policies/tagging/allowed-environment-values.yaml", "policy.schema.json", 0)
    path.write_text(text + "    - key: team\n      \n")
    editor.open_all([path])
    lines = path.read_text().splitlines()
    assert {"required", "values", "pattern", "known_team"} <= editor.completion(path, len(lines) - 1, 6)
    type_line = next(i for i, line in enumerate(lines) if line.startswith("type: "))
    assert {"tagging", "condition", "budget", "commitment", "waste"} <= editor.completion(path, type_line, len("type: "))


def test_hover_on_a_key_of_spec_shows_its_description(editor, workspace):
    path = workspace / "policy-tagging" / "doc.yaml"
    lines = path.read_text().splitlines()
    spec = lines.index("spec:")
    shown = editor.hover(path, lines.index("  match: normalized", spec), 3)
    assert "how tag keys are matched" in shown, shown
    shown = editor.hover(path, next(i for i, line in enumerate(lines) if line.startswith("      required:")), 8)
    assert "the key must be present with a non-empty value" in shown, shown


def test_completion_follows_the_kind_in_a_folder_mapped_to_the_document_schema(editor, workspace):
    path = workspace / "policies" / "new.yaml"
    path.write_text("apiVersion: costwarden/v1\nkind: Budgets\n\n")
    editor.open_all([path])
    assert {"id", "currency", "amounts", "default", "period"} <= editor.completion(path, 2, 0)


# ----------------------------------------------------------------------------- the written files


def test_every_written_schema_stands_alone():
    """No $id, no reference outside the file; a valid Draft 2020-12 schema whose refs all resolve."""
    for name in schema_names():
        schema = editor_schema(name)
        Draft202012Validator.check_schema(schema)
        text = json.dumps(schema)
        assert '"$id"' not in text, name
        for reference in re.findall(r'"\$ref": "([^"]*)"', text):
            assert reference.startswith("#"), (name, reference)
            node = schema
            for part in reference[2:].split("/") if reference != "#" else []:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            assert isinstance(node, dict), (name, reference)


# Keywords that mean the same in draft-07 and 2020-12 (docs/editor-setup.md lists them): a server
# that reads the written schemas as draft-07, as yaml-language-server before 1.20 does, agrees.
SAME_IN_DRAFT_07 = {
    "$schema", "$ref", "$defs", "title", "description", "default", "examples",
    "type", "properties", "patternProperties", "additionalProperties", "required", "propertyNames", "minProperties", "maxProperties",
    "enum", "const", "pattern", "format", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "items", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
}


def keywords(schema) -> list[tuple[str, object]]:
    """Every (keyword, value) of ``schema`` and of the schemas inside it."""
    from engine.documents.editor_schemas import _ONE_SCHEMA, _SCHEMA_LISTS, _SCHEMA_MAPS

    if not isinstance(schema, dict):
        return []
    found = list(schema.items())
    for key, value in schema.items():
        inner = [value] if key in _ONE_SCHEMA else value if key in _SCHEMA_LISTS else value.values() if key in _SCHEMA_MAPS else []
        for item in inner:
            found += keywords(item)
    return found


@pytest.mark.parametrize("name", schema_names())
def test_written_schemas_use_only_keywords_that_mean_the_same_in_draft_07(name):
    used = keywords(editor_schema(name))
    assert {key for key, _ in used} <= SAME_IN_DRAFT_07, {key for key, _ in used} - SAME_IN_DRAFT_07
    assert all(isinstance(value, (dict, bool)) for key, value in used if key == "items")  # not draft-07's list of item schemas


def test_the_kind_table_of_the_docs_is_the_loader_table():
    page = (ROOT / "docs" / "editor-setup.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| `([\w.-]+)` \|$", page, re.M))
    assert rows == KIND_SCHEMAS


def real_documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted([*ROOT.glob("policies/**/*.yaml"), *ROOT.glob("examples/**/*.yaml")]):
        for doc in read_documents(str(path), []):
            if isinstance(doc.data, dict) and doc.data.get("apiVersion") == "costwarden/v1":
                found.append((str(path.relative_to(ROOT)), doc.data))
    return found


def test_every_real_document_is_valid_under_its_kind_schema_and_the_document_schema():
    """jsonschema, with no registry: the written files need nothing but themselves."""
    documents = real_documents()
    assert len(documents) >= 50
    by_kind = {kind: Draft202012Validator(editor_schema(name)) for kind, name in KIND_SCHEMAS.items()}
    any_kind = Draft202012Validator(editor_schema("document.schema.json"))
    for path, data in documents:
        for validator in (by_kind[data["kind"]], any_kind):
            assert [e.message for e in validator.iter_errors(data)] == [], path


def test_a_parameter_stands_for_a_value_of_spec_but_not_of_the_envelope():
    validator = Draft202012Validator(editor_schema("policy.schema.json"))
    policy = {"apiVersion": "costwarden/v1", "kind": "Policy", "id": "p", "title": "t", "type": "tag-coverage", "severity": "low",
              "spec": {"keys": [{"key": {"param": "k"}}], "minimum": {"param": "m"}}}
    assert list(validator.iter_errors(policy)) == []
    assert list(validator.iter_errors({**policy, "spec": {"param": "whole"}})) == []
    assert list(validator.iter_errors({**policy, "severity": {"param": "s"}}))
    assert list(validator.iter_errors({**policy, "spec": {**policy["spec"], "minimun": {"param": "m"}}}))  # a misspelt key stays one
    assert list(validator.iter_errors({**policy, "spec": {**policy["spec"], "minimum": {"param": 3}}}))


# ----------------------------------------------------------------------------- writing them


def test_writing_into_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # a privileged user writes anyway: use a folder of the kernel's nobody may write
        folder = Path("/sys")
    try:
        result = CliRunner().invoke(main, ["schema", "--write", str(folder)])
    finally:
        (tmp_path / "read-only").chmod(0o755)
    assert result.exit_code == 2
    first = schema_names()[0]  # written in name order: the first one fails
    assert result.output == f"costwarden: cannot write the schemas: {folder / first}: Permission denied\n"


@pytest.mark.parametrize(
    "given, blocked, reason",
    [
        ("a-file", "a-file", None),
        ("a-file/sub", "a-file/sub", "{tmp}/a-file is a file, not a folder"),
        ("out", "out/policy-types", "a file, not a folder"),
        ("out2", "out2/policy.schema.json", "a folder is in the way of the schema file"),
    ],
)
def test_writing_where_a_file_or_folder_is_in_the_way_is_a_clear_error_and_writes_nothing(tmp_path, given, blocked, reason):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "policy-types").write_text("x")
    (tmp_path / "out2" / "policy.schema.json").mkdir(parents=True)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["schema", "--write", str(tmp_path / given)])
    assert result.exit_code == 2
    if reason is None:  # click says it for the option itself
        assert f"Directory '{tmp_path / blocked}' is a file." in result.output
    else:
        assert result.output == f"costwarden: cannot write the schemas: {tmp_path / blocked}: {reason.format(tmp=tmp_path)}\n"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_writing_to_an_empty_path_is_a_usage_error():
    result = CliRunner().invoke(main, ["schema", "--write", ""])
    assert result.exit_code == 2 and "Error: --write needs a folder" in result.output


def test_printing_one_schema_gives_its_written_form(tmp_path):
    CliRunner().invoke(main, ["schema", "--write", str(tmp_path)])
    for name in ("policy", "ownership", "policy-types/budget"):
        printed = CliRunner().invoke(main, ["schema", name])
        assert printed.exit_code == 0
        assert printed.output == (tmp_path / f"{name}.schema.json").read_text()
