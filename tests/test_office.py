"""Spreadsheets and documents people open and send back: the checklist workbook the build makes
in each language (hooks/workbook.py), and in the browser (assets/office.js: zip.js, workbook.js,
docx.js) a partnership's answers as a workbook, a filled-in workbook imported, and the records
for minutes as Word documents.

Every file is opened by a real office suite: LibreOffice, headless, prints it to PDF, reads its
cells back as CSV, or edits it as a person would and saves it (tests/libreoffice_edit.py, run by
Debian's python3 with its UNO bridge), and the browser imports what LibreOffice saved. Question
ids, texts, stages and labels come from the built site (its assets/bank.js) and the strings
tables, never from this file, so a fork's bank and languages pass too. Each test starts from an
empty browser profile; LibreOffice runs with a profile of the test's own.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

import strings
from support import (
    ROOT,
    WORKSPACE,
    axe_failures,
    bank_files,
    build,
    copy_project,
    languages,
    list_banks,
    open_page,
    project_bank,
    stored,
    tab_to,
)
from support import seed as seed_raw

# LibreOffice opens, prints and edits these files: the quick tier (./run check) leaves them out.
pytestmark = pytest.mark.office

LANGUAGES = languages()
TABLES = strings.load(LANGUAGES)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLD_TIME = "2020-01-01T00:00:00.000Z"
EDIT = ROOT / "tests" / "libreoffice_edit.py"
# Bank text and notes a spreadsheet would run as a formula if it were written as one.
HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1"]


def t(code: str, key: str, **values) -> str:
    return TABLES[code](key, **values)


# ------------------------------------------------------------------ the built site, per language


def site_root(site: Path, code: str) -> Path:
    return site if code == LANGUAGES[0] else site / code


def url_root(base_url: str, code: str) -> str:
    return base_url if code == LANGUAGES[0] else f"{base_url}/{code}"


def bank_data(site: Path, code: str) -> dict:
    """The bank a language's pages carry (assets/bank.js), with the workbook's layout."""
    source = (site_root(site, code) / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))


def column(layout: dict, key: str) -> int:
    return [c["key"] for c in layout["columns"]].index(key)


# ------------------------------------------------------------------ reading an .xlsx in Python


def _q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def cell_ref(row: int, col: int) -> str:
    name, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return f"{name}{row}"


class Sheet:
    """One sheet of a workbook, as its XML says: cells by (row from 1, column from 0)."""

    def __init__(self, book: Xlsx, name: str, xml: bytes) -> None:
        self.book, self.name, self.xml = book, name, xml.decode("utf-8")
        self.root = ET.fromstring(xml)
        self.cells: dict[tuple[int, int], ET.Element] = {}
        for found in self.root.iter(_q("c")):
            letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", found.get("r")).groups()
            index = 0
            for char in letters:
                index = index * 26 + ord(char) - 64
            self.cells[(int(digits), index - 1)] = found

    def text(self, row: int, col: int) -> str:
        found = self.cells.get((row, col))
        if found is None:
            return ""
        kind = found.get("t", "n")
        if kind == "s":
            return self.book.strings[int(found.find(_q("v")).text)]
        if kind == "inlineStr":
            return "".join(t.text or "" for t in found.iter(_q("t")))
        value = found.find(_q("v"))
        return value.text if value is not None else ""

    def row_of(self, text: str, col: int) -> int:
        return next(row for (row, c), _ in sorted(self.cells.items()) if c == col and self.text(row, c) == text)

    def formulas(self) -> list[str]:
        return [cell.get("r") for cell in self.root.iter(_q("c")) if cell.find(_q("f")) is not None]

    def find(self, path: str) -> list[ET.Element]:
        return self.root.findall(path, {"m": MAIN})


class Xlsx:
    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        book = ET.fromstring(self.zip.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))}
        self.names = [s.get("name") for s in book.iter(_q("sheet"))]
        self.paths = {
            s.get("name"): "xl/" + rels[s.get(_q("id", RELATIONSHIPS))].removeprefix("/xl/")
            for s in book.iter(_q("sheet"))
        }
        self.defined = [(d.get("name"), d.get("localSheetId"), d.text) for d in book.iter(_q("definedName"))]
        listed = self.zip.namelist()
        shared = ET.fromstring(self.zip.read("xl/sharedStrings.xml")) if "xl/sharedStrings.xml" in listed else []
        self.strings = ["".join(t.text or "" for t in si.iter(_q("t"))) for si in shared]
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        self.formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(_q("numFmt"))}
        self.xfs = list(styles.find(_q("cellXfs")))

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, name, self.zip.read(self.paths[name]))


# ------------------------------------------------------------------ LibreOffice


def soffice(profile: Path, *args: str, cwd: Path) -> None:
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def as_pdf(source: Path, out: Path) -> list[str]:
    """The document printed by LibreOffice: each page's text, whitespace made single spaces."""
    out.mkdir(parents=True, exist_ok=True)
    soffice(out.parent / "lo-profile", "--convert-to", "pdf", "--outdir", str(out), str(source), cwd=out)
    pdf = out / f"{source.stem}.pdf"
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


def pdf_pages(source: Path, out: Path) -> list:
    as_pdf(source, out)
    return PdfReader(out / f"{source.stem}.pdf").pages


def as_csv(source: Path, out: Path) -> dict[str, list[list[str]]]:
    """What LibreOffice reads in each cell of each sheet: its values as text, formulas not shown
    as formulas (a cell that is a formula would show its result, not what was written)."""
    out.mkdir(parents=True, exist_ok=True)
    # Comma, double quote, UTF-8, from line 1; every sheet to a file of its own (-1).
    spec = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    soffice(out.parent / "lo-profile", "--convert-to", spec, "--outdir", str(out), str(source), cwd=out)
    return {
        path.stem.removeprefix(f"{source.stem}-"): list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for path in out.glob(f"{source.stem}-*.csv")
    }


def edited(source: bytes, edits: list[dict], tmp: Path, name: str = "edited.xlsx") -> bytes:
    """The workbook opened in LibreOffice, edited as a person would (libreoffice_edit.py), saved."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "in.xlsx").write_bytes(source)
    (tmp / "edits.json").write_text(json.dumps(edits), encoding="utf-8")
    profile = tmp / "lo-edit-profile"
    result = subprocess.run(
        ["/usr/bin/python3", str(EDIT), str(tmp / "in.xlsx"), str(tmp / name), str(tmp / "edits.json"), str(profile)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return (tmp / name).read_bytes()


# ------------------------------------------------------------------ the browser


def partnerships_url(base_url: str, code: str) -> str:
    return f"{url_root(base_url, code)}/checklists/partnerships/"


def stage_url(base_url: str, code: str, stage: str) -> str:
    return f"{url_root(base_url, code)}/checklists/{stage}/"


def an_answer(question: str, status="discussed", notes="", updated=OLD_TIME, **extra) -> dict:
    return {
        "status": status,
        "notes": notes,
        "action": {"text": "", "owner": "", "due": ""},
        "updated": updated,
        "question": question,
        **extra,
    }


def seed(page, url: str, answers: dict, name="Riverside and Northshire", **fields) -> None:
    """A workspace in this browser as the handbook stores it, then the page opened afresh."""
    workspace = {
        "format": "partnership-handbook-workspace",
        "version": 2,
        "active": "ours",
        "partnerships": {
            "ours": {
                "name": name,
                "organisation": "",
                "reset": "1970-01-01T00:00:00.000Z",
                "answers": answers,
                "snapshots": [],
                **fields,
            }
        },
    }
    seed_raw(page, url, {WORKSPACE: json.dumps(workspace)})


def active_answers(page) -> dict:
    data = stored(page)
    return data["partnerships"][data["active"]]["answers"]


def download(page, name: str) -> tuple[str, bytes]:
    with page.expect_download() as done:
        page.get_by_role("button", name=name, exact=True).first.click()
    return done.value.suggested_filename, Path(done.value.path()).read_bytes()


def choose(page, code: str, data: bytes, name: str) -> None:
    """Import a file through the page's import button, as a user would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=t(code, "app.record.import"), exact=True).click()
    chooser.value.set_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])


def dialog(page):
    return page.locator("dialog.hb-dialog[open]")


def said(page, text: str) -> None:
    expect(page.locator(".hb-live").first).to_contain_text(text)


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    return errors


def where(layout: dict, question: dict) -> str:
    """The sheet a question is on."""
    return layout["sheets"]["stages"][question["stage"]]


def pick(data: dict, count: int) -> list[dict]:
    """`count` questions (or every one, if the bank has fewer) spread over the stages: one from each
    stage in turn."""
    by_stage = [[q for q in data["questions"] if q["stage"] == s["id"]] for s in data["stages"]]
    count = min(count, len(data["questions"]))
    chosen: list[dict] = []
    depth = 0
    while len(chosen) < count:
        chosen += [questions[depth] for questions in by_stage if depth < len(questions)][: count - len(chosen)]
        depth += 1
    return chosen


# ------------------------------------------------------------------ 1. the blank workbook, built


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_blank_workbook_has_a_sheet_per_stage_each_question_a_row_with_its_controls(site, code):
    data = bank_data(site, code)
    layout = data["workbook"]
    book = Xlsx((site_root(site, code) / "checklist.xlsx").read_bytes())
    sheets = layout["sheets"]
    assert book.names == [sheets["overview"], *(sheets["stages"][s["id"]] for s in data["stages"])]
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in book.names)
    labels = [c["label"] for c in layout["columns"]]
    assert labels == [t(code, f"workbook.columns.{c['key']}") for c in layout["columns"]]
    statuses = [t(code, f"status.{s['id']}") for s in data["statuses"]]

    overview = book.sheet(sheets["overview"])
    assert overview.text(1, 0) == layout["title"] and layout["title"]
    about = {
        overview.text(layout["about"]["row"] + n, 0): overview.text(layout["about"]["row"] + n, 1)
        for n in range(len(layout["about"]["keys"]))
    }
    assert about[t(code, "workbook.about.edition")] == data["edition"]
    assert about[t(code, "workbook.about.handbook")] == layout["title"]

    header = layout["header"]
    for index, stage in enumerate(data["stages"], 1):
        sheet = book.sheet(sheets["stages"][stage["id"]])
        # The handbook's title and edition on the sheet, then the column headings.
        assert sheet.text(1, 0) == layout["title"] and sheet.text(2, 0) == stage["title"]
        assert data["edition"] in sheet.text(3, 0)
        assert [sheet.text(header, n) for n in range(len(labels))] == labels
        questions = [q for q in data["questions"] if q["stage"] == stage["id"]]
        rows = range(header + 1, header + 1 + len(questions))
        assert [sheet.text(r, column(layout, "id")) for r in rows] == [q["id"] for q in questions]
        assert [sheet.text(r, column(layout, "question")) for r in rows] == [q["text"] for q in questions]
        assert [sheet.text(r, column(layout, "number")) for r in rows] == [str(q["number"]) for q in questions]
        assert [sheet.text(r, column(layout, "hint")) for r in rows] == [q.get("hint", "") for q in questions]
        # Text as text: shared strings, never a formula.
        assert not sheet.formulas()
        texts = [sheet.cells[(r, column(layout, "question"))] for r in rows]
        assert {cell.get("t") for cell in texts} == {"s"}

        # The status drop-down lists this language's statuses, kept on the overview.
        checks = {v.get("type"): v for v in sheet.find(".//m:dataValidation") if v.get("type") != "date"}
        status_col = cell_ref(header + 1, column(layout, "status"))[: -len(str(header + 1))]
        listed = checks["list"]
        assert listed.get("sqref") == f"{status_col}{header + 1}:{status_col}{header + len(questions)}"
        source = listed.find("m:formula1", {"m": MAIN}).text
        found = re.fullmatch(r"=?'?(.+?)'?!\$A\$(\d+):\$A\$(\d+)", source)
        assert found and found[1].replace("''", "'") == sheets["overview"], source
        assert [overview.text(r, 0) for r in range(int(found[2]), int(found[3]) + 1)] == statuses
        # Due and done take dates only.
        dated = [v.get("sqref") for v in sheet.find(".//m:dataValidation") if v.get("type") == "date"]
        for key in ("due", "done"):
            letter = cell_ref(1, column(layout, key))[:-1]
            assert f"{letter}{header + 1}:{letter}{header + len(questions)}" in dated, key
        # Frozen heading, wrapped text, columns typed in as text, the ids there but out of the way.
        pane = sheet.find(".//m:pane")[0]
        assert pane.get("state") == "frozen" and pane.get("ySplit") == str(header)
        cols = {
            n - 1: c for c in sheet.find(".//m:cols/m:col") for n in range(int(c.get("min")), int(c.get("max")) + 1)
        }
        for n, wanted in enumerate(layout["columns"]):
            assert wanted["width"] <= float(cols[n].get("width")) <= wanted["width"] + 1, wanted["key"]

        def style(key: str, cols=cols) -> ET.Element:
            return book.xfs[int(cols[column(layout, key)].get("style"))]

        assert style("question").find(_q("alignment")).get("wrapText") == "1"
        for key in ("notes", "action", "owner"):
            number_format = int(style(key).get("numFmtId"))
            assert number_format == 49 or book.formats.get(number_format) == "@", f"{key} is not formatted as text"
        assert "yyyy" in book.formats[int(style("due").get("numFmtId"))]
        assert cols[column(layout, "kept")].get("hidden") == "1"
        assert column(layout, "id") > column(layout, "done")
        # Printed: landscape A4, as wide as one page, the headings on every page, the name on top.
        setup = sheet.find("m:pageSetup")[0]
        assert (
            setup.get("orientation"),
            setup.get("paperSize"),
            setup.get("fitToWidth", "1"),  # the default, as the standard gives it
            setup.get("fitToHeight", "1"),
        ) == ("landscape", "9", "1", "0")
        assert sheet.find("m:sheetPr/m:pageSetUpPr")[0].get("fitToPage") == "1"
        assert ("_xlnm.Print_Titles", str(index)) in [(n, i) for n, i, _ in book.defined]
        titles = next(v for n, i, v in book.defined if n == "_xlnm.Print_Titles" and i == str(index))
        assert titles.endswith(f"!${header}:${header}")
        page_header = sheet.find("m:headerFooter/m:oddHeader")[0].text
        assert layout["title"].replace("&", "&&") in page_header and "&L" in page_header


@pytest.mark.parametrize("code", LANGUAGES)
def test_libreoffice_prints_the_blank_workbook_landscape_and_reads_every_question_as_text(site, code, tmp_path):
    data = bank_data(site, code)
    layout = data["workbook"]
    source = tmp_path / f"checklist-{code}.xlsx"
    shutil.copy(site_root(site, code) / "checklist.xlsx", source)
    cells = as_csv(source, tmp_path / "csv")
    for stage in data["stages"]:
        rows = cells[layout["sheets"]["stages"][stage["id"]]]
        header = rows[layout["header"] - 1]
        assert header[: len(layout["columns"])] == [c["label"] for c in layout["columns"]]
        by_id = {row[column(layout, "id")]: row for row in rows[layout["header"] :]}
        for question in (q for q in data["questions"] if q["stage"] == stage["id"]):
            assert by_id[question["id"]][column(layout, "question")] == question["text"]
    pages = pdf_pages(source, tmp_path / "pdf")
    assert len(pages) >= 1 + len(data["stages"])
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height and round(width) == 842 and round(height) == 595, "not landscape A4"
        text = " ".join(page.extract_text().split())
        assert text.startswith(" ".join(layout["title"].split())), "no page header with the handbook's name"
    printed = [" ".join(p.extract_text().split()) for p in pages]
    for stage in data["stages"]:
        assert any(" ".join(stage["title"].split()) in text for text in printed[1:]), stage["id"]


def test_hostile_bank_text_lands_in_the_workbook_as_text_never_a_formula(tmp_path):
    """A fork's question that reads like a formula is a string cell, and LibreOffice shows it as written."""
    bank = project_bank()
    stage, principle = bank.stages[0].id, bank.principles[0].id
    config = copy_project(tmp_path / "project")
    questions = "".join(
        f"  - id: hostile-{n}\n    stage: {stage}\n    principle: {principle}\n    text: {json.dumps(text)}\n"
        f"    hint: {json.dumps(text + ' (hint)')}\n"
        for n, text in enumerate(HOSTILE)
    )
    (config.parent / "hostile.yml").write_text(
        f"organisation:\n  name: Hostile Test\nquestions:\n{questions}", encoding="utf-8"
    )
    list_banks(config, *bank_files(), "hostile.yml")
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for code in LANGUAGES:
        layout = bank_data(tmp_path / "site", code)["workbook"]
        path = site_root(tmp_path / "site", code) / "checklist.xlsx"
        book = Xlsx(path.read_bytes())
        sheet = book.sheet(layout["sheets"]["stages"][stage])
        assert not sheet.formulas()
        ids = {sheet.text(row, column(layout, "id")): row for (row, c) in sheet.cells if c == column(layout, "id")}
        for n, text in enumerate(HOSTILE):
            row = ids[f"hostile-{n}"]
            cell = sheet.cells[(row, column(layout, "question"))]
            assert cell.get("t") == "s" and cell.find(_q("f")) is None
            # Other languages' stand-in translations repeat the text as it is.
            assert sheet.text(row, column(layout, "question")) == text
        shown = as_csv(path, tmp_path / f"csv-{code}")[layout["sheets"]["stages"][stage]]
        by_id = {row[column(layout, "id")]: row for row in shown[layout["header"] :]}
        for n, text in enumerate(HOSTILE):
            assert by_id[f"hostile-{n}"][column(layout, "question")] == text
            assert by_id[f"hostile-{n}"][column(layout, "hint")] == text + " (hint)"


# ------------------------------------------------------------------ 2. filled in, brought back


@pytest.mark.parametrize(
    ("made_in", "read_in"), [(LANGUAGES[0], LANGUAGES[-1]), (LANGUAGES[-1], LANGUAGES[0])], ids=["first", "last"]
)
def test_the_blank_workbook_filled_in_in_libreoffice_imports_and_shows_on_the_stage_pages(
    page, base_url, site, tmp_path, made_in, read_in
):
    """A newcomer downloads the blank workbook, fills it in in LibreOffice (in one language of the
    handbook) and imports it (in another): every answer shows on the stage pages."""
    errors = watch(page)
    data, layout = bank_data(site, made_in), bank_data(site, made_in)["workbook"]
    open_page(page, stage_url(base_url, made_in, data["stages"][0]["id"]))
    with page.expect_download() as done:
        page.get_by_role("link", name=t(made_in, "toolbar.xlsx")).first.click()
    blank = Path(done.value.path()).read_bytes()
    assert done.value.suggested_filename == "checklist.xlsx"
    assert blank == (site_root(site, made_in) / "checklist.xlsx").read_bytes()

    label = {s["id"]: t(made_in, f"status.{s['id']}") for s in data["statuses"]}
    ids = [s["id"] for s in data["statuses"]]
    chosen = pick(data, 2 * len(data["stages"]))
    expected = {}
    edits = []
    for n, question in enumerate(chosen):
        status = ids[1 + n % (len(ids) - 1)]
        notes = [f"Café with Zoë and Siân, naïve plans {n}", HOSTILE[n % 4] + " is what we typed", "1 March"][n % 3]
        due = f"2031-05-{n + 1:02d}"
        row = {"sheet": where(layout, question), "find": question["id"]}
        edits += [
            {**row, "column": column(layout, "status"), "string": label[status]},
            {**row, "column": column(layout, "notes"), "string": notes},
            {**row, "column": column(layout, "owner"), "string": "Ana Siân"},
            # Typed into a date cell: LibreOffice makes it a date.
            {**row, "column": column(layout, "due"), "formula": due},
        ]
        expected[question["id"]] = (status, notes, due)
    partnership_row = layout["about"]["row"] + layout["about"]["keys"].index("partnership")
    edits.append({"sheet": layout["sheets"]["overview"], "row": partnership_row, "column": 1, "string": "Riverside"})
    filled = edited(blank, edits, tmp_path / "lo")

    open_page(page, partnerships_url(base_url, read_in))
    choose(page, read_in, filled, "checklist-filled.xlsx")
    box = dialog(page)
    expect(box.locator("h2")).to_have_text(t(read_in, "browser.import.title", file="checklist-filled.xlsx"))
    expect(box.locator("[data-hb-list=problems]")).to_be_hidden()
    counts = t(
        read_in,
        "browser.import.counts",
        n=len(expected),
        newer="0",
        older="0",
        same="0",
        added=str(len(expected)),
        name=t(read_in, "browser.partnerships.default_name"),
    )
    expect(box.locator("[data-hb-preview]")).to_have_text(counts)
    box.get_by_role("button", name=t(read_in, "app.import.new")).click()
    said(page, t(read_in, "browser.import.as_new", file="checklist-filled.xlsx", name="Riverside"))

    for stage in data["stages"]:
        open_page(page, stage_url(base_url, read_in, stage["id"]))
        for qid, (status, notes, due) in expected.items():
            if next(q for q in data["questions"] if q["id"] == qid)["stage"] != stage["id"]:
                continue
            assert page.locator(f"#hb-status-{qid}").input_value() == status
            assert page.locator(f"#hb-notes-{qid}").input_value() == notes
            assert page.locator(f"#hb-who-{qid}").input_value() == "Ana Siân"
            assert page.locator(f"#hb-due-{qid}").input_value() == due
        expect(page.locator("[data-hb-workspace]")).to_contain_text("Riverside")
    assert not errors, errors


def exported_workbook(page, base_url, code, answers, tmp_path, **fields) -> tuple[str, bytes]:
    seed(page, partnerships_url(base_url, code), answers, **fields)
    return download(page, t(code, "app.record.workbook"))


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_browser_writes_the_blank_workbooks_layout(page, base_url, site, code):
    """One layout, two writers: a partnership with no answers, exported from the browser, has the
    build's blank workbook's sheets, headings, rows, row heights, drop-down and date checks."""
    data = bank_data(site, code)
    layout = data["workbook"]
    blank = Xlsx((site_root(site, code) / "checklist.xlsx").read_bytes())
    seed(page, partnerships_url(base_url, code), {})
    _, exported = download(page, t(code, "app.record.workbook"))
    ours = Xlsx(exported)
    assert ours.names == [*blank.names, layout["sheets"]["review"]]

    def shape(sheet: Sheet) -> dict:
        rows = sorted({row for row, _ in sheet.cells})
        return {
            "cells": {key: sheet.text(*key) for key in sheet.cells if key[0] != 3},  # row 3: whose, and when
            "heights": {r.get("r"): r.get("ht") for r in sheet.find(".//m:row") if int(r.get("r")) > 3},
            "checks": sorted((v.get("type"), v.get("sqref")) for v in sheet.find(".//m:dataValidation")),
            "frozen": [(p.get("ySplit"), p.get("state")) for p in sheet.find(".//m:pane")],
            "rows": rows[-1],
        }

    for name in blank.names[1:]:
        theirs, mine = shape(blank.sheet(name)), shape(ours.sheet(name))
        for key in theirs:
            assert mine[key] == theirs[key], f"{name}: {key} differs"
    overview = [blank.sheet(blank.names[0]), ours.sheet(blank.names[0])]
    status_rows = range(layout["statusRow"] + 1, layout["statusRow"] + 1 + len(data["statuses"]))
    assert [overview[0].text(r, 0) for r in status_rows] == [overview[1].text(r, 0) for r in status_rows]
    about = range(layout["about"]["row"], layout["about"]["row"] + len(layout["about"]["keys"]))
    assert [overview[0].text(r, 0) for r in about] == [overview[1].text(r, 0) for r in about]


def test_an_exported_workbook_holds_every_answer_and_libreoffice_shows_it(page, base_url, site, tmp_path):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    layout = data["workbook"]
    chosen = pick(data, min(6, len(data["questions"])))
    answers = {
        q["id"]: an_answer(
            q["text"],
            data["statuses"][1 + n % (len(data["statuses"]) - 1)]["id"],
            f"Note {n}: café {HOSTILE[n % 4]}",
            action={
                "text": f"Act {n}",
                "owner": "Jo",
                "due": "2031-05-01",
                **({"done": "2031-04-01"} if n == 0 else {}),
            },
        )
        for n, q in enumerate(chosen)
    }
    # Control characters XML cannot hold are left out; the rest of the note stays.
    answers[chosen[0]["id"]]["notes"] += " bell\u0007 end"
    answers["a-retired-question"] = an_answer("What did we retire?", "follow-up", "Kept from an old edition")
    snapshot = {"name": "Set-up", "taken": "2030-01-01T10:00:00.000Z", "answers": {}}
    name, data_bytes = exported_workbook(page, base_url, code, answers, tmp_path, snapshots=[snapshot])
    assert re.fullmatch(r"riverside-and-northshire-answers-\d{4}-\d\d-\d\d\.xlsx", name)
    said(page, t(code, "browser.office.workbook_done", n=len(answers), name="Riverside and Northshire"))

    book = Xlsx(data_bytes)
    sheets = layout["sheets"]
    assert book.names == [
        sheets["overview"],
        *(sheets["stages"][s["id"]] for s in data["stages"]),
        sheets["retired"],
        sheets["review"],
    ]
    for sheet_name in book.names:
        sheet = book.sheet(sheet_name)
        assert not sheet.formulas(), f"{sheet_name} has a formula"
    for q in chosen:
        sheet = book.sheet(where(layout, q))
        row = sheet.row_of(q["id"], column(layout, "id"))
        notes = sheet.cells[(row, column(layout, "notes"))]
        assert notes.get("t") == "inlineStr"
        assert sheet.text(row, column(layout, "notes")) == answers[q["id"]]["notes"].replace("\u0007", "")
        assert sheet.text(row, column(layout, "status")) == t(code, f"status.{answers[q['id']]['status']}")
    first = book.sheet(where(layout, chosen[0]))
    assert first.find(".//m:pane")[0].get("state") == "frozen"

    source = tmp_path / "answers.xlsx"
    source.write_bytes(data_bytes)
    shown = as_csv(source, tmp_path / "csv")
    for q in chosen:
        rows = {row[column(layout, "id")]: row for row in shown[where(layout, q)][layout["header"] :]}
        assert rows[q["id"]][column(layout, "notes")] == answers[q["id"]]["notes"].replace("\u0007", "")
        assert rows[q["id"]][column(layout, "action")] == answers[q["id"]]["action"]["text"]
    retired = {row[column(layout, "id")]: row for row in shown[sheets["retired"]][layout["header"] :]}
    assert retired["a-retired-question"][column(layout, "question")] == "What did we retire?"
    assert "Set-up" in json.dumps(shown[sheets["review"]])
    pages = pdf_pages(source, tmp_path / "pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    for q in chosen:
        assert f"Note {chosen.index(q)}: café" in text
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in pages)


def test_an_exported_workbook_edited_in_libreoffice_comes_back_with_every_change(page, base_url, site, tmp_path):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    layout = data["workbook"]
    status = [s["id"] for s in data["statuses"]]
    label = {s: t(code, f"status.{s}") for s in status}
    a, b, c, d, e, f, g = pick(data, 7)
    answers = {
        q["id"]: an_answer(q["text"], status[1], f"Before {n}", action={"text": "", "owner": "", "due": ""})
        for n, q in enumerate((a, b, c, d, f))
    }
    answers[f["id"]].update(
        dissent="Northshire disagreed",
        action={"text": "Send it", "owner": "Jo", "due": "2031-01-01", "done": "2030-12-01"},
    )
    answers[g["id"]] = an_answer("An older wording of it?", status[2], "Answered long ago")
    answers["a-retired-question"] = an_answer("What did we retire?", status[-1], "Kept")
    _, exported = exported_workbook(page, base_url, code, answers, tmp_path)

    def at(question, key, **what):
        return {"sheet": where(layout, question), "find": question["id"], "column": column(layout, key), **what}

    changed = edited(
        exported,
        [
            at(a, "status", string=label[status[-1]]),
            at(a, "notes", string="Newer: café ☕ naïve — Zoë"),
            at(b, "notes", string="=1+2 stays as typed"),
            at(c, "due", formula="2031-06-30"),
            at(d, "status", string=""),
            at(d, "notes", string=""),
            at(e, "status", string=label[status[1]]),
            at(e, "notes", formula="1 March"),
            at(e, "action", formula="=1+1"),
        ],
        tmp_path / "lo",
    )

    open_page(page, partnerships_url(base_url, code))
    before = active_answers(page)
    choose(page, code, changed, "edited.xlsx")
    box = dialog(page)
    counts = t(
        code,
        "browser.import.counts",
        n=len(answers) + 1,
        newer="4",
        older="0",
        same=str(len(answers) - 4),
        added="1",
        name="Riverside and Northshire",
    )
    expect(box.locator("[data-hb-preview]")).to_have_text(counts)
    expect(box.locator("[data-hb-list=problems]")).to_be_hidden()
    assert active_answers(page) == before, "nothing changes before the user confirms"
    box.get_by_role("button", name=t(code, "app.import.merge")).click()
    said(
        page,
        t(
            code,
            "browser.import.merged",
            file="edited.xlsx",
            name="Riverside and Northshire",
            taken="5",
            kept=str(len(answers) - 4),
        ),
    )

    after = active_answers(page)
    assert (after[a["id"]]["status"], after[a["id"]]["notes"]) == (status[-1], "Newer: café ☕ naïve — Zoë")
    assert after[b["id"]]["notes"] == "=1+2 stays as typed"
    assert after[c["id"]]["action"]["due"] == "2031-06-30" and after[c["id"]]["notes"] == "Before 2"
    assert (after[d["id"]]["status"], after[d["id"]]["notes"]) == (status[0], ""), "a cleared row clears the answer"
    assert (after[e["id"]]["status"], after[e["id"]]["notes"]) == (status[1], "1 March")
    assert after[e["id"]]["action"]["text"] == "=1+1", "a formula someone typed comes back as its text"
    for edited_id in (a["id"], b["id"], c["id"], d["id"], e["id"]):
        assert after[edited_id]["updated"] > OLD_TIME
    # Rows left as they were come back as they were: times, done, dissent, the wording answered.
    assert after[f["id"]] == before[f["id"]]
    assert after[f["id"]]["action"]["done"] == "2030-12-01" and after[f["id"]]["dissent"] == "Northshire disagreed"
    assert after[g["id"]] == before[g["id"]] and after[g["id"]]["question"] == "An older wording of it?"
    assert after["a-retired-question"] == before["a-retired-question"]
    open_page(page, stage_url(base_url, code, a["stage"]))
    assert page.locator(f"#hb-notes-{a['id']}").input_value() == "Newer: café ☕ naïve — Zoë"


def test_each_cell_that_cannot_be_read_is_named_by_sheet_and_row_and_nothing_changes_until_confirmed(
    page, base_url, site, tmp_path
):
    code = LANGUAGES[-1]  # the messages in the handbook's last language
    data = bank_data(site, code)
    layout = data["workbook"]
    status = [s["id"] for s in data["statuses"]]
    chosen = pick(data, 8)
    answers = {q["id"]: an_answer(q["text"], status[1], f"Here {n}") for n, q in enumerate(chosen)}
    _, exported = exported_workbook(page, base_url, code, answers, tmp_path)
    book = Xlsx(exported)
    row = {q["id"]: book.sheet(where(layout, q)).row_of(q["id"], column(layout, "id")) for q in chosen}
    # Of the two rows that will hold one id, the one read first keeps it.
    order = [s["id"] for s in data["stages"]]
    first, twice = sorted(chosen[4:6], key=lambda q: (order.index(q["stage"]), row[q["id"]]))
    bad_status, bad_date, bad_id, no_id, _, _, renamed, good = chosen

    def at(question, key, **what):
        return {"sheet": where(layout, question), "find": question["id"], "column": column(layout, key), **what}

    changed = edited(
        exported,
        [
            at(bad_status, "status", string="Finished, more or less"),
            at(bad_date, "due", string="next Tuesday"),
            at(no_id, "notes", string="A note whose row lost its id"),
            at(no_id, "id", string=""),
            at(bad_id, "id", string="Not An Id!"),
            at(first, "id", string=twice["id"]),
            at(renamed, "id", string="made-up-question"),
            at(good, "notes", string="Read well"),
            {"new_sheet": "Our own notes", "row": 1, "column": 0, "string": "Bring biscuits"},
        ],
        tmp_path / "lo",
    )

    open_page(page, partnerships_url(base_url, code))
    before = active_answers(page)
    choose(page, code, changed, "edited.xlsx")
    box = dialog(page)
    statuses = ", ".join(t(code, f"status.{s}") for s in status)
    sheet = lambda q: where(layout, q)  # noqa: E731
    expected = [
        t(
            code,
            "browser.office.not_status",
            sheet=sheet(bad_status),
            row=row[bad_status["id"]],
            value="Finished, more or less",
            statuses=statuses,
        ),
        t(
            code,
            "browser.office.not_date",
            sheet=sheet(bad_date),
            row=row[bad_date["id"]],
            value="next Tuesday",
            column=t(code, "workbook.columns.due"),
        ),
        t(code, "browser.office.not_id", sheet=sheet(bad_id), row=row[bad_id["id"]], id="Not An Id!"),
        t(code, "browser.office.no_id", sheet=sheet(no_id), row=row[no_id["id"]]),
        t(
            code,
            "browser.office.twice",
            sheet=sheet(twice),
            row=row[twice["id"]],
            id=twice["id"],
            other=sheet(first),
            at=row[first["id"]],
        ),
        t(code, "browser.office.no_ids", sheet="Our own notes", column=t(code, "workbook.columns.id")),
    ]
    problems = box.locator("[data-hb-list=problems] li")
    expect(box.locator("[data-hb-list=problems]")).to_be_visible()
    assert sorted(problems.all_inner_texts()) == sorted(expected)
    # A row whose id names no question of the handbook is kept, as an answer to a retired question.
    expect(box.locator("[data-hb-list=retired]")).to_contain_text(renamed["text"])
    assert not axe_failures(page, "import preview with problems")
    assert active_answers(page) == before
    box.get_by_role("button", name=t(code, "app.cancel")).click()
    said(page, t(code, "browser.import.cancelled", file="edited.xlsx"))
    assert active_answers(page) == before

    choose(page, code, changed, "edited.xlsx")
    dialog(page).get_by_role("button", name=t(code, "app.import.merge")).click()
    # The merge is saved after the click returns: wait for the good row to change, then read.
    page.wait_for_function(
        """([key, id, old]) => { const kept = JSON.parse(localStorage.getItem(key));
          return kept.partnerships[kept.active].answers[id]?.notes !== old }""",
        arg=[WORKSPACE, good["id"], before[good["id"]]["notes"]],
    )
    after = active_answers(page)
    for unread in (bad_status, bad_date, bad_id, no_id):
        assert after[unread["id"]] == before[unread["id"]], "a row that could not be read changes nothing"
    assert after[good["id"]]["notes"] == "Read well"
    assert after["made-up-question"]["notes"] == before[renamed["id"]]["notes"]


def test_what_other_spreadsheet_programs_write_is_read(page, base_url, site):
    """Shapes Excel and Google Sheets write that our own writer does not: shared strings with rich
    text runs and phonetic guides, prefixed element names, cells without references, booleans,
    dates kept as numbers (here in the 1904 system) with built-in and custom formats, a time, a
    formula's cached result, escaped line breaks, columns in another order under headings in two
    languages, and the heading row somewhere else."""
    code = LANGUAGES[0]
    data = bank_data(site, code)
    layout = data["workbook"]
    known = layout["known"]["columns"]
    label = {s["id"]: layout["known"]["statuses"][s["id"]][-1] for s in data["statuses"]}
    q1, q2, q3, q4 = pick(data, 4)
    texts = [
        known["id"][-1],
        known["status"][0],
        known["notes"][-1],
        known["due"][0],
        known["owner"][0],
        q1["id"],
        q2["id"],
        q3["id"],
        q4["id"],
    ]
    n = len(texts)
    agreed = label["agreed"]
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in texts) + (
        f"<si><r><rPr><b/></rPr><t>{escape(agreed[:3])}</t></r><r><t>{escape(agreed[3:])}</t></r></si>"  # n
        "<si><t>Phonetic</t><rPh sb='0' eb='1'><t>IGNORED</t></rPh></si>"  # n + 1
        "<si><t>Line one_x000D_\nline two</t></si>"  # n + 2
    )
    discussed = escape(label["discussed"])

    def cell(ref: str, value: str, kind: str = "", style: str = "", formula: str = "", runs: tuple = ()) -> str:
        attributes = (
            (f' r="{ref}"' if ref else "") + (f' t="{kind}"' if kind else "") + (f' s="{style}"' if style else "")
        )
        if runs:
            return f"<x:c{attributes}><x:is>{''.join(f'<x:r><x:t>{run}</x:t></x:r>' for run in runs)}</x:is></x:c>"
        return f"<x:c{attributes}>{f'<x:f>{formula}</x:f>' if formula else ''}<x:v>{value}</x:v></x:c>"

    rows = [
        [cell("A1", "", "inlineStr", runs=("Our own title row",))],
        [cell("", str(index), "s") for index in range(5)],  # the headings, their cells without references
        [
            cell("A3", "5", "s"),
            cell("B3", str(n), "s"),
            cell("C3", "1", "b"),
            cell("D3", "45776", style="1"),
            cell("E3", str(n + 1), "s"),
        ],
        [
            cell("A4", "6", "s"),
            cell("B4", discussed, "str", formula=f'IF(1,"{discussed}","")'),
            cell("C4", "45776", style="2"),
            cell("D4", "", "inlineStr", runs=("2031-07", "-01")),
        ],
        [cell("A5", "7", "s"), cell("C5", str(n + 2), "s")],
        [cell("A6", "8", "s"), cell("C6", "42"), cell("D6", "0.5", style="3")],
    ]
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        + "".join(f'<x:row r="{number}">{"".join(cells)}</x:row>' for number, cells in enumerate(rows, 1))
        + "</x:sheetData></x:worksheet>"
    )
    formats = '<numFmts count="1"><numFmt numFmtId="170" formatCode="d\\ mmm\\ yyyy;@"/></numFmts>'
    xfs = "".join(f'<xf numFmtId="{number}"/>' for number in (0, 14, 170, 20))
    styles = f'<styleSheet xmlns="{MAIN}">{formats}<cellXfs count="4">{xfs}</cellXfs></styleSheet>'
    relationships = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'/>",
        "_rels/.rels": f"<Relationships xmlns='{relationships}'><Relationship Id='r1' "
        f"Type='{RELATIONSHIPS}/officeDocument' Target='/xl/workbook.xml'/></Relationships>",
        "xl/workbook.xml": f"<x:workbook xmlns:x='{MAIN}' xmlns:r='{RELATIONSHIPS}'><x:workbookPr date1904='1'/>"
        "<x:sheets><x:sheet name='Sheet1' sheetId='1' r:id='rId7'/></x:sheets></x:workbook>",
        "xl/_rels/workbook.xml.rels": f"<Relationships xmlns='{relationships}'>"
        f"<Relationship Id='rId7' Type='{RELATIONSHIPS}/worksheet' Target='worksheets/sheet1.xml'/>"
        f"<Relationship Id='rId8' Type='{RELATIONSHIPS}/sharedStrings' Target='sharedStrings.xml'/>"
        f"<Relationship Id='rId9' Type='{RELATIONSHIPS}/styles' Target='styles.xml'/></Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f"<sst xmlns='{MAIN}'>{shared}</sst>",
        "xl/styles.xml": styles,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    open_page(page, partnerships_url(base_url, code))
    read = page.evaluate(
        "async (bytes) => (await handbook.files.loadOffice()).readWorkbook(new Uint8Array(bytes).buffer)",
        list(out.getvalue()),
    )
    day = (datetime.date(1904, 1, 1) + datetime.timedelta(days=45776)).isoformat()
    got = read["answers"]
    assert got[q1["id"]]["status"] == "agreed" and got[q1["id"]]["notes"] == "TRUE"
    assert got[q1["id"]]["action"]["due"] == day and got[q1["id"]]["action"]["owner"] == "Phonetic"
    assert got[q2["id"]]["status"] == "discussed" and got[q2["id"]]["notes"] == day, "a date typed in notes"
    assert got[q2["id"]]["action"]["due"] == "2031-07-01"
    assert got[q3["id"]]["status"] == data["statuses"][0]["id"] and got[q3["id"]]["notes"] == "Line one\nline two"
    # A time of day under "By when" is no date: its row is named, not read.
    assert q4["id"] not in got
    assert read["problems"] == [
        t(code, "browser.office.not_date", sheet="Sheet1", row=6, value="12:00", column=t(code, "workbook.columns.due"))
    ]


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"this is a note, not a workbook", "browser.office.not_workbook"), (None, "browser.office.no_sheets")],
    ids=["not-a-zip", "no-question-sheet"],
)
def test_a_file_that_is_no_workbook_of_answers_is_refused_and_nothing_changes(page, base_url, site, content, why):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    if content is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "_rels/.rels",
                "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/"
                f"relationships'><Relationship Id='r1' Type='{RELATIONSHIPS}/officeDocument' "
                "Target='xl/workbook.xml'/></Relationships>",
            )
            archive.writestr("xl/workbook.xml", f"<workbook xmlns='{MAIN}'><sheets/></workbook>")
        content = out.getvalue()
    question = data["questions"][0]
    seed(page, partnerships_url(base_url, code), {question["id"]: an_answer(question["text"], notes="Mine")})
    before = active_answers(page)
    choose(page, code, content, "notes.xlsx")
    reason = t(code, why, column=t(code, "workbook.columns.id"))
    said(page, t(code, "browser.import.refused", file="notes.xlsx", why=reason))
    assert active_answers(page) == before
    assert page.locator("dialog.hb-dialog[open]").count() == 0


# ------------------------------------------------------------------ 3. records as Word documents


def paragraphs(docx: bytes) -> list[tuple[str, str]]:
    """Each paragraph of a .docx: its style id and its text (line breaks as newlines)."""
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    found = []
    for p in root.iter(_q("p", W)):
        style = p.find(f"{_q('pPr', W)}/{_q('pStyle', W)}")
        text = ""
        for node in p.iter():
            if node.tag == _q("t", W):
                text += node.text or ""
            elif node.tag == _q("br", W):
                text += "\n"
            elif node.tag == _q("tab", W):
                text += "\t"
        found.append((style.get(_q("val", W)) if style is not None else "Normal", text))
    return found


def headings_in_libreoffice(source: Path, out: Path) -> list[tuple[str, str]]:
    """The headings LibreOffice finds (its navigator lists these): converted to ODT, read back."""
    out.mkdir(parents=True, exist_ok=True)
    soffice(out.parent / "lo-profile", "--convert-to", "odt", "--outdir", str(out), str(source), cwd=out)
    content = ET.fromstring(zipfile.ZipFile(out / f"{source.stem}.odt").read("content.xml"))
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    return [(h.get(f"{{{text}}}outline-level"), "".join(h.itertext())) for h in content.iter(f"{{{text}}}h")]


@pytest.mark.parametrize("code", [LANGUAGES[0], LANGUAGES[-1]], ids=["first", "last"])
def test_the_record_for_minutes_as_a_word_document_has_every_answer_under_real_headings(
    page, base_url, site, tmp_path, code
):
    data = bank_data(site, code)
    chosen = pick(data, 3)
    markdownish = "<script>alert(1)</script> *not em* [link](https://x.example)\n# not a heading"
    answers = {
        chosen[0]["id"]: an_answer(
            chosen[0]["text"],
            "agreed",
            markdownish,
            action={"text": "Write it up", "owner": "Siân", "due": "2031-05-01"},
        ),
        chosen[1]["id"]: an_answer(chosen[1]["text"], data["statuses"][-1]["id"], HOSTILE[0]),
        chosen[2]["id"]: an_answer("An older wording?", data["statuses"][1]["id"], "Reworded since"),
        "a-retired-question": an_answer("What did we retire?", "discussed", "Kept"),
    }
    snapshot = {"name": "Set-up review", "taken": "2030-01-01T10:00:00.000Z", "answers": {}}
    seed(page, partnerships_url(base_url, code), answers, organisation="Riverside Council", snapshots=[snapshot])
    name, docx = download(page, t(code, "app.record.word"))
    assert re.fullmatch(r"riverside-and-northshire-minutes-\d{4}-\d\d-\d\d\.docx", name)
    said(page, t(code, "browser.office.record_done", name="Riverside and Northshire"))

    found = paragraphs(docx)
    assert found[0] == ("Heading1", "Riverside and Northshire")
    stage_titles = [s["title"] for s in data["stages"]]
    h2 = [text for style, text in found if style == "Heading2"]
    assert h2[: len(stage_titles)] == stage_titles
    assert t(code, "browser.record.retired") in h2 and t(code, "browser.record.review_points") in h2
    principles = {p["title"] for p in data["principles"]}
    assert {text for style, text in found if style == "Heading3"} <= principles
    questions = [text for style, text in found if style == "Question"]
    for question in data["questions"]:
        assert f"{question['number']}. {question['text']}" in questions
    answered = [text for style, text in found if style == "Answer"]
    assert t(code, "browser.record.notes", notes=markdownish) in answered
    assert t(code, "browser.record.notes", notes=HOSTILE[0]) in answered
    assert (
        t(
            code,
            "browser.record.action",
            action=f"Write it up; {t(code, 'browser.action.owner', owner='Siân')}; "
            f"{t(code, 'browser.action.due', due='2031-05-01')}",
        )
        in answered
    )
    assert t(code, "browser.record.then", question="An older wording?") in answered
    assert any(text.startswith("Set-up review, ") for text in answered)
    # "Status: {status}", wherever a language puts the status in the text.
    before, after = t(code, "browser.record.status", status="\0").split("\0")
    statuses = [text for text in answered if text.startswith(before) and text.endswith(after)]
    assert len(statuses) == len(data["questions"]) + 1

    styles = ET.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/styles.xml"))
    for level in (1, 2, 3):
        style = next(s for s in styles.iter(_q("style", W)) if s.get(_q("styleId", W)) == f"Heading{level}")
        assert style.find(_q("name", W)).get(_q("val", W)) == f"heading {level}"
        assert style.find(f"{_q('pPr', W)}/{_q('outlineLvl', W)}").get(_q("val", W)) == str(level - 1)

    source = tmp_path / "minutes.docx"
    source.write_bytes(docx)
    outline = headings_in_libreoffice(source, tmp_path / "odt")
    assert outline[0] == ("1", "Riverside and Northshire")
    assert [text for level, text in outline if level == "2"][: len(stage_titles)] == stage_titles
    assert {text for level, text in outline if level == "3"} <= principles
    pages = as_pdf(source, tmp_path / "pdf")
    text = " ".join(pages)
    for line in markdownish.split("\n"):
        assert line in text
    assert HOSTILE[0] in text and "Riverside Council" in text


def test_where_we_differ_exports_as_a_word_document(page, base_url, site, tmp_path):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    first, second = pick(data, 2)
    statuses = [s["id"] for s in data["statuses"]]

    def partner(name: str, status: str) -> bytes:
        answers = {q["id"]: an_answer(q["text"], status, f"{name} on {q['id']}") for q in (first, second)}
        return json.dumps(
            {
                "format": "partnership-handbook-answers",
                "version": 2,
                "handbook": {"title": "x", "edition": data["edition"]},
                "partnership": {"name": "P"},
                "organisation": {"name": name},
                "exported": OLD_TIME,
                "answers": answers,
                "snapshots": [],
            }
        ).encode()

    page.goto(f"{url_root(base_url, code)}/checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    page.set_input_files(
        "#hb-files",
        files=[
            {
                "name": "riverside.json",
                "mimeType": "application/json",
                "buffer": partner("Riverside Council", statuses[1]),
            },
            {
                "name": "northshire.json",
                "mimeType": "application/json",
                "buffer": partner("Northshire Trust", statuses[2]),
            },
        ],
    )
    expect(page.locator(".hb-compare-results")).to_be_visible()
    with page.expect_download() as done:
        page.get_by_role("button", name=t(code, "app.compare.word")).click()
    assert re.fullmatch(r"where-we-differ-\d{4}-\d\d-\d\d\.docx", done.value.suggested_filename)
    docx = Path(done.value.path()).read_bytes()
    found = paragraphs(docx)
    assert found[0] == ("Heading1", t(code, "browser.compare.sheet_title"))
    questions = [text for style, text in found if style == "Question"]
    assert f"{first['number']}. {first['text']}" in questions and f"{second['number']}. {second['text']}" in questions
    answered = [text for style, text in found if style == "Answer"]
    assert any(text.startswith("Riverside Council: riverside.json") for text in answered)
    assert f"Riverside Council: {t(code, f'status.{statuses[1]}')}" in "\n".join(answered)
    assert f"Northshire Trust on {first['id']}" in "\n".join(answered)
    h2 = [text for style, text in found if style == "Heading2"]
    assert h2[0] == t(code, "browser.compare.partners")
    assert {first["stage"], second["stage"]} <= {s["id"] for s in data["stages"] if s["title"] in h2}
    source = tmp_path / "differ.docx"
    source.write_bytes(docx)
    text = " ".join(as_pdf(source, tmp_path / "pdf"))
    assert "Riverside Council" in text and "Northshire Trust" in text and first["text"] in text


# ------------------------------------------------------------------ 4. loading, the bar, the keyboard


def test_the_office_code_loads_only_when_asked_and_the_stage_bar_exports_a_workbook(page, base_url, site):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    stage = data["stages"][-1]["id"]
    question = next(q for q in data["questions"] if q["stage"] == stage)
    seed(
        page, stage_url(base_url, code, stage), {question["id"]: an_answer(question["text"], "agreed", "From the bar")}
    )
    assert not [url for url in requests if url.endswith("/office.js")], "office.js loaded before it was asked for"
    bar = page.locator("[data-hb-workspace]")
    with page.expect_download() as done:
        bar.get_by_role("button", name=t(code, "toolbar.workbook")).click()
    book = Xlsx(Path(done.value.path()).read_bytes())
    sheet = book.sheet(where(data["workbook"], question))
    row = sheet.row_of(question["id"], column(data["workbook"], "id"))
    assert sheet.text(row, column(data["workbook"], "notes")) == "From the bar"
    expect(bar.locator(".hb-live")).to_contain_text(
        t(code, "browser.office.workbook_done", n=1, name="Riverside and Northshire")
    )
    assert len([url for url in requests if url.endswith("/office.js")]) == 1


def test_the_new_controls_are_labelled_and_work_from_the_keyboard(page, base_url, site):
    code = LANGUAGES[0]
    data = bank_data(site, code)
    question = data["questions"][0]
    seed(page, partnerships_url(base_url, code), {question["id"]: an_answer(question["text"], "agreed", "Keys")})
    chooser = page.locator("[data-hb-import]")
    assert ".xlsx" in chooser.get_attribute("accept").split(",")
    assert chooser.get_attribute("aria-label") == t(code, "app.record.import_file")
    for label in (t(code, "app.record.word"), t(code, "app.record.workbook")):
        page.locator("#hb-list").focus()
        tab_to(page, label)
        with page.expect_download() as done:
            page.keyboard.press("Enter")
        assert Path(done.value.path()).stat().st_size > 1000
