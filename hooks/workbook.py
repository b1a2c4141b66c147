"""The checklist as a workbook people fill in and bring back: `checklist.xlsx`, built with the
site in each of its languages, and the layout that the browser's own writer and reader share.

The layout is defined here, once (`COLUMNS`, the rows above the column headings, the overview
sheet's rows): the build writes the blank workbook from it with XlsxWriter, and `layout()` gives
it to the browser through assets/bank.js, where office.js (workbook.js) writes a partnership's
answers in the same layout and reads a filled-in workbook back. The reader finds columns by
their headings in any language of the handbook and each row's question by its id, so a
workbook from any language, with rows sorted or columns moved, still matches.

Bank text is data: every cell is written as a string (never a formula), without the control
characters XML cannot hold, and columns people type in are formatted as text, so a note that
reads like a date or a formula stays as typed.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cache import DiskCache

if TYPE_CHECKING:
    from exports import Export

FILE = "checklist.xlsx"


@dataclass(frozen=True)
class Column:
    key: str  # its heading is the strings table's `workbook.columns.<key>`
    width: float  # in characters, as spreadsheets measure a column
    # bank: the handbook's words; status: a drop-down of the statuses; text: typed as text;
    # date: a validated date; id: the question's id (how a row is matched); kept: what the
    # browser wrote, to tell an edited row from one left as it was (hidden)
    kind: str


# A stage sheet's columns, left to right.
# A stage sheet's columns, left to right. The printed page (landscape A4, as wide as one page)
# holds them up to `done`; the id and what the browser kept stay on screen, out of the way.
COLUMNS = (
    Column("number", 5, "bank"),
    Column("principle", 14, "bank"),
    Column("question", 40, "bank"),
    Column("hint", 24, "bank"),
    Column("status", 15, "status"),
    Column("notes", 32, "text"),
    Column("action", 22, "text"),
    Column("owner", 13, "text"),
    Column("due", 11, "date"),
    Column("done", 11, "date"),
    Column("id", 22, "id"),
    Column("kept", 12, "kept"),
)
PRINTED = "done"  # the last column printed
# Rows of a stage sheet (1-based, as a spreadsheet numbers them): the handbook's name, the
# stage, the edition (and whose answers), then the column headings; questions below them.
HEADER_ROW = 4
# The overview sheet: the handbook's name and edition, then what the workbook is (label and
# value, from ABOUT_ROW), then the statuses (the drop-down's list), the stages and how to use it.
ABOUT = ("handbook", "edition", "language", "partnership", "organisation", "exported")
ABOUT_ROW = 4
STATUS_ROW = ABOUT_ROW + len(ABOUT) + 2  # the statuses' heading; the statuses below it
HELP = ("fill", "ids", "back")
# A row is as tall as its longest wrapped text: spreadsheets do not size rows on opening a file,
# so both writers work it out, with a column holding about this many characters per unit of width
# (fewer than in Excel's Calibri: LibreOffice often has only a wider font to show it in).
LINE_POINTS = 15
CHARACTERS_PER_WIDTH = 1.0
MOST_ROW_POINTS = 409
# Spreadsheets' own limits.
MOST_SHEET_NAME = 31
MOST_CELL = 32_767
MOST_PROMPT_TITLE = 32
MOST_PROMPT = 255
MOST_HEADER = 255
# Not in a sheet name (Excel refuses them); "History" is Excel's own.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?\x00-\x1f]")
# A slash, which a stage title may hold ("partner/s"), as a division slash, which looks the same.
_SLASHES = str.maketrans({"/": "\u2215", "\\": "\u2216"})
_RESERVED_SHEET_NAMES = {"history"}
# Characters XML 1.0 cannot hold: left out of every cell.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def layout(export: Export) -> dict[str, Any]:
    """The layout as the browser reads it (assets/bank.js): the columns with their headings in
    this language, the sheets' names, where the overview's rows are, and, for the reader, every
    language's headings, statuses and labels."""
    t, tables = export.strings, export.tables
    stages = export.bank.stages
    names = sheet_names(
        [
            t("workbook.sheet.overview"),
            *(s.title for s in stages),
            t("workbook.sheet.retired"),
            t("workbook.sheet.review"),
        ]
    )
    every = list(tables.values())
    return {
        "title": export.site_name,
        "header": HEADER_ROW,
        "printed": PRINTED,
        "lines": {"points": LINE_POINTS, "perWidth": CHARACTERS_PER_WIDTH, "most": MOST_ROW_POINTS},
        "columns": [
            {"key": c.key, "width": c.width, "kind": c.kind, "label": t(f"workbook.columns.{c.key}")} for c in COLUMNS
        ],
        "about": {"row": ABOUT_ROW, "keys": list(ABOUT)},
        "statusRow": STATUS_ROW,
        "help": list(HELP),
        "sheets": {
            "overview": names[0],
            "stages": {stage.id: name for stage, name in zip(stages, names[1:-2], strict=True)},
            "retired": names[-2],
            "review": names[-1],
        },
        # What a reader accepts, in any language of the handbook.
        "known": {
            "columns": {c.key: _labels(every, f"workbook.columns.{c.key}") for c in COLUMNS},
            "statuses": {s.id: _labels(every, f"status.{s.id}") for s in export.statuses},
            "about": {key: _labels(every, f"workbook.about.{key}") for key in ABOUT},
            "sheets": [*_labels(every, "workbook.sheet.overview"), *_labels(every, "workbook.sheet.review")],
        },
    }


def blank(export: Export) -> bytes:
    """The blank checklist workbook of this language's build: the same bytes for the same
    inputs (the build date is SOURCE_DATE_EPOCH's when set), kept between builds by them."""
    plan = _plan(export)
    key = json.dumps(plan, ensure_ascii=False, sort_keys=True).encode()
    cache = _cache()
    made = cache.get(key)
    if made is None:
        made = _write(plan)
        cache.put(key, made)
    return made


def sheet_names(titles: list[str]) -> list[str]:
    """A sheet name for each title: what a spreadsheet allows (31 characters at most, none of
    []:*?/\\, no apostrophe at either end), each different from the others whatever the case."""
    taken: set[str] = set()
    names = []
    for n, title in enumerate(titles, 1):
        base = " ".join(_NOT_IN_SHEET_NAME.sub(" ", title.translate(_SLASHES)).split()).strip("'") or str(n)
        name, more = _cut(base, MOST_SHEET_NAME).rstrip(" '"), 2
        while name.casefold() in taken or name.casefold() in _RESERVED_SHEET_NAMES:
            suffix = f" ({more})"
            name, more = _cut(base, MOST_SHEET_NAME - len(suffix)).rstrip(" '") + suffix, more + 1
        taken.add(name.casefold())
        names.append(name)
    return names


def cell_text(text: str, most: int = MOST_CELL) -> str:
    """Text as a cell holds it: without what XML cannot hold, at most `most` characters (as
    spreadsheets count them, in UTF-16 units)."""
    return _cut(_NOT_IN_XML.sub("", text), most)


def header_text(text: str) -> str:
    """Text for a printed page header or footer, where '&' starts a code."""
    return cell_text(text, MOST_HEADER // 2).replace("&", "&&")


def row_points(cells: list[tuple[float, str]]) -> float:
    """How tall a row of wrapped text is: its cells' (width, text), the most lines any of them takes."""
    lines = max((wrapped_lines(text, width) for width, text in cells if text), default=1)
    return min(lines * LINE_POINTS, MOST_ROW_POINTS)


def wrapped_lines(text: str, width: float) -> int:
    """The lines a text takes in a column, wrapped at spaces as spreadsheets wrap it (a word
    longer than the column is broken)."""
    room = max(1, math.floor(width * CHARACTERS_PER_WIDTH))
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, 0
            lines += (len(word) - 1) // room
            used = (used + 1 if used else 0) + ((len(word) - 1) % room + 1)
        total += lines
    return total


def quoted_sheet(name: str) -> str:
    """A sheet's name as a formula names it: 'Trosolwg'!A1."""
    return "'" + name.replace("'", "''") + "'"


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _plan(export: Export) -> dict[str, Any]:
    """Everything the workbook shows, as plain data: what the cache keys on."""
    t, bank = export.strings, export.bank
    numbers = bank.numbers
    titles = {p.id: p.title for p in bank.principles}
    return {
        "layout": layout(export),
        "edition": export.edition,
        "language": t("language.name"),
        "line": t("workbook.blank", edition=export.edition),
        "texts": {
            key: t(f"workbook.{key}")
            for key in (
                "about.statuses",
                "about.stage",
                "about.sheet",
                "about.questions",
                *(f"about.{key}" for key in ABOUT),
                *(f"help.{key}" for key in HELP),
                *(f"validation.{key}" for key in ("status_title", "status_prompt", "date_title", "date_prompt")),
                *(f"validation.{key}" for key in ("status_error", "date_error")),
            )
        },
        "page": t("workbook.page", page="{page}", pages="{pages}"),
        "statuses": [t(f"status.{s.id}") for s in export.statuses],
        "stages": [
            {
                "id": stage.id,
                "title": stage.title,
                "rows": [
                    [
                        numbers[q.id],
                        titles[q.principle],
                        q.text.plain,
                        q.hint.plain if q.hint else "",
                        q.id,
                    ]
                    for q in bank.ordered_questions(stage.id)
                ],
            }
            for stage in bank.stages
        ],
        "created": _build_moment().isoformat(),
        "code": _CODE_VERSION,
    }


def _write(plan: dict[str, Any]) -> bytes:
    import xlsxwriter  # only when the workbook is made afresh, not on a build that finds it kept

    shape = plan["layout"]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        # Strings are strings: none becomes a formula, a number or a link, whatever it starts with.
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    book.set_properties(
        {
            "title": cell_text(shape["title"], 255),
            "subject": cell_text(plan["edition"], 255),
            "created": datetime.fromisoformat(plan["created"]).replace(tzinfo=None),
        }
    )
    styles = _styles(book)
    sheets = shape["sheets"]
    overview = book.add_worksheet(sheets["overview"])
    statuses = plan["statuses"]
    first, last = STATUS_ROW + 1, STATUS_ROW + len(statuses)
    status_source = f"={quoted_sheet(sheets['overview'])}!$A${first}:$A${last}"
    _overview(overview, plan, styles)
    for stage in plan["stages"]:
        sheet = book.add_worksheet(sheets["stages"][stage["id"]])
        _stage_sheet(sheet, plan, stage, styles, status_source)
    book.close()
    return out.getvalue()


def _styles(book) -> dict[str, Any]:
    top = {"valign": "top"}
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        "header": book.add_format(
            {**top, "bold": True, "text_wrap": True, "bg_color": "#D9E1F2", "bottom": 1, "num_format": "@"}
        ),
        "bank": book.add_format({**top, "text_wrap": True}),
        "number": book.add_format({**top, "align": "left"}),
        "text": book.add_format({**top, "text_wrap": True, "num_format": "@"}),
        "date": book.add_format({**top, "num_format": "yyyy-mm-dd"}),
        "id": book.add_format({**top, "num_format": "@", "font_color": "#595959", "font_size": 9}),
    }


def _overview(sheet, plan: dict[str, Any], styles: dict[str, Any]) -> None:
    shape, texts = plan["layout"], plan["texts"]
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 2, 12)
    sheet.write_string(0, 0, cell_text(shape["title"]), styles["title"])
    sheet.write_string(1, 0, cell_text(plan["line"]))
    about = {"handbook": shape["title"], "edition": plan["edition"], "language": plan["language"]}
    for n, key in enumerate(ABOUT):
        sheet.write_string(ABOUT_ROW - 1 + n, 0, cell_text(texts[f"about.{key}"]), styles["bold"])
        if about.get(key):
            sheet.write_string(ABOUT_ROW - 1 + n, 1, cell_text(about[key]))
    sheet.write_string(STATUS_ROW - 1, 0, cell_text(texts["about.statuses"]), styles["bold"])
    for n, label in enumerate(plan["statuses"]):
        sheet.write_string(STATUS_ROW + n, 0, cell_text(label))
    row = STATUS_ROW + len(plan["statuses"]) + 1
    for column, key in enumerate(("about.stage", "about.sheet", "about.questions")):
        sheet.write_string(row, column, cell_text(texts[key]), styles["header"])
    for stage in plan["stages"]:
        row += 1
        sheet.write_string(row, 0, cell_text(stage["title"]), styles["bank"])
        sheet.write_string(row, 1, cell_text(shape["sheets"]["stages"][stage["id"]]), styles["bank"])
        sheet.write_number(row, 2, len(stage["rows"]), styles["number"])
    row += 1
    for key in plan["layout"]["help"]:
        row += 1
        sheet.write_string(row, 0, cell_text(texts[f"help.{key}"]))
    _print_setup(sheet, plan, shape["sheets"]["overview"], header_row=None)


def _stage_sheet(sheet, plan: dict[str, Any], stage: dict[str, Any], styles: dict[str, Any], statuses: str) -> None:
    shape, texts = plan["layout"], plan["texts"]
    columns = shape["columns"]
    at = {column["key"]: n for n, column in enumerate(columns)}
    style_of = {"bank": "bank", "status": "text", "text": "text", "date": "date", "id": "id", "kept": "text"}
    for n, column in enumerate(columns):
        # The column's format is what a cell typed into takes: text stays text, a date a date.
        style = styles["number"] if column["key"] == "number" else styles[style_of[column["kind"]]]
        sheet.set_column(n, n, column["width"], style, {"hidden": column["kind"] == "kept"})
    sheet.write_string(0, 0, cell_text(shape["title"]), styles["title"])
    sheet.write_string(1, 0, cell_text(stage["title"]), styles["bold"])
    sheet.write_string(2, 0, cell_text(plan["line"]))
    header = HEADER_ROW - 1
    for n, column in enumerate(columns):
        sheet.write_string(header, n, cell_text(column["label"]), styles["header"])
    shown = [column for column in columns if column["kind"] != "kept"]
    sheet.set_row(header, row_points([(c["width"], c["label"]) for c in shown]))
    width = {column["key"]: column["width"] for column in columns}
    for offset, (number, principle, question, hint, qid) in enumerate(stage["rows"], HEADER_ROW):
        sheet.set_row(
            offset, row_points([(width["principle"], principle), (width["question"], question), (width["hint"], hint)])
        )
        sheet.write_number(offset, at["number"], number, styles["number"])
        sheet.write_string(offset, at["principle"], cell_text(principle), styles["bank"])
        sheet.write_string(offset, at["question"], cell_text(question), styles["bank"])
        if hint:
            sheet.write_string(offset, at["hint"], cell_text(hint), styles["bank"])
        sheet.write_string(offset, at["id"], cell_text(qid), styles["id"])
    last = HEADER_ROW + max(len(stage["rows"]), 1) - 1
    prompt = {
        "input_title": cell_text(texts["validation.status_title"], MOST_PROMPT_TITLE),
        "input_message": cell_text(texts["validation.status_prompt"], MOST_PROMPT),
        "error_title": cell_text(texts["validation.status_title"], MOST_PROMPT_TITLE),
        "error_message": cell_text(texts["validation.status_error"], MOST_PROMPT),
    }
    sheet.data_validation(
        HEADER_ROW, at["status"], last, at["status"], {"validate": "list", "source": statuses, **prompt}
    )
    for key in ("due", "done"):
        sheet.data_validation(
            HEADER_ROW,
            at[key],
            last,
            at[key],
            {
                "validate": "date",
                "criteria": "between",
                "minimum": date(1900, 1, 1),
                "maximum": date(9999, 12, 31),
                "input_title": cell_text(texts["validation.date_title"], MOST_PROMPT_TITLE),
                "input_message": cell_text(texts["validation.date_prompt"], MOST_PROMPT),
                "error_title": cell_text(texts["validation.date_title"], MOST_PROMPT_TITLE),
                "error_message": cell_text(texts["validation.date_error"], MOST_PROMPT),
            },
        )
    sheet.freeze_panes(HEADER_ROW, 0)
    sheet.print_area(0, 0, last, at[shape["printed"]])
    _print_setup(sheet, plan, stage["title"], header_row=header)


def _print_setup(sheet, plan: dict[str, Any], title: str, header_row: int | None) -> None:
    """Landscape A4, as wide as one page, the column headings on every page, and the handbook's
    name and the sheet's title in the page header."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_header(f"&L{header_text(plan['layout']['title'])}&R{header_text(title)}")
    sheet.set_footer("&C" + header_text(plan["page"]).replace("{page}", "&P").replace("{pages}", "&N"))


def _labels(tables: list, key: str) -> list[str]:
    """A text in every language, once each."""
    return list(dict.fromkeys(table(key) for table in tables))


def _cut(text: str, most: int) -> str:
    """At most `most` UTF-16 units (as spreadsheets count), never half a character."""
    if len(text) <= most // 2 or len(text.encode("utf-16-le")) <= 2 * most:
        return text
    return text.encode("utf-16-le")[: 2 * most].decode("utf-16-le", errors="ignore")


def _build_moment() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    # Each day's builds share one workbook in the cache: the time of day is of no use to anyone.
    return moment if epoch else moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _cache() -> DiskCache:
    return DiskCache("workbooks", _CODE_VERSION.encode(), keep=16, max_entry=64 * 2**20)


def _code_version() -> str:
    """This module and XlsxWriter's version: a change to either makes every workbook afresh."""
    from importlib.metadata import version

    here = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"{here}-xlsxwriter-{version('XlsxWriter')}"


_CODE_VERSION = _code_version()
