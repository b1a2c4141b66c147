"""The merged bank as files, in the build's language: the `questions.json` and `questions.csv`
downloads, and `assets/bank.js`, the bank as the browser code reads it.

JSON keeps each text exactly as the bank holds it, under keys that are the same in every
language. CSV cells that a spreadsheet would run as a formula get a leading apostrophe; its
header row is in the build's language. The browser gets plain text, the statuses, and the
strings table's texts that the browser code shows.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import languages as langs
import workbook
from model import Bank, Entry
from text import csv_cell

if TYPE_CHECKING:
    from statuses import Status
    from strings import Strings

CSV_COLUMNS = ("number", "stage", "principle", "id", "text", "hint", "organisation", "adapted_by", "original_text")
BROWSER_DATA = "assets/bank.js"
# The strings table's groups the browser code shows.
BROWSER_GROUPS = ("language", "status", "count", "browser", "edition", "workbook", "chart", "actions")


@dataclass(frozen=True)
class Export:
    """What the files are made from: one language's build."""

    bank: Bank
    edition: str
    strings: Strings
    statuses: tuple[Status, ...]
    languages: langs.Languages
    tables: dict[str, Strings]
    site_name: str = ""  # in this build's language: the checklist workbook's title
    editions: dict[str, str] | None = None  # this edition as each language words it


def generate(export: Export) -> dict[str, str | bytes]:
    """File path in the site -> its content."""
    rows = _rows(export.bank)
    return {
        "questions.json": _json(export, rows),
        "questions.csv": _csv(export.strings, rows),
        workbook.FILE: workbook.blank(export),
        BROWSER_DATA: _browser_data(export),
    }


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _rows(bank: Bank) -> list[dict[str, Any]]:
    numbers = bank.numbers
    return [
        {
            "number": numbers[q.id],
            "stage": q.stage,
            "principle": q.principle,
            "id": q.id,
            "text": str(q.text),
            "hint": str(q.hint or ""),
            "organisation": q.organisation.name if q.organisation else "",
            "adapted_by": q.adapted_by.name if q.adapted_by else "",
            "original_text": str(q.original_text or ""),
        }
        for stage in bank.stages
        for q in bank.ordered_questions(stage.id)
    ]


def _json(export: Export, rows: list[dict[str, Any]]) -> str:
    bank = export.bank
    document = {
        "edition": export.edition,
        "language": bank.language,
        "stages": [{"id": s.id, "title": s.title, "summary": s.summary, **_org(s)} for s in bank.stages],
        "principles": [{"id": p.id, "title": p.title, "summary": p.summary, **_org(p)} for p in bank.principles],
        "questions": rows,
    }
    return _one_entry_a_line(document)


def _csv(strings: Strings, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([strings(f"export.columns.{column}") for column in CSV_COLUMNS])
    writer.writerows([csv_cell(row[column]) for column in CSV_COLUMNS] for row in rows)
    # A byte-order mark so spreadsheet programs open the UTF-8 text correctly.
    return "\ufeff" + out.getvalue()


def _browser_data(export: Export) -> str:
    """A classic script, not JSON: pages opened from file:// cannot fetch a JSON file."""
    bank, languages, editions = export.bank, export.languages, export.editions or {}
    numbers = bank.numbers
    original = bank.original

    def question(q) -> dict[str, Any]:
        item = {"id": q.id, "stage": q.stage, "principle": q.principle, "number": numbers[q.id], "text": q.text.plain}
        if q.hint:
            item["hint"] = q.hint.plain  # for the workbook office.js writes
        if original is not bank:
            # Answers keep the question as the first language words it: one workspace for all.
            item["source"] = original.get("questions", q.id).text.plain
        return item

    data = {
        "edition": export.edition,
        "language": languages.current.code,
        # The site's name in this language, for the texts that name it ("Compared in {site}");
        # answers are kept, and files name their handbook, by the store's name (store.js).
        "site": export.site_name,
        "home": langs.home(languages),
        # Each language's name, and in its words this edition and the partnership every browser starts
        # with: what a page in one language wrote reads on a page in another in that page's words.
        "languages": [
            {
                "code": lang.code,
                "name": export.tables[lang.code]("language.name"),
                "edition": editions.get(lang.code, ""),
                "partnership": export.tables[lang.code]("browser.partnerships.default_name"),
            }
            for lang in languages.all
        ],
        "statuses": [{"id": s.id, "scale": s.scale} for s in export.statuses],
        "strings": {key: text for group in BROWSER_GROUPS for key, text in _group(export.strings, group).items()},
        "calendar": export.strings.calendar(),
        "stages": [{"id": s.id, "title": s.title} for s in bank.stages],
        "principles": [{"id": p.id, "title": p.title} for p in bank.principles],
        "questions": [question(q) for stage in bank.stages for q in bank.ordered_questions(stage.id)],
        # The checklist workbook's layout, which office.js writes and reads (hooks/workbook.py).
        "workbook": workbook.layout(export),
    }
    return f"self.handbookBank = {json.dumps(data, ensure_ascii=False, separators=(',', ':'))};\n"


def _group(strings: Strings, group: str) -> dict[str, Any]:
    return {f"{group}.{key}": text for key, text in strings.group(group).items()}


def _one_entry_a_line(document: dict[str, Any]) -> str:
    """JSON a person can read and diff, one entry a line, written by the C encoder: with
    `indent`, Python's json falls back to its pure-Python encoder, ten times slower."""
    dump = json.JSONEncoder(ensure_ascii=False).encode
    fields = []
    for key, value in document.items():
        if isinstance(value, list):
            items = ",\n".join(f"    {dump(item)}" for item in value)
            fields.append(f"  {dump(key)}: [\n{items}\n  ]" if value else f"  {dump(key)}: []")
        else:
            fields.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _org(entry: Entry) -> dict[str, str]:
    return {"organisation": entry.organisation.name} if entry.organisation else {}
