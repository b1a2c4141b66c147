"""Answers kept in the browser: ticks and notes survive reloads, export and import
round-trip between browsers, and nothing a user typed is lost silently."""

from __future__ import annotations

import io
import json
import re

import pytest

STAGE = "/checklists/considering/"
FIRST = "vision-and-mission"
SECOND = "need-others-input"
# Answers are stored per site, under the site's name.
KEY = "handbook-answers:Leading successful partnerships"


def open_stage(page, base_url, stage=STAGE):
    page.goto(base_url + stage)
    page.wait_for_selector(f"#q-{FIRST} details.hb-notes:not([hidden])")


def write_note(page, qid, text):
    page.locator(f"#q-{qid} summary").click()
    page.locator(f"#hb-notes-{qid}").fill(text)


def stored(page) -> dict:
    key = page.evaluate(
        "Object.keys(localStorage).find(k => k.startsWith('handbook-answers:') && !k.includes(':backup'))"
    )
    return json.loads(page.evaluate(f"localStorage.getItem({json.dumps(key)})"))["answers"]


def test_ticks_and_notes_survive_a_reload(page, base_url):
    open_stage(page, base_url)
    page.locator(f"#hb-done-{FIRST}").check()
    write_note(page, SECOND, "Ask the council first.\nThen the trust.")
    page.reload()
    page.wait_for_selector(f"#q-{FIRST} details.hb-notes:not([hidden])")
    assert page.locator(f"#hb-done-{FIRST}").is_checked()
    assert page.locator(f"#hb-notes-{SECOND}").input_value() == "Ask the council first.\nThen the trust."
    assert page.locator(f"#q-{SECOND} details.hb-notes").get_attribute("open") is not None


def test_answers_are_shared_across_stage_pages_of_the_site(page, base_url):
    open_stage(page, base_url)
    page.locator(f"#hb-done-{FIRST}").check()
    open_stage(page, base_url, "/checklists/all/")
    assert page.locator(f"#hb-done-{FIRST}").is_checked()


def test_export_then_import_into_another_browser(browser, base_url, tmp_path):
    first = browser.new_context(accept_downloads=True)
    page = first.new_page()
    open_stage(page, base_url)
    page.locator(f"#hb-done-{FIRST}").check()
    write_note(page, FIRST, "Agreed at the away day")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export answers").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert re.fullmatch(r"partnership-answers-\d{4}-\d{2}-\d{2}\.json", path.name)
    exported = json.loads(path.read_text())
    assert exported["answers"][FIRST]["notes"] == "Agreed at the away day"
    assert "Exported 1 answer" in page.locator(".hb-status").inner_text()
    first.close()

    second = browser.new_context()
    page = second.new_page()
    open_stage(page, base_url)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import answers").click()
    chooser.value.set_files(str(path))
    page.wait_for_function("document.querySelector('.hb-status').textContent.startsWith('Imported')")
    assert page.locator(f"#hb-done-{FIRST}").is_checked()
    assert page.locator(f"#hb-notes-{FIRST}").input_value() == "Agreed at the away day"
    second.close()


def test_import_keeps_newer_answers_from_this_browser(page, base_url):
    open_stage(page, base_url)
    write_note(page, FIRST, "Newer note typed here")
    old = {
        "format": "partnership-handbook-answers",
        "version": 1,
        "answers": {
            FIRST: {"done": False, "notes": "Old note", "updated": "2020-01-01T00:00:00Z"},
            SECOND: {"done": True, "notes": "From the file", "updated": "2020-01-01T00:00:00Z"},
        },
    }
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import answers").click()
    chooser.value.set_files(
        files=[{"name": "old.json", "mimeType": "application/json", "buffer": json.dumps(old).encode()}]
    )
    page.wait_for_function("document.querySelector('.hb-status').textContent.startsWith('Imported')")
    assert "kept 1 from this browser because they were newer" in page.locator(".hb-status").inner_text()
    assert page.locator(f"#hb-notes-{FIRST}").input_value() == "Newer note typed here"
    assert page.locator(f"#hb-notes-{SECOND}").input_value() == "From the file"


def test_a_file_that_is_not_an_answers_file_changes_nothing(page, base_url):
    open_stage(page, base_url)
    write_note(page, FIRST, "Keep me")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import answers").click()
    chooser.value.set_files(files=[{"name": "x.json", "mimeType": "application/json", "buffer": b'{"a": 1}'}])
    page.wait_for_function("document.querySelector('.hb-status').textContent.includes('Nothing was changed')")
    assert stored(page)[FIRST]["notes"] == "Keep me"


def test_unreadable_saved_answers_are_set_aside_not_overwritten(page, base_url):
    open_stage(page, base_url)
    page.evaluate(f"localStorage.setItem({json.dumps(KEY)}, '{{not json')")
    page.reload()
    page.wait_for_selector(f"#q-{FIRST} details.hb-notes:not([hidden])")
    assert "could not be read" in page.locator(".hb-status").inner_text()
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.includes(':unreadable:')).map(k => localStorage[k])")
    assert kept == ["{not json"]


def test_answers_for_questions_no_longer_on_the_page_are_kept(page, base_url):
    open_stage(page, base_url)
    orphan = {"answers": {"retired-question": {"done": True, "notes": "from an older bank", "updated": "2024"}}}
    page.evaluate(f"localStorage.setItem({json.dumps(KEY)}, {json.dumps(json.dumps(orphan))})")
    page.reload()
    page.wait_for_selector(f"#q-{FIRST} details.hb-notes:not([hidden])")
    page.locator(f"#hb-done-{FIRST}").check()
    answers = stored(page)
    assert answers["retired-question"]["notes"] == "from an older bank"
    assert answers[FIRST]["done"] is True


@pytest.mark.parametrize("accept", [False, True])
def test_clearing_asks_first(page, base_url, accept):
    open_stage(page, base_url)
    write_note(page, FIRST, "Important")
    page.once("dialog", lambda dialog: dialog.accept() if accept else dialog.dismiss())
    page.get_by_role("button", name="Clear answers").click()
    if accept:
        assert stored(page) == {}
        assert page.locator(f"#hb-notes-{FIRST}").input_value() == ""
        backup = page.evaluate(f"localStorage.getItem({json.dumps(KEY + ':backup')})")
        assert json.loads(backup)["answers"][FIRST]["notes"] == "Important"
    else:
        assert stored(page)[FIRST]["notes"] == "Important"


def test_typed_notes_print_in_place_of_the_writing_lines(page, base_url):
    from pypdf import PdfReader

    open_stage(page, base_url)
    write_note(page, FIRST, "Shared vision agreed with the hospice")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages))
    assert "Shared vision agreed with the hospice" in text
