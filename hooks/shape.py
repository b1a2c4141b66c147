"""The shape of a bank file: `schema/question-bank.schema.json`, with readable messages.

A schema is the one statement of a file's shape; editors use it to check as you
type. A valid file (the usual case) is checked by a small interpreter of the
keywords the schema uses, compiled once per schema: jsonschema takes longer than the
rest of a build on a large bank. A file with a mistake goes to jsonschema, and each
of its findings becomes `file:line: problem; fix`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model import KIND
from problems import BankError, Origin, Problem
from yaml_reader import Source

SCHEMAS = Path(__file__).resolve().parent.parent / "schema"
BANK_SCHEMA = SCHEMAS / "question-bank.schema.json"


class Shape:
    """The shape a schema file gives, read from its bytes: `check` compares a file with it."""

    def __init__(self, raw: bytes, shown: str) -> None:
        try:
            self.schema: dict[str, Any] = json.loads(raw)
        except ValueError as e:
            raise BankError(Problem(Origin(shown), f"is not valid JSON ({e})", "mend the schema file")) from None
        try:
            self._fast = _compile(self.schema, self.schema.get("$defs", {}))
        except NotImplementedError:
            # The schema uses a keyword the interpreter does not know: jsonschema decides alone.
            self._fast = lambda data: False

    def check(self, source: Source) -> None:
        """Raise BankError listing every shape mistake in the file, each with its line."""
        if self._fast(source.data):
            return
        _report(source, self.schema)


# -----------------------------------------------------------------------------
# Helpers: the fast check
# -----------------------------------------------------------------------------

Check = Callable[[Any], bool]
_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,)}
# Keywords that only describe; they never reject anything.
_NOTES = {"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"}


def _compile(node: dict[str, Any], defs: dict[str, Any]) -> Check:
    node = dict(node)
    ref = node.pop("$ref", None)
    checks: list[Check] = [_compile(defs[ref.removeprefix("#/$defs/")], defs)] if ref else []
    unknown = set(node) - _NOTES - {"type", "properties", "required", "additionalProperties", "items", "pattern",
                                    "propertyNames"}  # fmt: skip
    if unknown or (ref and not ref.startswith("#/$defs/")):
        raise NotImplementedError(unknown or ref)
    if node.get("type") == "string" and "pattern" in node:  # most fields: one call, not two
        search = re.compile(node.pop("pattern")).search
        node.pop("type")
        checks.append(lambda value: type(value) is str and search(value) is not None)
    if "type" in node:
        if node["type"] not in _TYPES:
            raise NotImplementedError(node["type"])
        types = _TYPES[node["type"]]
        checks.append(lambda value: type(value) in types)
    if "pattern" in node:
        search = re.compile(node["pattern"]).search
        checks.append(lambda value: type(value) is not str or search(value) is not None)
    if "items" in node:
        item = _compile(node["items"], defs)
        checks.append(lambda value: type(value) is not list or all(map(item, value)))
    if {"properties", "required", "additionalProperties", "propertyNames"} & node.keys():
        checks.append(_object_check(node, defs))
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(c(value) for c in checks)


def _object_check(node: dict[str, Any], defs: dict[str, Any]) -> Check:
    properties = {key: _compile(sub, defs) for key, sub in node.get("properties", {}).items()}
    required = frozenset(node.get("required", ()))
    extra = node.get("additionalProperties", True)
    extra_check = None if extra is False else (_compile(extra, defs) if isinstance(extra, dict) else lambda v: True)
    names = _compile(node["propertyNames"], defs) if "propertyNames" in node else None

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        if not required <= value.keys():
            return False
        for key, item in value.items():
            if names is not None and not names(key):
                return False
            sub = properties.get(key, extra_check)
            if sub is None or not sub(item):
                return False
        return True

    return check


# -----------------------------------------------------------------------------
# Helpers: jsonschema's findings as file:line messages
# -----------------------------------------------------------------------------


def _report(source: Source, schema: dict[str, Any]) -> None:
    import jsonschema  # only a file with a mistake needs it

    data = source.data
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(data))
    found = []
    for error in errors:
        if error.validator == "required" and _explained_by_typo(error, errors):
            continue
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the misspelt key itself, not the start of its entry.
            path += _unknown_keys(error)[:1]
        found.append((source.line(tuple(path)), *_explain(error, data)))
    if not found:  # the fast check and jsonschema disagree: say so rather than pass the file
        found.append((1, "the file does not match its schema", f"check it against {schema.get('$id', 'the schema')}"))
    raise BankError(Problem(Origin(source.shown, line), what, fix) for line, what, fix in sorted(found))


def _unknown_keys(error) -> list[str]:
    return [k for k in error.instance if k not in error.schema.get("properties", {})]


def _explained_by_typo(missing, errors) -> bool:
    """A missing 'text' next to an unknown 'txt' is one mistake: report only the typo."""
    key = missing.message.split("'")[1]
    return any(
        other.validator == "additionalProperties"
        and other.absolute_path == missing.absolute_path
        and difflib.get_close_matches(key, _unknown_keys(other), n=1)
        for other in errors
    )


def _explain(error, data: Any) -> tuple[str, str]:
    """What is wrong, and how to fix it."""
    path = list(error.absolute_path)
    what = _describe(path, data)
    field = path[-1] if path and isinstance(path[-1], str) else None
    where = f"'{field}' of {what}" if field else what
    rule = error.validator
    if rule == "required":
        missing = error.message.split("'")[1]
        return f"{what} has no '{missing}'", f"add '{missing}:' to it"
    if rule == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        hints = []
        for key in _unknown_keys(error):
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return f"{what} has unknown key {', '.join(hints)}", f"allowed keys: {', '.join(allowed)}"
    if rule == "type":
        expected = {"string": "text", "array": "a list", "object": "a mapping of keys"}.get(
            error.validator_value, error.validator_value
        )
        got = _KINDS_OF_VALUE.get(type(error.instance), type(error.instance).__name__)
        if error.instance is None:
            got = "nothing"
        return f"{where} must be {expected}, not {got}", f"write it as {expected}"
    if rule == "pattern" and error.validator_value == "\\S":
        return f"{where} is empty", "write the text, or remove the key if it is optional"
    if rule == "pattern" and "a-z0-9" in error.validator_value:
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in str(error.instance).lower()).split())
        what = f"{what.split(' ')[0]} id" if field == "id" else where
        return (
            f"{what} '{error.instance}' is not lowercase kebab-case",
            f"use letters, digits and single hyphens, for example '{suggestion or 'my-id'}'",
        )
    if rule == "pattern":
        return f"{where} must be a web address starting with http:// or https://", "write the whole address"
    return f"{what}: {error.message}", "see the schema's description of this field"


def _describe(path: list[str | int], data: Any) -> str:
    """'question 'shared-values'' for a path inside an entry, else the key path."""
    if len(path) >= 2 and path[0] in KIND and isinstance(path[1], int):
        entry = data[path[0]][path[1]]
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        noun = KIND[path[0]].noun
        return f"{noun} '{entry_id}'" if isinstance(entry_id, str) else f"{noun} {path[1] + 1}"
    if path:
        return f"'{'.'.join(map(str, path))}'"
    return "the file"


_KINDS_OF_VALUE = {str: "text", list: "a list", dict: "a mapping", int: "a number", float: "a number",
                   bool: "true/false"}  # fmt: skip
