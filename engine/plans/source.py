"""Where each planned resource is written: the ``.tf`` file, line and column of its block.

Given the configuration's root directory (``source_dir``), the directory of each module comes from

1. ``.terraform/modules/modules.json``, which ``terraform init`` / ``tofu init`` write: every module
   call's key (call names joined by dots, ``db.db_1``) and its directory, downloaded ones included;
2. else the plan's own ``configuration``: a module call whose ``source`` is a local path (``./x``,
   ``../x``) is that path under its parent's directory. A registry or git module without
   ``modules.json`` cannot be found; its resources keep only their plan position.

Each directory's ``*.tf`` files are scanned for top-level ``resource "TYPE" "NAME" {`` and
``data "TYPE" "NAME" {`` blocks (``*.tf.json`` files: their ``resource`` / ``data`` objects).

The scanner (:func:`scan_blocks`) is a small tokenizer rather than an HCL parser: it skips
comments (``#``, ``//``, ``/* */``), quoted strings with their ``${ ... }`` templates (which may
hold quotes and braces), and heredocs, counts braces, and reads a block header only at nesting
depth 0. It needs no grammar for expressions, so a construct newer than the scanner (a provider
function, a new meta-argument) cannot make it lose a file, and it gives the column as well as the
line. python-hcl2 (the maintained Python HCL parser) was considered: it reports a block's line but
not its column, and a file it cannot parse loses every location in it.
"""

from __future__ import annotations

import json
import os
import re
import stat

from engine.inventory.jsonpos import locate_paths

MAX_SOURCE_BYTES = 16 * 1024 * 1024  # a .tf file larger than this is not scanned for locations

_TOKEN = re.compile(
    r'(?P<comment>\#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z))'
    r'|<<-?(?P<heredoc>[A-Za-z_][\w-]*)[ \t]*\r?\n'
    r'|(?P<quote>")'
    r'|(?P<open>[{\[(])'
    r'|(?P<close>[}\])])'
    r'|^(?P<indent>[ \t]*)(?P<keyword>resource|data)\b',
    re.S | re.M,
)
_LABEL = r'(?:"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][\w-]*))'
_HEADER = re.compile(r'[ \t]+' + _LABEL + r'[ \t]*' + _LABEL + r'[ \t]*\{')
_STRING_STOP = re.compile(r'\\.|\$\$\{|%%\{|[$%]\{|"|\n', re.S)
_TEMPLATE_STOP = re.compile(r'[{}"]')
_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?\.?')


def scan_blocks(text: str) -> list[tuple[str, str, str, int, int]]:
    """Top-level ``resource`` / ``data`` blocks of HCL text: (keyword, type, name, line, column), 1-based."""
    found = []
    depth = 0
    position = 0
    line_starts = None
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            return found
        kind = match.lastgroup
        position = match.end()
        if kind == "keyword" or kind == "indent":
            if depth == 0:
                header = _HEADER.match(text, match.end("keyword"))
                if header is not None:
                    if line_starts is None:
                        line_starts = _line_starts(text)
                    offset = match.start("keyword")
                    line = _line_of(line_starts, offset)
                    found.append((match.group("keyword"), _label(header, 1), _label(header, 3), line,
                                  offset - line_starts[line - 1] + 1))
                    position = header.end()
                    depth = 1
        elif kind == "quote":
            position = _skip_string(text, position)
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "heredoc":
            end = re.compile(r"^[ \t]*" + re.escape(match.group("heredoc")) + r"[ \t]*\r?$", re.M).search(text, position)
            position = end.end() if end else len(text)


def _label(header: re.Match, group: int) -> str:
    quoted = header.group(group)
    if quoted is None:
        return header.group(group + 1)
    if "\\" in quoted:
        try:
            return json.loads('"' + quoted + '"')
        except ValueError:
            return quoted
    return quoted


def _skip_string(text: str, position: int) -> int:
    """The end of a quoted string whose opening quote ends at ``position``."""
    while True:
        stop = _STRING_STOP.search(text, position)
        if stop is None:
            return len(text)
        token = stop.group()
        if token == '"' or token == "\n":  # a newline ends an unterminated string: recover on the next line
            return stop.end()
        position = _skip_template(text, stop.end()) if token in ("${", "%{") else stop.end()


def _skip_template(text: str, position: int) -> int:
    depth = 1
    while True:
        stop = _TEMPLATE_STOP.search(text, position)
        if stop is None:
            return len(text)
        token = stop.group()
        if token == '"':
            position = _skip_string(text, stop.end())
            continue
        position = stop.end()
        depth += 1 if token == "{" else -1
        if depth == 0:
            return position


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    index = find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts)
    while low < high - 1:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle
    return low + 1


def scan_json_blocks(text: str) -> list[tuple[str, str, str, int, int]]:
    """``resource`` / ``data`` blocks of a ``.tf.json`` file (the object form), with their positions."""
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    wanted = []
    if doc.__class__ is dict:
        for keyword in ("resource", "data"):
            types = doc.get(keyword)
            if types.__class__ is dict:
                for tf_type, names in types.items():
                    if names.__class__ is dict:
                        wanted.extend((keyword, tf_type, name) for name in names)
    data = text.encode("utf-8")
    offsets = locate_paths(data, wanted)
    found = []
    for path in wanted:
        if path in offsets:
            offset = offsets[path]
            line = data.count(b"\n", 0, offset) + 1
            column = len(data[data.rfind(b"\n", 0, offset) + 1:offset].decode("utf-8", "replace")) + 1
            found.append((*path, line, column))
    return found


def module_path(module_address: object) -> tuple[str, ...]:
    """The module call names of a module instance address: ``module.a["x"].module.b[0]`` -> ("a", "b")."""
    if module_address.__class__ is not str or not module_address:
        return ()
    names = []
    position = 0
    while position < len(module_address):
        step = _MODULE_STEP.match(module_address, position)
        if step is None:
            break
        names.append(step.group(1))
        position = step.end()
    return tuple(names)


class SourceIndex:
    """Finds the block of a resource under a configuration directory; scans each directory once."""

    def __init__(self, source_dir: str, configuration: object):
        self.root = source_dir
        self.warnings: list[str] = []
        self._dirs: dict[tuple[str, ...], str | None] = {(): source_dir}
        self._blocks: dict[str, dict] = {}
        self._installed = self._read_modules_json()
        self._calls = _module_calls(configuration)

    def _read_modules_json(self) -> dict[str, str]:
        path = os.path.join(self.root, ".terraform", "modules", "modules.json")
        try:
            with open(path, encoding="utf-8") as handle:
                doc = json.load(handle)
        except (OSError, ValueError):
            return {}
        installed = {}
        for module in doc.get("Modules") or [] if doc.__class__ is dict else []:
            if module.__class__ is dict and module.get("Key").__class__ is str and module.get("Dir").__class__ is str:
                installed[module["Key"]] = module["Dir"]
        return installed

    def directory(self, path: tuple[str, ...]) -> str | None:
        """The directory of the module at ``path`` (call names), or None when it cannot be found."""
        if path in self._dirs:
            return self._dirs[path]
        found = None
        key = ".".join(path)
        if key in self._installed:
            found = os.path.normpath(os.path.join(self.root, self._installed[key]))
        else:
            parent = self.directory(path[:-1])
            source = self._calls.get(path)
            if parent is not None and source is not None and source.startswith(("./", "../", ".\\", "..\\")):
                found = os.path.normpath(os.path.join(parent, source))
            elif source is not None:
                self.warnings.append(f"module.{'.module.'.join(path)} comes from '{source}', which is not a local path, "
                                     f"and {os.path.join(self.root, '.terraform', 'modules', 'modules.json')} does not "
                                     f"list it (run terraform init there): its resources have no source location")
        if found is not None and not os.path.isdir(found):
            self.warnings.append(f"module.{'.module.'.join(path)}: directory {found} not found: its resources have no "
                                 f"source location")
            found = None
        self._dirs[path] = found
        return found

    def locate(self, path: tuple[str, ...], mode: str, tf_type: str, name: str) -> dict | None:
        """``{"file", "line", "column"}`` of the block, or None."""
        directory = self.directory(path)
        if directory is None:
            return None
        blocks = self._blocks.get(directory)
        if blocks is None:
            blocks = self._blocks[directory] = _scan_directory(directory)
        return blocks.get(("data" if mode == "data" else "resource", tf_type, name))


def _scan_directory(directory: str) -> dict:
    blocks: dict = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return blocks
    for name in names:
        if not (name.endswith(".tf") or name.endswith(".tf.json")):
            continue
        path = os.path.join(directory, name)
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
                continue  # a device, a pipe or a folder named *.tf is no configuration file; locations are best effort
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError:
            continue
        scanned = scan_json_blocks(text) if name.endswith(".tf.json") else scan_blocks(text)
        for keyword, tf_type, block_name, line, column in scanned:
            blocks.setdefault((keyword, tf_type, block_name), {"file": path, "line": line, "column": column})
    return blocks


def _module_calls(configuration: object) -> dict[tuple[str, ...], str]:
    """Module call path -> its ``source``, from the plan's configuration."""
    calls: dict[tuple[str, ...], str] = {}
    root = configuration.get("root_module") if configuration.__class__ is dict else None
    stack = [((), root)]
    while stack:
        path, module = stack.pop()
        if module.__class__ is not dict:
            continue
        module_calls = module.get("module_calls")
        if module_calls.__class__ is not dict:
            continue
        for call_name, call in module_calls.items():
            if call.__class__ is not dict:
                continue
            child = path + (call_name,)
            if call.get("source").__class__ is str:
                calls[child] = call["source"]
            stack.append((child, call.get("module")))
    return calls
