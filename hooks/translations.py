"""The bank in the handbook's other languages: a translation file beside each bank file.

`questions.yml` is written in the handbook's first language; its Welsh is `questions.cy.yml`,
and an organisation's `our-questions.yml` has its own `our-questions.cy.yml`. A translation
file lists, by kind and id, each translated field with the text it was made from and the
translation, side by side, so a translator works there without touching the bank:

    language: cy
    questions:
      decision-making:
        text:
          en: How will decisions be made?
          cy: Sut y caiff penderfyniadau eu gwneud?
    reword:                 # an organisation bank's own wording of an upstream question
      vision-and-mission:
        en: ...
        cy: ...

`model.KINDS` says which fields are translated. A quote keeps the words it was said in; its
translation is shown beside it. References are not translated.

Each entry's translation is in the file of the bank that added it. When one is missing, or
was made from text that has changed since, the build logs it (so a strict build fails) with
the file and line, the ids and the fix, and shows the first language's text meanwhile. A
translation of something no bank has is reported too. `python hooks/translations.py`
(`./run translations`) reports each language's coverage and lists what is missing.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import shape
import yaml_reader
from model import KIND, KINDS, Bank, Entry, Kind, Question, Quote
from problems import BankError, HandbookError, Origin, Problem
from text import Inline, Markdown, folded

SCHEMA = shape.SCHEMAS / "translation.schema.json"
REWORD = "reword"
Key = tuple[str, str, str, str]  # bank file, section, id, field


@dataclass(frozen=True)
class Translated:
    """One field's translation, and the first language's text it was made from."""

    source: str
    text: str
    origin: Origin


@dataclass
class Translations:
    """A language's translation files, read."""

    language: str
    source_language: str
    found: dict[Key, Translated] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # bank file -> its translation file
    lines: dict[str, yaml_reader.Source] = field(default_factory=dict)  # translation file -> lines


def file_for(bank_file: str, language: str) -> str:
    """`questions.yml` -> `questions.cy.yml`, beside it."""
    stem, dot, suffix = bank_file.rpartition(".")
    return f"{stem}.{language}.{suffix}" if dot else f"{bank_file}.{language}"


def read(
    bank_files: list[tuple[Path, str]],
    language: str,
    source_language: str,
    schema: shape.Shape,
    cache: yaml_reader.SourceCache | None = None,
) -> Translations:
    """Each bank file's translation into `language`. A missing file counts as empty (what it
    should translate is reported as missing); one that does not parse, or is not shaped as a
    translation file, is a BankError."""
    translations = Translations(language, source_language)
    problems: list[Problem] = []
    for path, shown in bank_files:
        name = translations.files[shown] = file_for(shown, language)
        target = path.with_name(file_for(path.name, language))
        if not target.exists():
            continue
        try:
            source = yaml_reader.read(target, name, cache, kind="translation file")
            schema.check(source)
        except HandbookError as e:
            problems += e.problems
            continue
        translations.lines[name] = source
        problems += _collect(source, shown, translations)
    if problems:
        raise BankError(problems)
    return translations


def translate(bank: Bank, translations: Translations, inline: Inline) -> tuple[Bank, list[Problem]]:
    """The bank in the translations' language, and what is missing, stale or unknown there."""
    translator = _Translator(bank, translations, inline)
    localized = translator.bank()
    return localized, [*translator.missing, *translator.stale, *translator.unknown]


def fields(bank: Bank, language: str) -> Iterator[tuple[Kind, Entry, str]]:
    """Every field of the bank that a translation into `language` gives."""
    for kind, entry in bank:
        if isinstance(entry, Quote) and (entry.language or bank.language) == language:
            continue  # shown as said, with no translation
        for name in kind.translated:
            if getattr(entry, name):
                yield kind, entry, name


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class _Translator:
    def __init__(self, bank: Bank, translations: Translations, inline: Inline) -> None:
        self.source = bank
        self.translations = translations
        self.language = translations.language
        self.inline = inline
        self.missing: list[Problem] = []
        self.stale: list[Problem] = []
        self.unknown: list[Problem] = []
        self.used: set[Key] = set()

    def bank(self) -> Bank:
        sections = {
            kind.section: tuple(self.entry(kind, e) for e in self.source.entries(kind.section)) for kind in KINDS
        }
        localized = Bank(
            **sections, files=self.source.files, hidden=self.source.hidden, language=self.language, source=self.source
        )
        for key, found in self.translations.found.items():
            if key not in self.used and not self._hidden(key):
                self.unknown.append(self._unknown(key, found))
        return localized

    def entry(self, kind: Kind, entry: Entry) -> Entry:
        changes: dict[str, Any] = {}
        if isinstance(entry, Quote):
            # Shown as said; a translation beside it where it was said in another language.
            if (entry.language or self.source.language) != self.language:
                changes["translation"] = self.lookup(entry.origin.path, kind.section, entry, "text", entry.text)
            return replace(entry, **changes)
        for name in kind.translated:
            first = getattr(entry, name)
            if not first:
                continue
            if isinstance(entry, Question) and name == "text" and entry.reworded_at is not None:
                text = self.lookup(entry.reworded_at.path, REWORD, entry, "text", first)
                original = self.lookup(entry.origin.path, kind.section, entry, "text", entry.original_text)
                if original is not None:
                    changes["original_text"] = self.inline.markdown(original)
            else:
                text = self.lookup(entry.origin.path, kind.section, entry, name, first)
            if text is not None:
                changes[name] = self.inline.markdown(text) if isinstance(first, Markdown) else text
        return replace(entry, **changes) if changes else entry

    def lookup(self, bank_file: str, section: str, entry: Entry, name: str, first: str) -> str | None:
        """The translation of one field, or None (and a problem) when there is none."""
        key = (bank_file, section, entry.id, name)
        found = self.translations.found.get(key)
        if found is None:
            self.missing.append(self._missing(bank_file, section, entry, name, first))
            return None
        self.used.add(key)
        if folded(found.source) != folded(first):
            self.stale.append(self._stale(found, section, entry, name, first))
        return found.text

    # Problems -----------------------------------------------------------------

    def _missing(self, bank_file: str, section: str, entry: Entry, name: str, first: str) -> Problem:
        file = self.translations.files.get(bank_file, file_for(bank_file, self.language))
        lines = self.translations.lines.get(file)
        where = lines.origin((section,)) if lines else Origin(file, 1)
        noun = "reworded question" if section == REWORD else KIND[section].noun
        field_path = f"{entry.id}:" if section == REWORD else f"{entry.id}: {name}:"
        written = entry.reworded_at if section == REWORD else entry.origin
        return Problem(
            where,
            f"has no {self._name()} for {noun} '{entry.id}' ({name}, {written})",
            f"add under '{section}:' {field_path} {{{self.translations.source_language}: {_quoted(first)}, "
            f"{self.language}: ...}} (./run translations lists every gap)",
        )

    def _stale(self, found: Translated, section: str, entry: Entry, name: str, first: str) -> Problem:
        noun = "reworded question" if section == REWORD else KIND[section].noun
        return Problem(
            found.origin,
            f"the {self._name()} for {noun} '{entry.id}' ({name}) was made from text that has changed since: "
            f"it was {_quoted(found.source)}, it is now {_quoted(first)}",
            f"update the {self._name()}, then set '{self.translations.source_language}:' to the new text",
        )

    def _unknown(self, key: Key, found: Translated) -> Problem:
        bank_file, section, entry_id, name = key
        if section == REWORD:
            return Problem(
                found.origin,
                f"translates a rewording of '{entry_id}', which {bank_file} does not reword",
                "delete it, or add the reword to the bank",
            )
        kind = KIND[section]
        ids = [e.id for e in self.source.entries(section) if e.origin.path == bank_file]
        if entry_id in ids:
            return Problem(
                found.origin,
                f"translates '{name}' of {kind.noun} '{entry_id}', which it does not have",
                "delete it, or give the entry that field in the bank",
            )
        close = difflib.get_close_matches(entry_id, ids, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return Problem(
            found.origin,
            f"translates {kind.noun} '{entry_id}', which {bank_file} does not have{hint}",
            "delete it or fix the id",
        )

    def _hidden(self, key: Key) -> bool:
        """A translation of an entry an organisation bank hides is kept, not unknown."""
        _, section, entry_id, _ = key
        return section in KIND and self.source.is_hidden(section, entry_id)

    def _name(self) -> str:
        """'Welsh text' (the language's name in English, as the build's messages are written)."""
        import babel

        try:
            name = babel.Locale.parse(self.language.replace("-", "_")).get_display_name("en")
        except (ValueError, babel.UnknownLocaleError):
            name = f"'{self.language}'"
        return f"{name} text"


def _collect(source: yaml_reader.Source, bank_file: str, translations: Translations) -> list[Problem]:
    """What one translation file gives, into `translations.found`; problems with its shape."""
    data, language, first = source.data, translations.language, translations.source_language
    problems = []
    if data.get("language") != language:
        problems.append(
            Problem(
                source.origin(("language",)),
                f"says it is in '{data.get('language')}', but its name says '{language}'",
                f"write 'language: {language}' at the top",
            )
        )
    for section, entries in data.items():
        if section == "language":
            continue
        for entry_id, value in (entries or {}).items():
            if section == REWORD:
                items = [("text", value, (section, entry_id))]
            else:
                items = [(name, text, (section, entry_id, name)) for name, text in (value or {}).items()]
            for name, pair, path in items:
                where = source.origin(path)
                if section != REWORD and name not in KIND[section].translated:
                    allowed = ", ".join(KIND[section].translated)
                    problems.append(
                        Problem(
                            where, f"'{name}' of a {KIND[section].noun} is not translated", f"translate only {allowed}"
                        )
                    )
                    continue
                if not isinstance(pair, dict) or set(pair) != {first, language}:
                    problems.append(
                        Problem(
                            where,
                            f"{entry_id} {name} must give '{first}:' (the text translated) "
                            f"and '{language}:' (its translation), and nothing else",
                            f"write it as {{{first}: ..., {language}: ...}}",
                        )
                    )
                    continue
                translations.found[(bank_file, section, entry_id, name)] = Translated(
                    str(pair[first]).strip(), str(pair[language]).strip(), where
                )
    return problems


def _quoted(text: str) -> str:
    shown = folded(str(text))
    return '"' + (shown if len(shown) <= 80 else shown[:77] + "...") + '"'


# -----------------------------------------------------------------------------
# ./run translations
# -----------------------------------------------------------------------------


def report(config_file: Path) -> tuple[str, bool]:
    """Each language's coverage: the bank's texts, the guidance pages, the strings table and
    mkdocs.yml's texts, with every gap listed as the build reports it; and whether all is whole."""
    from mkdocs.config import load_config

    import bank as banks
    import languages as langs
    import strings

    config = load_config(str(config_file))
    root = config_file.resolve().parent
    languages = langs.configured(config)
    custom = Path(config.theme.custom_dir or root / "theme_overrides")
    lines: list[str] = []
    whole = True
    try:
        tables = strings.load(tuple(lang.code for lang in languages.all), custom / "locales", root)
    except HandbookError as e:
        return f"The strings tables are not whole:\n{e}", False
    paths = banks.configured_banks(config)
    first = banks.BankLoader().load(paths, root, languages.first.code)
    schema = shape.Shape(SCHEMA.read_bytes(), "schema/translation.schema.json")
    docs = Path(config.docs_dir)
    for language in languages.others:
        code = language.code
        table = tables[code]
        files = [(path, path.relative_to(root).as_posix()) for path in paths]
        translator = _Translator(first, read(files, code, languages.first.code, schema), Inline())
        translator.bank()
        total = sum(1 for _ in fields(first, code))
        gaps = translator.missing + translator.stale
        others = [lang.code for lang in languages.others]
        missing_pages, _ = langs.missing_pages(docs, docs / code, others)
        expected = len({p for p in langs.page_paths(docs) if p.split("/", 1)[0] not in others})
        where = Origin(f"theme_overrides/locales/{code}.yml")
        config_gaps = langs.translate_config(load_config(str(config_file)), table.group("config"), where)
        counted = f"{len(translator.missing)} missing, {len(translator.stale)} stale, {len(translator.unknown)} unknown"
        lines += [
            f"{code} ({table('language.name')}):",
            f"  bank texts: {total - len(gaps)} of {total} translated ({counted})",
            f"  guidance pages: {expected - len(missing_pages)} of {expected}",
            f"  interface texts: {len(table.table)}, every one translated",
            f"  mkdocs.yml texts: {'all translated' if not config_gaps else f'{len(config_gaps)} missing'}",
        ]
        problems = [*gaps, *translator.unknown, *config_gaps]
        problems += [
            Problem(Origin(f"content/{code}/{page}"), "is missing", "translate the page") for page in missing_pages
        ]
        lines += [f"    {problem}" for problem in problems]
        whole = whole and not problems
    if not languages.others:
        lines.append(f"The handbook has one language, {languages.first.code}: nothing to translate.")
    return "\n".join(lines), whole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Report how complete each language of the handbook is.")
    parser.add_argument("-f", "--config-file", default="mkdocs.yml")
    args = parser.parse_args(argv)
    try:
        text, whole = report(Path(args.config_file))
    except HandbookError as e:
        print(f"translations: {e}", file=sys.stderr)
        return 1
    print(text)
    return 0 if whole else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
