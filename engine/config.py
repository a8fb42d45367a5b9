"""The project config file: defaults for every option of every command.

A ``costwarden.yaml`` (``kind: Config``, ``schemas/config.schema.json``) or a ``[tool.costwarden]``
table in ``pyproject.toml`` holds one section per command, each option under its long name without
the dashes, each argument under its name::

    apiVersion: costwarden/v1
    kind: Config
    check:
      policies: [builtin, policies]
      plan-scope: changes
      fail-on: high
      format: [sarif, markdown]
      output: [costwarden.sarif, summary.md]
    validate:
      paths: [policies]

:func:`find_config` looks for it from a directory upward: in each directory ``costwarden.yaml``
(or ``.yml``) first, then a ``pyproject.toml`` that has a ``[tool.costwarden]`` table; it stops
after the repository root (the directory holding ``.git``) or at the filesystem root.

:class:`Settings` applies a config to a click command tree, generically: every section must name a
command, every key an option or argument of it, and every value must be what that option takes
(its click type converts it). Values of path options (``click.Path``) are relative to the config
file; names that are not paths (:class:`PathOrName`, e.g. ``builtin``) and ``-`` stay as they
are. :meth:`Settings.defaults` gives a command's ``default_map`` (click uses it where the command
line gives nothing) and :meth:`Settings.source` the ``file:line`` of each value. Every problem is
reported together with file, line and column (E1xx reading, E2xx schema and options).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

import click

from engine.errors import InputError, Problem, did_you_mean, json_pointer
from engine.files import read_bounded
from engine.relative_paths import display_path

CONFIG_FILES = ("costwarden.yaml", "costwarden.yml")
PYPROJECT = "pyproject.toml"
CONFIG_SCHEMA = "config.schema.json"
_MAX_BYTES = 1024 * 1024
_COMMAND_LINE_ONLY = frozenset({"help", "config", "no_config", "version"})  # parameters a config file cannot set


class PathOrName(click.Path):
    """A path, or one of ``names`` that is not a path (``builtin``): a config file leaves those as they are."""

    def __init__(self, names: tuple[str, ...] = (), **options):
        super().__init__(**options)
        self.names = tuple(names)


@dataclass
class ConfigFile:
    """A config file read and checked against its schema: its sections, and where each value is written."""

    path: str
    sections: dict  # command name -> section (option name -> value, or a sub-command's section)
    document: object = field(repr=False)  # engine.documents.yaml_loader.YamlDocument: positions of the values

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def where(self, pointer: str) -> str:
        """``file:line`` of the value at ``pointer``."""
        line, _ = self.document.key_position(pointer)
        return f"{self.path}:{line}" if line else self.path


def find_config(start: str | None = None) -> str | None:
    """The config file for a directory (default: the working directory), searched upward; None when there is none."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return display_path(candidate)
        candidate = os.path.join(directory, PYPROJECT)
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return display_path(candidate)
        parent = os.path.dirname(directory)
        if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
            return None
        directory = parent


def _has_tool_table(path: str) -> bool:
    """Whether a pyproject.toml has a [tool.costwarden] table (or cannot be read as TOML: then it is
    reported when read, rather than passed over)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return False
    if b"costwarden" not in data:
        return False
    try:
        _toml_document(data, path)
    except InputError as error:
        return error.problems[0].code != "E202"
    return True


def read_config(path: str) -> ConfigFile:
    """Read and check a config file (``costwarden.yaml`` or ``pyproject.toml``); raises InputError."""
    data = read_bounded(path, _MAX_BYTES, "config file")
    from engine.documents import schemas  # jsonschema: imported when a config file is read, not at start-up
    from engine.documents.yaml_loader import load_yaml_documents

    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        document = _toml_document(data, path)
        instance = {"apiVersion": "costwarden/v1", "kind": "Config", **document.data}
    else:
        documents = [doc for doc in load_yaml_documents(data, path) if doc.data is not None]
        if len(documents) != 1:
            raise InputError([Problem("E203", f"a config file holds one document (kind: Config), found {len(documents)}", path)])
        document = documents[0]
        instance = document.data
        if not isinstance(instance, dict):
            raise InputError([document.problem("E203", "a config file is a mapping with apiVersion, kind and a section per command", "")])
    problems = schemas.validate(document, instance, CONFIG_SCHEMA, [])
    if problems:
        raise InputError(problems)
    sections = {key: value for key, value in instance.items() if key not in ("apiVersion", "kind")}
    return ConfigFile(path, sections, document)


# --- pyproject.toml ---------------------------------------------------------------------------------

_TOML_ERROR_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_TOML_KEY = re.compile(r'^(\s*)((?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+))*)\s*=')


def _toml_document(data: bytes, path: str):
    """The ``[tool.costwarden]`` table of a pyproject.toml, as a document (a YamlDocument) whose positions are its keys' lines."""
    from engine.documents.yaml_loader import YamlDocument

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        text = data.decode("utf-8")
        parsed = tomllib.loads(text)
    except UnicodeDecodeError as bad:
        raise InputError([Problem("E101", f"invalid UTF-8 at byte {bad.start}", path)]) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        place = _TOML_ERROR_PLACE.search(message)
        line, column = (int(place[1]), int(place[2])) if place else (None, None)
        raise InputError([Problem("E101", f"TOML syntax error: {_TOML_ERROR_PLACE.sub('', message).strip()}", path,
                                  line, column)]) from None
    table = parsed.get("tool", {}).get("costwarden") if isinstance(parsed.get("tool"), dict) else None
    if not isinstance(table, dict):
        raise InputError([Problem("E202", "no [tool.costwarden] table", path)])
    positions, keys = _toml_positions(text)
    return YamlDocument(table, path, 0, positions, keys)


def _toml_key_parts(text: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', text)
    return [next(part for part in groups if part) if any(groups) else "" for groups in parts]


def _toml_positions(text: str) -> tuple[dict, dict]:
    """JSON pointers (within the tool.costwarden table) -> (line, column) of tables and keys: a line
    scanner for headers and ``key =`` lines, enough to place a problem on its line."""
    positions: dict[str, tuple[int, int]] = {}
    keys: dict[str, tuple[int, int]] = {}
    table: list[str] | None = None  # the current table's path inside tool.costwarden, or None outside it
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            parts = _toml_key_parts(header[1])
            if parts[:2] == ["tool", "costwarden"]:
                table = parts[2:]
                pointer = json_pointer(table)
                positions.setdefault(pointer, (number, line.index("[") + 1))
                keys.setdefault(pointer, positions[pointer])
            else:
                table = None
            continue
        if table is None:
            continue
        key = _TOML_KEY.match(line)
        if key:
            pointer = json_pointer(table + _toml_key_parts(key[2]))
            place = (number, len(key[1]) + 1)
            positions.setdefault(pointer, place)
            keys.setdefault(pointer, place)
    return positions, keys


# --- applying a config to the commands --------------------------------------------------------------

def config_name(param: click.Parameter) -> str | None:
    """The name a config file uses for a parameter: an option's long name without the dashes (``fail-on``),
    an argument's name (``paths``); None for what a config file cannot set (``--help``, ``--config``)."""
    if param.name is None or param.name in _COMMAND_LINE_ONLY or not param.expose_value:
        return None
    if isinstance(param, click.Option):
        long_names = [opt for opt in param.opts if opt.startswith("--")]
        return long_names[0][2:] if long_names else param.name.replace("_", "-")
    return param.name.replace("_", "-")


class Settings:
    """A config file applied to a command tree: each command's defaults, checked, and where they come from."""

    def __init__(self, config: ConfigFile | None, root: click.Group):
        self.config = config
        self.root = root
        self._defaults: dict[tuple, dict] = {}
        self._sources: dict[tuple, dict] = {}
        if config is not None:
            problems: list[Problem] = []
            ctx = click.Context(root, info_name="costwarden")
            self._walk(root, config.sections, (), ctx, problems)
            if problems:
                raise InputError(problems)

    def defaults(self, path: tuple[str, ...]) -> dict:
        """``{parameter name: value}`` for the command at ``path`` (``("check",)``): its ``default_map``."""
        return dict(self._defaults.get(path, {}))

    def source(self, path: tuple[str, ...], name: str) -> str | None:
        """``file:line`` of the value a parameter gets from the config file, or None."""
        return self._sources.get(path, {}).get(name)

    def _walk(self, command: click.Command, section: dict, path: tuple, ctx: click.Context, problems: list) -> None:
        if isinstance(command, click.Group):
            for name, inner in section.items():
                pointer = json_pointer(path + (name,))
                sub = command.commands.get(name)
                if sub is None or getattr(sub, "hidden", False):
                    where = f"costwarden {' '.join(path)}".strip()
                    problems.append(self.config.document.problem(
                        "E201", f"unknown command '{name}'" + (f" of {where}" if path else ""), pointer,
                        did_you_mean(name, [n for n, c in command.commands.items() if not c.hidden]), at_key=True))
                    continue
                if not isinstance(inner, dict):
                    problems.append(self.config.document.problem(
                        "E203", f"'{name}' is a command: its section is a mapping of options", pointer))
                    continue
                self._walk(sub, inner, path + (name,), click.Context(sub, parent=ctx, info_name=name), problems)
            return
        params = {config_name(param): param for param in command.params if config_name(param) is not None}
        defaults, sources = {}, {}
        for key, value in section.items():
            pointer = json_pointer(path + (key,))
            param = params.get(key)
            if param is None:
                problems.append(self.config.document.problem(
                    "E201", f"unknown option '{key}' of costwarden {' '.join(path)}", pointer, did_you_mean(key, params),
                    at_key=True))
                continue
            converted = self._convert(param, value, pointer, ctx, problems)
            if converted is not _INVALID:
                defaults[param.name] = converted
                sources[param.name] = self.config.where(pointer)
        self._defaults[path], self._sources[path] = defaults, sources

    def _convert(self, param: click.Parameter, value: object, pointer: str, ctx: click.Context, problems: list):
        """The value as click should get it (a list for a repeatable option; paths rebased), or _INVALID."""
        many = getattr(param, "multiple", False) or param.nargs == -1
        if isinstance(value, list) and not many:
            problems.append(self.config.document.problem("E203", f"'{pointer.rsplit('/', 1)[1]}' takes one value, not a list",
                                                         pointer))
            return _INVALID
        items = value if isinstance(value, list) else [value]
        out = []
        for index, item in enumerate(items):
            where = f"{pointer}/{index}" if isinstance(value, list) else pointer
            if isinstance(param, click.Option) and param.is_flag and not param.count:
                if not isinstance(item, bool):
                    problems.append(self.config.document.problem("E203", f"'{_name(pointer)}' is a flag: true or false", where))
                    return _INVALID
                out.append(item)
                continue
            if isinstance(item, bool) or item is None:
                problems.append(self.config.document.problem(
                    "E203", f"'{_name(pointer)}' takes {param.type.name}, not {'a boolean' if isinstance(item, bool) else 'null'}",
                    where))
                return _INVALID
            if isinstance(param.type, click.Path) and not isinstance(item, str):
                problems.append(self.config.document.problem("E203", f"'{_name(pointer)}' takes a path (a string)", where))
                return _INVALID
            try:
                param.type.convert(item, param, ctx)
            except click.BadParameter as error:
                choices = getattr(param.type, "choices", None)
                hint = did_you_mean(str(item), [str(choice) for choice in choices]) if choices else None
                problems.append(self.config.document.problem("E204" if choices else "E203", f"'{_name(pointer)}': {error.message}",
                                                             where, hint))
                return _INVALID
            out.append(self._rebased(param, item))
        return out if many else out[0]

    def _rebased(self, param: click.Parameter, item: object) -> object:
        """A path option's value relative to the config file, shown relative to the working directory."""
        if not isinstance(param.type, click.Path) or not isinstance(item, str) or item in ("", "-"):
            return item
        if item in getattr(param.type, "names", ()) or os.path.isabs(item):
            return item
        return display_path(os.path.normpath(os.path.join(self.config.directory, item)))


_INVALID = object()


def _name(pointer: str) -> str:
    return pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")


def check_document(document, root: click.Group, problems: list) -> None:
    """A Config document met among other documents (``costwarden validate``): its sections checked against the
    commands of ``root`` as when it is read as the config file, each problem appended to ``problems``."""
    if not isinstance(document.data, dict):
        return
    sections = {key: value for key, value in document.data.items() if key not in ("apiVersion", "kind")}
    try:
        Settings(ConfigFile(document.file, sections, document), root)
    except InputError as error:
        problems.extend(error.problems)


# --- the editor's schema of a config file -------------------------------------------------------------

def editor_schema(root: click.Group) -> dict:
    """``schemas/config.schema.json`` as editors get it (``costwarden schema config``): a section per command
    of ``root`` holding exactly its options, each with the values it takes and its help as description, so
    that an editor flags ``fail-onn`` or ``fail-on: hgh`` as the engine does (the engine checks the same
    against the commands themselves, :class:`Settings`)."""
    from engine.documents.schemas import load_schema

    schema = {key: value for key, value in load_schema(CONFIG_SCHEMA).items()
              if key not in ("propertyNames", "additionalProperties", "$defs")}
    schema["properties"] = {**schema["properties"], **_sections(root)}
    schema["additionalProperties"] = False
    return schema


def _sections(group: click.Group) -> dict:
    sections = {}
    for name, command in group.commands.items():
        if getattr(command, "hidden", False):
            continue
        described = {"description": (command.help or "").strip().split("\n")[0]} if command.help else {}
        if isinstance(command, click.Group):
            sections[name] = {"type": "object", **described, "properties": _sections(command), "additionalProperties": False}
            continue
        options = {config_name(param): _option_schema(param) for param in command.params if config_name(param) is not None}
        sections[name] = {"type": "object", **described, "properties": options, "additionalProperties": False}
    return sections


def _option_schema(param: click.Parameter) -> dict:
    """What a config file may give ``param``: as :meth:`Settings._convert` takes it."""
    kind = param.type
    if isinstance(param, click.Option) and param.is_flag and not param.count:
        item: dict = {"type": "boolean"}
    elif isinstance(kind, click.Choice):
        item = {"enum": [str(choice) for choice in kind.choices]}
    elif isinstance(kind, (click.types.IntParamType, click.IntRange)):
        item = {"type": "integer"}
        for bound, keyword in (("min", "minimum"), ("max", "maximum")):
            if getattr(kind, bound, None) is not None:
                item[keyword] = getattr(kind, bound)
    elif isinstance(kind, (click.types.FloatParamType, click.FloatRange)):
        item = {"type": "number"}
    elif isinstance(kind, click.Path):
        item = {"type": "string"}
    else:  # text the option reads itself (a date, a duration, a label): a number written bare is text too
        item = {"type": ["string", "number"]}
    many = getattr(param, "multiple", False) or param.nargs == -1
    schema = {"anyOf": [item, {"type": "array", "items": item}]} if many else item
    text = getattr(param, "help", None)
    return {**({"description": " ".join(text.split())} if text else {}), **schema}
