"""The merged bank as downloads: `questions.json` and `questions.csv`."""

from __future__ import annotations

import csv
import io
import json

from context import Handbook

CSV_COLUMNS = ("number", "stage", "principle", "id", "text", "hint", "organisation", "adapted_by", "original_text")


def generate(handbook: Handbook) -> dict[str, str]:
    rows = _rows(handbook)
    return {"questions.json": _json(handbook, rows), "questions.csv": _csv(rows)}


def _rows(handbook: Handbook) -> list[dict[str, str | int]]:
    bank = handbook.bank
    numbers = bank.numbers
    return [
        {
            "number": numbers[q.id],
            "stage": q.stage,
            "principle": q.principle,
            "id": q.id,
            "text": q.text,
            "hint": q.hint or "",
            "organisation": q.organisation.name if q.organisation else "",
            "adapted_by": q.adapted_by.name if q.adapted_by else "",
            "original_text": q.original_text or "",
        }
        for stage in bank.stages
        for q in bank.ordered_questions(stage.id)
    ]


def _json(handbook: Handbook, rows: list[dict[str, str | int]]) -> str:
    bank = handbook.bank
    document = {
        "edition": handbook.edition,
        "stages": [{"id": s.id, "title": s.title, "summary": s.summary, **_org(s)} for s in bank.stages],
        "principles": [{"id": p.id, "title": p.title, "summary": p.summary, **_org(p)} for p in bank.principles],
        "questions": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _csv(rows: list[dict[str, str | int]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    # A byte-order mark so spreadsheet programs open the UTF-8 text correctly.
    return "\ufeff" + out.getvalue()


def _org(entry) -> dict[str, str]:
    return {"organisation": entry.organisation.name} if entry.organisation else {}
