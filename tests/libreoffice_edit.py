"""Edit a workbook in LibreOffice as a person would, then save it as .xlsx: tests/test_office.py
runs this with Debian's /usr/bin/python3, which has LibreOffice's Python-UNO bridge (python3-uno).

    /usr/bin/python3 tests/libreoffice_edit.py IN.xlsx OUT.xlsx EDITS.json PROFILE_DIR

EDITS.json is a list of edits, each naming a sheet and a cell, and what to put there:

    {"sheet": "Overview", "row": 7, "column": 1, "string": "Riverside"}
    {"sheet": "Considering a partnership", "find": "vision-and-mission", "column": 4, "string": "Agreed"}
    {"sheet": "...", "find": "...", "column": 8, "formula": "2031-05-01"}
    {"new_sheet": "Our own notes", "row": 1, "column": 0, "string": "Bring biscuits"}

`row` is the row number a spreadsheet shows (1 = the first); `find` picks the row whose cell
holds exactly that text; `column` counts from 0. `string` puts text in the cell as it is, as
typing does in a cell formatted as text; `formula` puts what a person types into a cell
formatted otherwise, which LibreOffice reads: "2031-05-01" becomes a date, "=1+1" a formula.
LibreOffice runs headless, with a profile of its own (PROFILE_DIR), so tests can run side by side.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

START_SECONDS = 120


def main(source: str, target: str, edits_file: str, profile: str) -> int:
    pipe = f"handbook-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        desktop = _connect(pipe)
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (_prop("Hidden", True),))
        sheets = document.Sheets
        for edit in json.loads(Path(edits_file).read_text(encoding="utf-8")):
            if "new_sheet" in edit:
                sheets.insertNewByName(edit["new_sheet"], sheets.getCount())
                sheet = sheets.getByName(edit["new_sheet"])
            else:
                sheet = sheets.getByName(edit["sheet"])
            row = edit["row"] - 1 if "row" in edit else _find(sheet, edit["find"])
            cell = sheet.getCellByPosition(edit["column"], row)
            if "string" in edit:
                cell.setString(edit["string"])
            else:
                cell.setFormula(edit["formula"])
        document.storeToURL(uno.systemPathToFileUrl(target), (_prop("FilterName", "Calc Office Open XML"),))
        document.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as LibreOffice quits
            desktop.terminate()
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()
    return 0


def _connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _find(sheet, text: str) -> int:
    """The row (from 0) of the first cell that holds exactly `text`."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    for row in range(end.EndRow + 1):
        for column in range(end.EndColumn + 1):
            if sheet.getCellByPosition(column, row).getString() == text:
                return row
    raise SystemExit(f"libreoffice_edit: no cell holds {text!r} in sheet {sheet.getName()!r}")


def _prop(name: str, value) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
