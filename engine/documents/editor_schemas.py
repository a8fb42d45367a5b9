"""The JSON Schemas as editors read them: one self-contained file per schema of ``schemas/``.

``costwarden schema NAME`` prints, and ``costwarden schema --write DIR`` writes, each schema of
``schemas/`` converted so that an editor's language server (yaml-language-server, the engine of
VS Code's YAML extension) checks and completes documents with it, offline, from any folder:

1. **Bundled.** Every schema a file refers to (``"$ref": "condition.schema.json"``,
   ``"../cost-period.schema.json#/$defs/period"``) is copied under the file's ``$defs``, named by
   its path with ``/`` written ``.`` (``$defs["policy-types.budget.schema.json"]``), and every
   ``$ref`` becomes a JSON pointer inside the same file (``#/$defs/cost-period.schema.json/$defs/period``).
   The copies lose ``$id`` and ``$schema`` and the file loses its ``$id``: nothing is resolved
   against a URL, nothing is fetched, a recursive schema (a condition's ``"$ref": "#"``) refers
   within the file, and one file can be copied anywhere on its own.
2. **Parameters.** A policy's ``spec`` and ``resource`` may hold ``{param: NAME}`` wherever a value
   goes; the engine replaces them before it checks ``spec`` against the policy type's schema. So
   the schemas a policy refers to (its policy type's, the condition's ...) accept, at every value,
   a parameter reference instead, written
   ``{"if": {"type": "object", "required": ["param"]}, "then": PARAM, "else": <the schema>}``:
   a value that is not a parameter gets exactly the errors of its own schema (an unknown key, a
   wrong type), and the schema's description and default are copied beside it for hover and
   completion. The policy's own fields (``id``, ``severity`` ...) take no parameters.
3. **Any document.** ``document.schema.json`` checks each document with the schema of its
   ``kind`` (one ``if``/``then`` per kind of :data:`~engine.documents.schemas.KIND_SCHEMAS`), so a
   folder mixing policies, their tests and an ownership document can be mapped to one schema.

The schemas stay Draft 2020-12 and use only keywords yaml-language-server implements
(``tests/test_editor_schemas.py`` runs the real server over a valid and a broken document of
every kind). ``schemas/`` stays the one source: the engine validates with those files, and this
module only derives the editor's form from them.
"""

from __future__ import annotations

import copy
import json
import posixpath

from engine.documents.schemas import KIND_SCHEMAS, load_schema, schema_names

# Keywords whose value is a schema, a list of schemas, or a map of name -> schema (Draft 2020-12).
_ONE_SCHEMA = ("additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
               "unevaluatedProperties", "unevaluatedItems")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
# Of those, the ones whose schemas describe a value inside the instance (a property's value, an
# item), where a parameter may stand; the others apply to the instance itself or to a name.
_VALUE_KEYWORDS = ("properties", "patternProperties", "additionalProperties", "items", "prefixItems", "contains",
                   "unevaluatedProperties", "unevaluatedItems")
# Annotations shown by hover and completion: copied beside a parameterised value's schema.
_ANNOTATIONS = ("title", "description", "markdownDescription", "default", "examples", "deprecated")

POLICY = "policy.schema.json"
POLICY_TYPES = "policy-types/"
DOCUMENT = "document.schema.json"
PARAM = "param"  # policy.schema.json#/$defs/param: the shape of {param: NAME}


def editor_schema(name: str, replaced: dict | None = None) -> dict:
    """The schema ``name`` (``policy.schema.json``) as one self-contained file for editors. ``replaced``: schemas
    editors get in another form than ``schemas/`` holds, by name (the config file's, written from the commands)."""
    return _Bundle(name, replaced or {}).schema


def editor_schema_text(name: str, replaced: dict | None = None) -> str:
    return json.dumps(editor_schema(name, replaced), indent=2, ensure_ascii=False) + "\n"


def editor_schema_texts(replaced: dict | None = None) -> dict[str, str]:
    """Every schema's editor form, by name (all of them made before any is written)."""
    return {name: editor_schema_text(name, replaced) for name in schema_names()}


def _takes_parameters(name: str) -> bool:
    return name.startswith(POLICY_TYPES)


class _Bundle:
    """One schema file with everything it refers to under its ``$defs``."""

    def __init__(self, name: str, replaced: dict):
        self.name = name
        self.replaced = replaced
        self.embedded: dict[str, object] = {}
        self.parameterised: dict[str, bool] = {}
        source = self._load(name)
        schema = self._file(name, _takes_parameters(name))
        if name == DOCUMENT:
            schema["allOf"] = [
                {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": {"$ref": self._reference(target, name, False)}}
                for kind, target in KIND_SCHEMAS.items()
            ]
        defs = schema.pop("$defs", {})
        for key, value in self.embedded.items():
            if key in defs and defs[key] != value:
                raise ValueError(f"{name}: $defs/{key} is both the file's own and an embedded schema")
            defs[key] = value
        self.schema = {"$schema": source["$schema"], **schema, **({"$defs": defs} if defs else {})}

    def _load(self, path: str) -> dict:
        return self.replaced[path] if path in self.replaced else load_schema(path)

    def _file(self, path: str, parameters: bool) -> dict:
        """The schema file ``path`` converted, without ``$schema`` and ``$id``."""
        schema = self._convert(copy.deepcopy(self._load(path)), path, parameters)
        for keyword in ("$schema", "$id"):
            schema.pop(keyword, None)
        if parameters and _takes_parameters(path):  # spec: {param: NAME} as a whole
            own = schema.pop("$defs", None)
            schema = self._accept_parameter(schema)
            if own is not None:
                schema["$defs"] = own  # where its references point, at the root of the file
        return schema

    def _convert(self, node, path: str, parameters: bool):
        """``node``, a schema in file ``path``, with its references made local to the bundle."""
        if not isinstance(node, dict):
            return node
        result = {}
        for key, value in node.items():
            if key == "$ref":
                result[key] = self._reference(value, path, parameters)
            elif key in _ONE_SCHEMA:
                result[key] = self._child(value, path, parameters, key in _VALUE_KEYWORDS)
            elif key in _SCHEMA_LISTS:
                result[key] = [self._child(item, path, parameters, key in _VALUE_KEYWORDS) for item in value]
            elif key in _SCHEMA_MAPS:
                result[key] = {k: self._child(item, path, parameters, key in _VALUE_KEYWORDS) for k, item in value.items()}
            else:
                result[key] = value
        return result

    def _child(self, node, path: str, parameters: bool, value: bool):
        converted = self._convert(node, path, parameters)
        return self._accept_parameter(converted) if parameters and value else converted

    def _accept_parameter(self, schema):
        """``schema``, or a parameter reference ``{param: NAME}`` in its place."""
        if isinstance(schema, bool):  # true: anything goes already; false: nothing may be there
            return schema
        if PARAM in schema.get("properties", {}):
            raise ValueError(f"{self.name}: a schema with a property '{PARAM}' cannot tell a parameter from a value")
        wrapped = {key: schema[key] for key in _ANNOTATIONS if key in schema}
        wrapped.update({"if": {"type": "object", "required": [PARAM]}, "then": {"$ref": self._parameter()}, "else": schema})
        return wrapped

    def _parameter(self) -> str:
        if self.name != POLICY:  # policy.schema.json has it among its own $defs
            self.embedded.setdefault(PARAM, copy.deepcopy(load_schema(POLICY)["$defs"][PARAM]))
        return f"#/$defs/{PARAM}"

    def _reference(self, reference: str, path: str, parameters: bool) -> str:
        """``reference`` (made in file ``path``) as a pointer into the bundle, embedding its file."""
        target, _, pointer = reference.partition("#")
        if pointer and not pointer.startswith("/"):
            raise ValueError(f"{path}: $ref {reference!r}: only JSON pointers are supported in schemas/")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), target)) if target else path
        if target != path:  # what a policy refers to is checked after its parameters are replaced
            parameters = parameters or path == POLICY
        if target == self.name:
            if parameters != _takes_parameters(target):
                raise ValueError(f"{path}: $ref {reference!r} to the bundle's root would change whether it takes parameters")
            return "#" + pointer
        key = target.replace("/", ".")
        if key not in self.embedded:
            self.parameterised[key] = parameters
            self.embedded[key] = {}  # reserved first: a schema may refer back to itself
            self.embedded[key] = self._file(target, parameters)
        elif self.parameterised[key] != parameters:
            raise ValueError(f"{self.name}: {target} is referred to both inside and outside a policy")
        return f"#/$defs/{key}{pointer}"
