"""Merging bank files into one `Bank`: the first bank, then each organisation bank in
the order mkdocs.yml lists them. Each file adds entries, then hides and rewords
entries of earlier files.

No change is silent. An id used twice, an entry hidden or reworded by two banks, an
entry added to (or placed after, or tagged with) something another bank hides: each
stops the build with both files and lines. Every mistake in a file is reported at once.
"""

from __future__ import annotations

import difflib
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import Any

from model import KIND, KIND_OF, KINDS, Bank, Entry, Kind, Organisation, Stage
from problems import BankError, Origin, Problem
from text import Inline
from yaml_reader import Source


class Merger:
    def __init__(self, inline: Inline) -> None:
        self.inline = inline
        self.entries: dict[str, list[Entry]] = {kind.section: [] for kind in KINDS}
        self.hidden: dict[tuple[str, str], Entry] = {}
        self.hidden_at: dict[tuple[str, str], Origin] = {}
        self.named: set[tuple[str, str]] = set()  # hidden by name, not with what they belong to
        self.reworded_at: dict[str, Origin] = {}
        self.files: list[str] = []
        self.errors: list[Problem] = []

    def add(self, source: Source) -> None:
        """Apply one bank file: its entries, then its `hide:` and `reword:`."""
        first = not self.files
        self.files.append(source.shown)
        data = source.data
        org = self._organisation(source, first)
        known = {kind.section: {e.id: e for e in self.entries[kind.section]} for kind in KINDS}
        added: list[tuple[Kind, Entry, int]] = []
        for kind in KINDS:
            for i, raw in enumerate(data.get(kind.section) or ()):
                entry = self._build(kind, raw, source.origin((kind.section, i)), org)
                if self._clashes(kind, entry, known, org):
                    continue
                known[kind.section][entry.id] = entry
                added.append((kind, entry, i))
                if isinstance(entry, Stage) and raw.get("after"):
                    self._place_stage(entry, raw["after"], source.origin(("stages", i, "after")), known)
                else:
                    self.entries[kind.section].append(entry)
        for kind, entry, i in added:
            self._check_refs(kind, entry, i, known, source)
        for i, entry_id in enumerate(data.get("hide") or ()):
            self._hide(entry_id, source.origin(("hide", i)), known)
        for question_id, text in (data.get("reword") or {}).items():
            self._reword(question_id, text, source.origin(("reword", question_id)), org)

    def bank(self, language: str = "en") -> Bank:
        for kind in (KIND["stages"], KIND["principles"]):
            hides = [at for (section, _), at in self.hidden_at.items() if section == kind.section]
            if hides and not self.entries[kind.section]:
                self._problem(
                    hides[-1],
                    f"this hides the last {kind.noun} left, and a handbook needs at least one",
                    f"keep one {kind.noun} (hidden at {', '.join(map(str, hides))})",
                )
        if self.errors:
            raise BankError(self.errors)
        return Bank(
            **{kind.section: tuple(self.entries[kind.section]) for kind in KINDS},
            files=tuple(self.files),
            hidden=dict(self.hidden),
            language=language,
        )

    def _problem(self, origin: Origin, what: str, fix: str) -> None:
        self.errors.append(Problem(origin, what, fix))

    # Adding -------------------------------------------------------------------

    def _organisation(self, source: Source, first: bool) -> Organisation | None:
        data = source.data
        if first and not (data.get("stages") and data.get("principles")):
            self._problem(
                Origin(source.shown, 1),
                "the first bank must define at least one stage and one principle",
                "add 'stages:' and 'principles:' with one entry each",
            )
        if "organisation" in data:
            return Organisation(data["organisation"]["name"].strip(), data["organisation"].get("url"))
        if not first:
            self._problem(
                Origin(source.shown, 1),
                "an organisation bank needs 'organisation: {name: ..., url: ...}' at the top",
                "add it, so that its questions can show who added them",
            )
        return None

    def _clashes(self, kind: Kind, entry: Entry, known: dict[str, dict[str, Entry]], org: Organisation | None) -> bool:
        earlier = known[kind.section].get(entry.id)
        if earlier is not None:
            fix = " (to change an upstream question, use 'reword:')" if kind.section == "questions" and org else ""
            self._problem(
                entry.origin,
                f"{kind.noun} id '{entry.id}' is already used at {earlier.origin}",
                f"choose another id{fix}",
            )
            return True
        if (kind.section, entry.id) in self.hidden:
            self._problem(
                entry.origin,
                f"{kind.noun} id '{entry.id}' belongs to an entry hidden at {self.hidden_at[kind.section, entry.id]}",
                "choose another id, so that answers saved for the hidden entry are not taken for this one",
            )
            return True
        return False

    def _place_stage(self, stage: Stage, after: str, where: Origin, known: dict[str, dict[str, Entry]]) -> None:
        stages = self.entries["stages"]
        ids = [s.id for s in stages]
        if after in ids:
            stages.insert(ids.index(after) + 1, stage)
            return
        stages.append(stage)
        if ("stages", after) in self.hidden:
            self._problem(
                where,
                f"stage '{stage.id}' is placed after '{after}', which is hidden at {self.hidden_at['stages', after]}",
                f"place it after another stage: {', '.join(ids)}",
            )
        else:
            self._problem(
                where,
                f"stage '{stage.id}' is placed after '{after}', which is not a stage{_did_you_mean(after, ids)}",
                f"known stages: {', '.join(ids)}",
            )

    def _check_refs(
        self, kind: Kind, entry: Entry, index: int, known: dict[str, dict[str, Entry]], source: Source
    ) -> None:
        for ref in kind.refs:
            value = getattr(entry, ref.field)
            for name in value if ref.many else (value,):
                if name in known[ref.kind]:
                    continue
                where = source.origin((kind.section, index, ref.field))
                target = KIND[ref.kind]
                if (ref.kind, name) in self.hidden:
                    self._problem(
                        where,
                        f"{kind.noun} '{entry.id}' names {target.noun} '{name}', which is hidden at "
                        f"{self.hidden_at[ref.kind, name]}",
                        f"name another {target.noun}, or stop hiding it",
                    )
                    continue
                close = _did_you_mean(name, list(known[ref.kind]))
                self._problem(
                    where,
                    f"{kind.noun} '{entry.id}' names {target.noun} '{name}'{close}",
                    f"known {ref.kind}: {', '.join(known[ref.kind]) or 'none'}",
                )

    def _build(self, kind: Kind, raw: dict[str, Any], origin: Origin, org: Organisation | None) -> Entry:
        fields: dict[str, Any] = {}
        known = {field.name for field in dataclass_fields(kind.type)}
        for key, value in raw.items():
            if key == "after":
                continue
            if key not in known:
                # The schema allows it (a fork widened it) but nothing reads it.
                self._problem(
                    origin,
                    f"{kind.noun} '{raw.get('id', '?')}' has key '{key}', "
                    "which the schema allows but the handbook does not use",
                    f"remove '{key}' from the bank, or add it to {kind.type.__name__} in hooks/model.py",
                )
                continue
            if isinstance(value, str):
                value = value.strip()
                if key in kind.markdown:
                    value = self.inline.markdown(value)
            elif isinstance(value, list):
                value = tuple(value)
            fields[key] = value
        return kind.type(origin=origin, organisation=org, **fields)

    # Hiding and rewording -----------------------------------------------------

    def _hide(self, entry_id: str, at: Origin, known: dict[str, dict[str, Entry]]) -> None:
        matches = [(kind, known[kind.section][entry_id]) for kind in KINDS if entry_id in known[kind.section]]
        upstream = [(kind, entry) for kind, entry in matches if entry.origin.path != at.path]
        again = [kind for kind, entry in upstream if (kind.section, entry_id) in self.named]
        if again:
            self._problem(
                at,
                f"hide names '{entry_id}' again (first at {self.hidden_at[again[0].section, entry_id]})",
                "delete one of them",
            )
            return
        if not upstream:
            why, fix = self._why_not_hideable(entry_id, matches, known)
            self._problem(at, f"hide names '{entry_id}', {why}", fix)
            return
        for kind, entry in upstream:
            self.named.add((kind.section, entry_id))
            # One this file already hid with its stage or principle needs no more.
            if (kind.section, entry_id) not in self.hidden:
                self._hide_entry(kind, entry, at, cause=None)

    def _why_not_hideable(self, entry_id: str, matches: list, known: dict[str, dict[str, Entry]]) -> tuple[str, str]:
        if matches:
            return "which this file adds itself", "delete the entry instead of hiding it"
        earlier = [self.hidden_at[kind.section, entry_id] for kind in KINDS if (kind.section, entry_id) in self.hidden]
        if earlier:
            return f"which is already hidden at {earlier[0]}", "hide it in one bank only"
        ids = [i for kind in KINDS for i in known[kind.section]]
        return (
            f"which is not an entry of an earlier bank{_did_you_mean(entry_id, ids)}",
            "check the id on the page's #q-<id> link, in questions.csv or in questions.yml",
        )

    def _hide_entry(self, kind: Kind, entry: Entry, at: Origin, cause: Entry | None) -> None:
        key = (kind.section, entry.id)
        if cause is not None and entry.origin.path != self.files[0]:
            # A later bank hides what an earlier organisation bank built on: say so, both places.
            self._problem(
                at,
                f"hiding {KIND_OF[type(cause)].noun} '{cause.id}' would also hide {kind.noun} '{entry.id}', "
                f"added at {entry.origin}",
                f"move that {kind.noun} elsewhere, or stop hiding '{cause.id}'",
            )
            return
        if entry.id in self.reworded_at and kind.section == "questions":
            self._problem(
                at,
                f"hides question '{entry.id}', which is reworded at {self.reworded_at[entry.id]}",
                "keep either the hide or the reword",
            )
            return
        self.entries[kind.section] = [e for e in self.entries[kind.section] if e is not entry]
        self.hidden[key] = entry
        self.hidden_at[key] = at
        # What names the hidden entry: a single name hides it too; a list only loses the name.
        for other in KINDS:
            for ref in other.refs:
                if ref.kind != kind.section:
                    continue
                for dependant in list(self.entries[other.section]):
                    value = getattr(dependant, ref.field)
                    if ref.many and entry.id in value and dependant.origin.path != self.files[0]:
                        # An organisation's own entry would change under it: say so, both places.
                        self._problem(
                            at,
                            f"hiding {kind.noun} '{entry.id}' would take it off {other.noun} '{dependant.id}', "
                            f"added at {dependant.origin}",
                            f"take it off there too, or stop hiding '{entry.id}'",
                        )
                    elif ref.many and entry.id in value:
                        shorter = replace(dependant, **{ref.field: tuple(v for v in value if v != entry.id)})
                        self._swap(other.section, dependant, shorter)
                    elif not ref.many and value == entry.id:
                        self._hide_entry(other, dependant, at, cause=entry)

    def _swap(self, section: str, old: Entry, new: Entry) -> None:
        entries = self.entries[section]
        entries[entries.index(old)] = new

    def _reword(self, question_id: str, text: Any, at: Origin, org: Organisation | None) -> None:
        questions = self.entries["questions"]
        match = next((q for q in questions if q.id == question_id), None)
        if match is None or match.origin.path == at.path:
            if match is not None:
                why, fix = "which this file adds itself", "change its text there instead"
            elif ("questions", question_id) in self.hidden:
                why = f"which is hidden at {self.hidden_at['questions', question_id]}"
                fix = "keep either the hide or the reword"
            else:
                close = _did_you_mean(question_id, [q.id for q in questions])
                why, fix = f"which is not a question of an earlier bank{close}", "check the id"
            self._problem(at, f"reword names '{question_id}', {why}", fix)
            return
        if question_id in self.reworded_at:
            self._problem(
                at,
                f"rewords question '{question_id}', which is already reworded at {self.reworded_at[question_id]}",
                "reword it in one bank only",
            )
            return
        self.reworded_at[question_id] = at
        self._swap(
            "questions",
            match,
            replace(
                match,
                text=self.inline.markdown(text.strip()),
                adapted_by=org,
                reworded_at=at,
                original_text=match.original_text or match.text,
            ),
        )


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
