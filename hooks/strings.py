"""The handbook's interface text: one strings table per language, `theme_overrides/locales/<code>.yml`.

Every word the handbook itself shows (templates, the shortcodes' output, the print header
and footer, the browser code's buttons and messages, the exports' headings) is looked up here
by key; nothing of it is written into a template or a script. A table is nested mappings of
text, read with the bank's own YAML reader, so a mistake is reported at its line:

    toolbar:
      print:
        stage: Print this checklist          # t("toolbar.print.stage")
    count:
      questions:                              # t("count.questions", n=3): a plural
        "=1": one question                    #   an exact number first, as ICU does,
        one: "{n} question"                   #   then the language's plural category
        other: "{n} questions"                #   (CLDR: Welsh has zero, one, two, few, many, other)

`{name}` in a text is filled in from the values given; `{n}` is the count, written with the
language's digit grouping. Every language's table must have exactly the first language's keys,
use only the placeholders the first language's text uses, and give each plural every category
its language has (Babel's CLDR data, which the browser's Intl.PluralRules shares).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import babel
import babel.numbers

import yaml_reader
from problems import HandbookError, Origin, Problem, StringsError

FOLDER = Path(__file__).resolve().parent.parent / "theme_overrides" / "locales"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
CONFIG = "config."
_EXACT = re.compile(r"=(0|[1-9][0-9]{0,5})")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Text = str | Mapping[str, str]  # a text, or a plural's forms


@dataclass(frozen=True)
class Strings:
    """One language's table, checked: key -> text or plural forms."""

    language: str
    table: Mapping[str, Text]
    categories: tuple[str, ...]
    plural_form: Any  # babel.plural.PluralRule: n -> category

    def __call__(self, key: str, **values: Any) -> str:
        """The text for `key`, with its placeholders filled in; a plural is chosen by `n`."""
        try:
            text = self.table[key]
        except KeyError:
            where = Origin(f"theme_overrides/locales/{self.language}.yml")
            fix = "add it to every strings table (the code asks for it)"
            raise StringsError(Problem(where, f"has no text for '{key}'", fix)) from None
        if not isinstance(text, str):
            n = values.get("n")
            if not isinstance(n, int):
                raise TypeError(f"'{key}' is a plural: give n")
            text = text.get(f"={n}") or text[self.plural_form(n)]
            values = {**values, "n": babel.numbers.format_decimal(n, locale=self.locale)}
        return _fill(text, values)

    @property
    def locale(self) -> str:
        """The CLDR locale numbers, dates and lists are written in: the table's `language.locale`."""
        return str(self.table.get("language.locale", self.language)).replace("-", "_")

    def join(self, items: list[str], style: str = "standard") -> str:
        """'a, b and c' (style 'or': 'a, b or c'), as the language writes a list."""
        import babel.lists

        return babel.lists.format_list(items, style=style, locale=self.locale)

    def calendar(self) -> dict[str, Any]:
        """How the language writes dates, times and lists (CLDR, through Babel), for a browser
        whose own locale data lacks it: Chromium's leaves out Welsh dates and lists, for one."""
        import babel.dates

        locale = babel.Locale.parse(self.locale)
        periods = babel.dates.get_period_names("abbreviated", locale=locale)
        lists = locale.list_patterns
        return {
            "months": [babel.dates.get_month_names("wide", locale=locale)[month] for month in range(1, 13)],
            "periods": [periods.get("am", "AM"), periods.get("pm", "PM")],
            "date": babel.dates.get_date_format("long", locale=locale).pattern,
            "time": babel.dates.get_time_format("short", locale=locale).pattern,
            "dateTime": str(babel.dates.get_datetime_format("long", locale=locale)),
            "and": dict(lists["standard"]),
            "or": dict(lists.get("or", lists["standard"])),
        }

    def has(self, key: str) -> bool:
        return key in self.table

    def group(self, prefix: str) -> dict[str, Text]:
        """Every text whose key starts with `prefix.`, keyed by the rest of its key."""
        start = prefix + "."
        return {key[len(start) :]: text for key, text in self.table.items() if key.startswith(start)}


def load(languages: tuple[str, ...], folder: Path = FOLDER, root: Path | None = None) -> dict[str, Strings]:
    """Every language's table, each checked against the first language's."""
    tables: dict[str, Strings] = {}
    problems: list[Problem] = []
    first: tuple[Strings, yaml_reader.Source] | None = None
    for code in languages:
        path = folder / f"{code}.yml"
        shown = _shown(path, root)
        try:
            source = yaml_reader.read(path, shown, kind=f"strings table for '{code}'")
        except HandbookError as e:
            problems += e.problems
            continue
        strings, found = _read(code, source)
        problems += found
        if first is None:
            first = (strings, source)
        else:
            problems += _compare(strings, source, *first)
        tables[code] = strings
    if problems:
        raise StringsError(problems)
    return tables


def plural_categories(language: str) -> tuple[str, ...]:
    """The CLDR plural categories a language uses, in CATEGORIES' order."""
    tags = set(babel.Locale.parse(language.replace("-", "_")).plural_form.tags) | {"other"}
    return tuple(c for c in CATEGORIES if c in tags)


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _read(code: str, source: yaml_reader.Source) -> tuple[Strings, list[Problem]]:
    problems: list[Problem] = []
    try:
        locale = babel.Locale.parse(code.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        fix = "name the language by its BCP 47 code, such as 'cy' or 'ga'"
        problems.append(Problem(source.origin(()), f"'{code}' is not a language code Babel knows", fix))
        locale = babel.Locale.parse("en")
    categories = plural_categories(str(locale)) if not problems else ("one", "other")
    table: dict[str, Text] = {}
    if not isinstance(source.data, dict):
        problems.append(Problem(source.origin(()), "is not a table of texts", "write it as 'key: text' lines"))
    else:
        for path, value in _leaves(source.data, ()):
            key = ".".join(map(str, path))
            where = source.origin(path)
            if isinstance(value, str):
                table[key] = value
            elif isinstance(value, dict):
                forms, found = _plural(value, categories, where, code)
                problems += found
                table[key] = forms
            else:
                problems.append(Problem(where, f"'{key}' is not text", "write the text, in quotes if it starts with {"))
    return Strings(code, table, categories, locale.plural_form), problems


def _leaves(data: dict, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """Each text of a table, with its path: a mapping of plural forms counts as one."""
    for key, value in data.items():
        if isinstance(value, dict) and value and not _is_plural(value):
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key), value


def _is_plural(value: dict) -> bool:
    return all(k in CATEGORIES or _EXACT.fullmatch(str(k)) for k in value)


def _plural(value: dict, categories: tuple[str, ...], where: Origin, code: str) -> tuple[dict[str, str], list[Problem]]:
    problems = []
    given = {k for k in value if k in CATEGORIES}
    if given != set(categories):
        missing = [c for c in categories if c not in given]
        extra = sorted(given - set(categories))
        what = f"this plural gives the forms {', '.join(sorted(given)) or 'none'}; '{code}' has {', '.join(categories)}"
        what += f" (missing: {', '.join(missing)})" if missing else ""
        what += f" (not used in '{code}': {', '.join(extra)})" if extra else ""
        fix = f"give exactly {', '.join(categories)}, and '=N' for a number that reads differently"
        problems.append(Problem(where, what, fix))
    bad = [k for k, v in value.items() if not isinstance(v, str)]
    if bad:
        problems.append(Problem(where, f"the plural form '{bad[0]}' is not text", "write each form as text"))
    return {str(k): v for k, v in value.items() if isinstance(v, str)}, problems


def _compare(strings: Strings, source: yaml_reader.Source, first: Strings, first_source) -> list[Problem]:
    """A translation's table has the first language's keys, placeholders and kinds of text."""
    problems = []
    # `config` translates mkdocs.yml's texts, which the first language has in mkdocs.yml itself.
    ours = {key: text for key, text in strings.table.items() if not key.startswith(CONFIG)}
    theirs = first.table
    for key, text in theirs.items():
        if key not in ours:
            given = f"{first_source.origin(_path(key))} gives it as {_shown_text(text)}"
            problems.append(Problem(source.origin(()), f"has no text for '{key}' ({given})", "add it, translated"))
            continue
        where = source.origin(_path(key))
        if isinstance(text, str) != isinstance(ours[key], str):
            kind = "a plural" if not isinstance(text, str) else "one text"
            problems.append(Problem(where, f"'{key}' must be {kind}, as in {first.language}", f"write it as {kind}"))
            continue
        allowed, used = _placeholders(text), _placeholders(ours[key])
        if used - allowed:
            unknown = _listed(used - allowed)
            fix = f"use only {_listed(allowed) or 'no placeholders'}"
            problems.append(Problem(where, f"'{key}' uses {unknown}, which its {first.language} text does not", fix))
        elif (allowed - {"n"}) - used:
            left_out = _listed(allowed - used - {"n"})
            problems.append(Problem(where, f"'{key}' leaves out {left_out}", f"put it in, as {first.language} does"))
    for key in ours:
        if key not in theirs:
            close = difflib.get_close_matches(key, list(theirs), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fix = f"delete it, or add it to {first.language}.yml first"
            problems.append(Problem(source.origin(_path(key)), f"'{key}' is not a key of the strings table{hint}", fix))
    return problems


def _path(key: str) -> tuple[str, ...]:
    return tuple(key.split("."))


def _listed(names: set[str]) -> str:
    return ", ".join(sorted(f"{{{name}}}" for name in names))


def _placeholders(text: Text) -> set[str]:
    forms = [text] if isinstance(text, str) else list(text.values())
    return {name for form in forms for name in _PLACEHOLDER.findall(form)}


def _fill(text: str, values: Mapping[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)


def _shown_text(text: Text) -> str:
    shown = text if isinstance(text, str) else text.get("other", "")
    return f"'{shown[:60]}'"


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
