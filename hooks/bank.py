"""Load, validate and merge question banks into the typed model the other hooks read.

The path of the data: `questions.yml` (and any organisation banks listed under
`extra.question_banks`) -> `load_banks()` -> `Bank` -> pages, shortcodes, exports.

Shape rules live in one place, `schema/question-bank.schema.json`, which editors
also use; this module applies that schema, turns its findings into `file:line`
messages, and adds what a schema cannot say: unique ids, references that must
exist, and how a later bank changes an earlier one.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "question-bank.schema.json"


class BankError(Exception):
    """A mistake in a bank file; the message names file, line and fix."""


# -----------------------------------------------------------------------------
# Model
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where an entry was written, for error messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class _Titled:
    id: str
    title: str
    summary: str
    origin: Origin
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Stage(_Titled):
    """A stage of a partnership: one checklist page."""


@dataclass(frozen=True)
class Principle(_Titled):
    """A principle: a heading on every checklist, a row of the overview grid."""


@dataclass(frozen=True)
class Question:
    id: str
    stage: str
    principle: str
    text: str
    origin: Origin
    hint: str | None = None
    organisation: Organisation | None = None
    # Set when an organisation bank rewords an upstream question.
    adapted_by: Organisation | None = None
    original_text: str | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    origin: Origin
    bio: str | None = None
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Quote:
    id: str
    person: str
    text: str
    principles: tuple[str, ...]
    stages: tuple[str, ...]
    origin: Origin
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Reference:
    id: str
    text: str
    origin: Origin
    url: str | None = None


@dataclass(frozen=True)
class Bank:
    """The merged, validated bank. Tuples keep file order, which is page order."""

    stages: tuple[Stage, ...]
    principles: tuple[Principle, ...]
    questions: tuple[Question, ...]
    people: tuple[Person, ...]
    quotes: tuple[Quote, ...]
    references: tuple[Reference, ...]
    files: tuple[str, ...] = ()
    # (kind, id) of upstream entries an organisation bank left out with `hide:`.
    hidden: frozenset[tuple[str, str]] = frozenset()
    _index: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for kind in ("stages", "principles", "questions", "people", "quotes", "references"):
            for entry in getattr(self, kind):
                self._index[kind, entry.id] = entry

    def get(self, kind: str, id: str) -> Any:
        """The entry of `kind` ('stages', 'quotes', ...) with `id`, or None."""
        return self._index.get((kind, id))

    def is_hidden(self, kind: str, id: str) -> bool:
        return (kind, id) in self.hidden

    def questions_for(self, stage: str | None = None, principle: str | None = None) -> list[Question]:
        return [
            q
            for q in self.questions
            if (stage is None or q.stage == stage) and (principle is None or q.principle == principle)
        ]

    def quotes_for(
        self, stage: str | None = None, principle: str | None = None, person: str | None = None
    ) -> list[Quote]:
        return [
            q
            for q in self.quotes
            if (stage is None or stage in q.stages)
            and (principle is None or principle in q.principles)
            and (person is None or q.person == person)
        ]

    def grid(self) -> list[tuple[Principle, list[tuple[Stage, list[Question]]]]]:
        """Principle rows by stage columns, each cell its questions in bank order."""
        cells: dict[tuple[str, str], list[Question]] = {}
        for q in self.questions:
            cells.setdefault((q.principle, q.stage), []).append(q)
        return [(p, [(s, cells.get((p.id, s.id), [])) for s in self.stages]) for p in self.principles]

    @functools.cached_property
    def numbers(self) -> dict[str, int]:
        """Each question's number within its stage, as printed: 1, 2, 3 ... in page order."""
        numbers: dict[str, int] = {}
        for stage in self.stages:
            for n, q in enumerate(self.ordered_questions(stage.id), 1):
                numbers[q.id] = n
        return numbers

    def ordered_questions(self, stage: str) -> list[Question]:
        """A stage's questions grouped by principle (principle order, then bank order)."""
        return [q for p in self.principles for q in self.questions_for(stage, p.id)]


# -----------------------------------------------------------------------------
# Loading
# -----------------------------------------------------------------------------


def load_banks(paths: Sequence[Path], root: Path) -> Bank:
    """Load and merge bank files in order; raise BankError naming every mistake found."""
    shown_paths = [_shown(path, root) for path in paths]
    for n, shown in enumerate(shown_paths):
        if shown in shown_paths[:n]:
            raise BankError(f"mkdocs.yml: extra.question_banks lists '{shown}' twice; list each bank file once")
    merger = _Merger()
    for n, path in enumerate(paths):
        shown = _shown(path, root)
        data, lines = _read(path, shown)
        _check_schema(data, lines, shown)
        merger.add(data, lines, shown, first=n == 0)
    return merger.bank()


def load_bank(path: Path, root: Path | None = None) -> Bank:
    return load_banks([path], root or path.parent)


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# -----------------------------------------------------------------------------
# Helpers: reading YAML with line numbers
# -----------------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Path_ = tuple[str | int, ...]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path, shown: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one file into plain data plus a map from each data path to its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(
            f"{shown}: bank file not found; create it or fix the path under extra.question_banks in mkdocs.yml"
        ) from None
    except UnicodeDecodeError as e:
        raise BankError(f"{shown}: not UTF-8 text ({e.reason}); save the file as UTF-8") from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        # An unclosed quote or bracket is found only at the end of the file:
        # point at where it was opened instead.
        unclosed = (
            e.context_mark is not None
            and e.problem_mark is not None
            and e.problem_mark.line > e.context_mark.line
            and (e.context or "").startswith(("while scanning a quoted", "while parsing a flow"))
        )
        mark = e.context_mark if unclosed else (e.problem_mark or e.context_mark)
        line = mark.line + 1 if mark else 1
        problem = f"{e.context}, never closed" if unclosed else (e.problem or e.context or "invalid YAML")
        fix = (
            "close it with the matching quote mark or bracket"
            if unclosed
            else "check the indentation and quoting on this line (text containing ': ' or starting with a quote "
            "mark needs quotes around it)"
        )
        raise BankError(f"{shown}:{line}: YAML syntax error: {problem}; {fix}") from None
    except yaml.YAMLError as e:
        raise BankError(f"{shown}:1: YAML syntax error: {e}") from None
    if root is None:
        raise BankError(f"{shown}:1: the file is empty; a bank needs at least 'stages:', 'principles:' or 'questions:'")
    lines: dict[Path_, int] = {}
    _walk(root, (), lines, shown)
    constructor = _Loader("")
    try:
        data = constructor.construct_document(root)
    finally:
        constructor.dispose()
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], shown: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value
            line = key.start_mark.line + 1
            if name in seen:
                raise BankError(
                    f"{shown}:{line}: key '{name}' appears twice in one entry (first at line {seen[name]}); "
                    "delete one of them"
                )
            seen[name] = line
            _walk(value, (*path, name), lines, shown)
            lines[(*path, name)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, shown)


def _line(lines: dict[Path_, int], path: Iterable[str | int]) -> int:
    path = tuple(path)
    while path not in lines:
        path = path[:-1]
    return lines[path]


# -----------------------------------------------------------------------------
# Helpers: shape (JSON Schema) with readable messages
# -----------------------------------------------------------------------------

_KIND = {
    "stages": "stage",
    "principles": "principle",
    "questions": "question",
    "people": "person",
    "quotes": "quote",
    "references": "reference",
}


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    # With each "#/$defs/..." reference written out in place, jsonschema need not resolve
    # one per field of every entry: half the validation time on a large bank.
    inlined = _inline_refs(schema(), schema()["$defs"])
    return jsonschema.validators.validator_for(schema())(inlined)


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline_refs(defs[ref.removeprefix("#/$defs/")], defs), **_inline_refs(rest, defs)}
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def _check_schema(data: Any, lines: dict[Path_, int], shown: str) -> None:
    errors = list(_validator().iter_errors(data))
    found = []
    for error in errors:
        if error.validator == "required" and _explained_by_typo(error, errors):
            continue
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the misspelt key itself, not the start of its entry.
            unknown = [k for k in error.instance if k not in error.schema.get("properties", {})]
            path += unknown[:1]
        found.append((_line(lines, path), _explain(error, data)))
    if found:
        raise BankError("\n".join(f"{shown}:{line}: {message}" for line, message in sorted(found)))


def _explained_by_typo(missing: jsonschema.ValidationError, errors: list[jsonschema.ValidationError]) -> bool:
    """A missing 'text' next to an unknown 'txt' is one mistake: report only the typo."""
    key = missing.message.split("'")[1]
    for other in errors:
        if other.validator == "additionalProperties" and other.absolute_path == missing.absolute_path:
            unknown = [k for k in other.instance if k not in other.schema.get("properties", {})]
            if difflib.get_close_matches(key, unknown, n=1):
                return True
    return False


def _explain(error: jsonschema.ValidationError, data: Any) -> str:
    path = list(error.absolute_path)
    what = _describe(path, data)
    field = path[-1] if path and isinstance(path[-1], str) else None
    rule = error.validator
    if rule == "required":
        missing = error.message.split("'")[1]
        return f"{what} has no '{missing}'; add '{missing}:' to it"
    if rule == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return f"{what} has unknown key {', '.join(hints)}; allowed keys: {', '.join(allowed)}"
    if rule == "type":
        expected = {"string": "text", "array": "a list", "object": "a mapping of keys"}.get(
            error.validator_value, error.validator_value
        )
        actual = {
            str: "text",
            list: "a list",
            dict: "a mapping",
            int: "a number",
            float: "a number",
            bool: "true/false",
        }
        got = "nothing" if error.instance is None else actual.get(type(error.instance), type(error.instance).__name__)
        where = f"'{field}' of {what}" if field else what
        return f"{where} must be {expected}, not {got}; write it as {expected}"
    if rule == "pattern" and error.validator_value == "\\S":
        where = f"'{field}' of {what}" if field else what
        return f"{where} is empty; write the text, or remove the key if it is optional"
    if rule == "pattern" and "a-z0-9" in error.validator_value:
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in str(error.instance).lower()).split())
        what = f"{what.split(' ')[0]} id" if field == "id" else f"'{field}' of {what}"
        return (
            f"{what} '{error.instance}' is not lowercase kebab-case; use letters, digits and single hyphens, "
            f"for example '{suggestion or 'my-id'}'"
        )
    if rule == "pattern":
        return f"'{field}' of {what} must be a web address starting with http:// or https://"
    return f"{what}: {error.message}"


def _describe(path: list[str | int], data: Any) -> str:
    """'question 'shared-values'' for an entry path, else the key path."""
    if len(path) >= 2 and path[0] in _KIND and isinstance(path[1], int):
        entry = data[path[0]][path[1]]
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        kind = _KIND[path[0]]
        return f"{kind} '{entry_id}'" if isinstance(entry_id, str) else f"{kind} {path[1] + 1}"
    if path:
        return f"'{'.'.join(map(str, path))}'"
    return "the file"


# -----------------------------------------------------------------------------
# Helpers: merging banks
# -----------------------------------------------------------------------------


class _Merger:
    """Applies bank files in order: adds entries, then the file's hide and reword."""

    def __init__(self) -> None:
        self.entries: dict[str, list[Any]] = {kind: [] for kind in _KIND}
        self.errors: list[str] = []
        self.files: list[str] = []
        self.hidden: set[tuple[str, str]] = set()

    def add(self, data: dict[str, Any], lines: dict[Path_, int], shown: str, first: bool) -> None:
        self.files.append(shown)
        errors = self.errors
        org = None
        if "organisation" in data:
            org = Organisation(data["organisation"]["name"], data["organisation"].get("url"))
        elif not first:
            errors.append(
                f"{shown}:1: an organisation bank needs 'organisation: {{name: ..., url: ...}}' at the top, "
                "so its questions can show who added them"
            )
        if first and not (data.get("stages") and data.get("principles")):
            errors.append(f"{shown}:1: the first bank must define at least one stage and one principle")

        def origin(kind: str, i: int) -> Origin:
            return Origin(shown, _line(lines, (kind, i)))

        known: dict[str, dict[str, Any]] = {kind: {e.id: e for e in self.entries[kind]} for kind in _KIND}
        position: dict[tuple[str, str], int] = {}
        for kind in _KIND:
            for i, raw in enumerate(data.get(kind) or []):
                entry = _build(kind, raw, origin(kind, i), org)
                position.setdefault((kind, entry.id), i)
                if entry.id in known[kind]:
                    first_at = known[kind][entry.id].origin
                    fix = " (to change an upstream question, use 'reword:')" if kind == "questions" and org else ""
                    errors.append(
                        f"{entry.origin}: {_KIND[kind]} id '{entry.id}' is already used at {first_at}; "
                        f"choose another id{fix}"
                    )
                    continue
                known[kind][entry.id] = entry
                if kind == "stages" and raw.get("after"):
                    self._place_stage(entry, raw["after"], _line(lines, ("stages", i, "after")), shown)
                else:
                    self.entries[kind].append(entry)

        def field_line(kind: str, entry_id: str, field_name: str) -> int:
            return _line(lines, (kind, position[kind, entry_id], field_name))

        self._check_references(known, shown, field_line)
        self._hide(data.get("hide") or [], lines, shown)
        self._reword(data.get("reword") or {}, lines, shown, org)

    def _place_stage(self, stage: Stage, after: str, line: int, shown: str) -> None:
        ids = [s.id for s in self.entries["stages"]]
        if after not in ids:
            self.errors.append(
                f"{shown}:{line}: stage '{stage.id}' is placed after '{after}', which is not a stage; "
                f"known stages: {', '.join(ids)}"
            )
            self.entries["stages"].append(stage)
            return
        self.entries["stages"].insert(ids.index(after) + 1, stage)

    def _check_references(
        self, known: dict[str, dict[str, Any]], shown: str, field_line: Callable[[str, str, str], int]
    ) -> None:
        def check(entry: Any, kind: str, value: str, field_name: str, key: str) -> None:
            if value not in known[kind]:
                own_kind = _kind_of(entry)
                close = difflib.get_close_matches(value, list(known[kind]), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.errors.append(
                    f"{shown}:{field_line(own_kind, entry.id, key)}: {_KIND[own_kind]} '{entry.id}' names "
                    f"{field_name} '{value}'{hint}; known {kind}: {', '.join(known[kind]) or 'none'}"
                )

        for q in self.entries["questions"]:
            if q.origin.path == shown:
                check(q, "stages", q.stage, "stage", "stage")
                check(q, "principles", q.principle, "principle", "principle")
        for quote in self.entries["quotes"]:
            if quote.origin.path == shown:
                check(quote, "people", quote.person, "person", "person")
                for p in quote.principles:
                    check(quote, "principles", p, "principle", "principles")
                for s in quote.stages:
                    check(quote, "stages", s, "stage", "stages")

    def _hide(self, ids: list[str], lines: dict[Path_, int], shown: str) -> None:
        hideable = ("questions", "quotes", "stages")
        for i, hidden in enumerate(ids):
            upstream = [k for k in hideable if any(e.id == hidden and e.origin.path != shown for e in self.entries[k])]
            if not upstream:
                self.errors.append(
                    f"{shown}:{_line(lines, ('hide', i))}: hide names '{hidden}', which is not a question, quote "
                    "or stage of an earlier bank; check the id on the page's #q-<id> link or in questions.yml"
                )
                continue
            for kind in upstream:
                self.entries[kind] = [e for e in self.entries[kind] if e.id != hidden]
                self.hidden.add((kind, hidden))
            if "stages" in upstream:
                gone = [q for q in self.entries["questions"] if q.stage == hidden]
                self.hidden.update(("questions", q.id) for q in gone)
                self.entries["questions"] = [q for q in self.entries["questions"] if q.stage != hidden]

    def _reword(self, changes: dict[str, str], lines: dict[Path_, int], shown: str, org: Organisation | None) -> None:
        questions = self.entries["questions"]
        for qid, text in changes.items():
            match = [n for n, q in enumerate(questions) if q.id == qid and q.origin.path != shown]
            if not match:
                self.errors.append(
                    f"{shown}:{_line(lines, ('reword', qid))}: reword names '{qid}', which is not a question of an "
                    "earlier bank (or is hidden); check the id"
                )
                continue
            q = questions[match[0]]
            questions[match[0]] = replace(q, text=text.strip(), adapted_by=org, original_text=q.original_text or q.text)

    def bank(self) -> Bank:
        if self.errors:
            raise BankError("\n".join(self.errors))
        stages = {s.id for s in self.entries["stages"]}
        quotes = [replace(q, stages=tuple(s for s in q.stages if s in stages)) for q in self.entries["quotes"]]
        return Bank(
            stages=tuple(self.entries["stages"]),
            principles=tuple(self.entries["principles"]),
            questions=tuple(self.entries["questions"]),
            people=tuple(self.entries["people"]),
            quotes=tuple(quotes),
            references=tuple(self.entries["references"]),
            files=tuple(self.files),
            hidden=frozenset(self.hidden),
        )


def _build(kind: str, raw: dict[str, Any], origin: Origin, org: Organisation | None) -> Any:
    text = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items() if k != "after"}
    if kind == "stages":
        return Stage(origin=origin, organisation=org, **text)
    if kind == "principles":
        return Principle(origin=origin, organisation=org, **text)
    if kind == "questions":
        return Question(origin=origin, organisation=org, **text)
    if kind == "people":
        return Person(origin=origin, organisation=org, **text)
    if kind == "quotes":
        text["principles"] = tuple(text["principles"])
        text["stages"] = tuple(text["stages"])
        return Quote(origin=origin, organisation=org, **text)
    return Reference(origin=origin, **text)


def _kind_of(entry: Any) -> str:
    return {
        Stage: "stages",
        Principle: "principles",
        Question: "questions",
        Person: "people",
        Quote: "quotes",
        Reference: "references",
    }[type(entry)]
