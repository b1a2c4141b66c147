"""The merged bank as files: the `questions.json` and `questions.csv` downloads, and
`assets/bank.js`, the bank as the browser code reads it.

JSON keeps each text exactly as the bank holds it. CSV cells that a spreadsheet
would run as a formula get a leading apostrophe. The browser gets plain text.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from model import Bank, Entry
from text import csv_cell

CSV_COLUMNS = ("number", "stage", "principle", "id", "text", "hint", "organisation", "adapted_by", "original_text")
BROWSER_DATA = "assets/bank.js"


def generate(bank: Bank, edition: str) -> dict[str, str]:
    """File path in the site -> its content."""
    rows = _rows(bank)
    return {
        "questions.json": _json(bank, edition, rows),
        "questions.csv": _csv(rows),
        BROWSER_DATA: _browser_data(bank, edition),
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


def _json(bank: Bank, edition: str, rows: list[dict[str, Any]]) -> str:
    document = {
        "edition": edition,
        "stages": [{"id": s.id, "title": s.title, "summary": s.summary, **_org(s)} for s in bank.stages],
        "principles": [{"id": p.id, "title": p.title, "summary": p.summary, **_org(p)} for p in bank.principles],
        "questions": rows,
    }
    return _one_entry_a_line(document)


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    # A byte-order mark so spreadsheet programs open the UTF-8 text correctly.
    return "\ufeff" + out.getvalue()


def _browser_data(bank: Bank, edition: str) -> str:
    """A classic script, not JSON: pages opened from file:// cannot fetch a JSON file."""
    numbers = bank.numbers
    data = {
        "edition": edition,
        "stages": [{"id": s.id, "title": s.title} for s in bank.stages],
        "principles": [{"id": p.id, "title": p.title} for p in bank.principles],
        "questions": [
            {"id": q.id, "stage": q.stage, "principle": q.principle, "number": numbers[q.id], "text": q.text.plain}
            for stage in bank.stages
            for q in bank.ordered_questions(stage.id)
        ],
    }
    return f"self.handbookBank = {json.dumps(data, ensure_ascii=False, separators=(',', ':'))};\n"


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
