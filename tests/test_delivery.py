"""From workshop to delivery, end to end (issue 19's "done when"), and the review reminders.

Three partners' files are loaded on the compare page; the facilitator records the agreed position,
from the keyboard, on every question where they differ; it is kept as the "agreed" partnership;
its actions appear in the actions register by due date and in a calendar file that the real
`icalendar` parser reads; a review point is saved, the partnership moves on, a second review point
is saved, and the chart on Your partnerships shows the change between the two.

The reminders: when the active partnership's last review point is older than the period it chose
(six months unless it chose another), its stage pages and Your partnerships say so, by the reader's
own clock (Playwright's page.clock fixes it here).

Questions, principles and statuses come from the merged bank and the answers schema, so a fork's
bank passes too.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import yaml
from playwright.sync_api import expect
from pypdf import PdfReader

from statuses import ANSWERS_SCHEMA, read
from support import ROOT, WORKSPACE, languages, project_bank, stored

BANK = project_bank()
QUESTIONS = [q for stage in BANK.stages for q in BANK.ordered_questions(stage.id)]
STATUSES = read(ANSWERS_SCHEMA.read_bytes())
BY_SCALE = sorted(STATUSES, key=lambda s: s.scale)
LOW, MIDDLE, HIGH = BY_SCALE[0].id, BY_SCALE[len(BY_SCALE) // 2].id, BY_SCALE[-1].id
DRAWN = [s.id for s in STATUSES if s.discussed]
PARTNERS = ("Riverside Council", "Northshire Trust", "Hospice at Home")
TEXTS = {
    code: yaml.safe_load((ROOT / "theme_overrides" / "locales" / f"{code}.yml").read_text(encoding="utf-8"))
    for code in languages()
}
EN = TEXTS["en"]
WORKSHOP = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)
LATER = datetime(2031, 9, 15, 12, 0, tzinfo=UTC)
# The actions agreed on the first four items of the agenda: (what, owner, days after the workshop).
ACTIONS = [
    ("Draft the joint budget; share it, with the board's comments", "Siân Llŷr-Jones", 20),
    ("Book the venue for the second workshop", "Ali", 3),
    ("Send the minutes", "Ali", -5),
    ("Ask the trust's lawyers about data sharing", "Sam", None),
]


def given(index: int) -> tuple[str, str, str]:
    """Each partner's status for the index-th question: a third agree, the rest differ."""
    if index % 3 == 0:
        return (HIGH, HIGH, HIGH)
    if index % 3 == 1:
        return (MIDDLE, MIDDLE, HIGH)
    return (HIGH, LOW, MIDDLE)


def partner_file(partner: int) -> bytes:
    answers = {
        q.id: {"status": given(i)[partner], "notes": f"{PARTNERS[partner]} on {q.id}",
               "action": {"text": "", "owner": "", "due": ""}, "updated": "2031-03-01T09:00:00.000Z",
               "question": q.text.plain}
        for i, q in enumerate(QUESTIONS)
        if given(i)[partner] != STATUSES[0].id
    }  # fmt: skip
    return json.dumps({
        "format": "partnership-handbook-answers", "version": 3,
        "handbook": {"title": "Handbook", "edition": ""},
        "partnership": {"name": "Riverside partnership"}, "organisation": {"name": PARTNERS[partner]},
        "exported": "2031-03-02T10:00:00.000Z", "answers": answers,
    }).encode()  # fmt: skip


def differing() -> set[str]:
    return {q.id for i, q in enumerate(QUESTIONS) if len(set(given(i))) > 1}


def workspace(page) -> dict:
    return stored(page, WORKSPACE)


def agreed_partnership(page) -> tuple[str, dict]:
    found = [(key, p) for key, p in workspace(page)["partnerships"].items() if p.get("kind") == "agreed"]
    assert len(found) == 1, "one agreed position, a partnership of its own"
    return found[0]


def counts(answers: dict) -> dict[str, list[int]]:
    """Per principle, how many of its questions have each drawn status: what the chart shows."""
    result = {}
    for principle in BANK.principles:
        own = [q for q in QUESTIONS if q.principle == principle.id]
        if own:
            found = Counter(answers[q.id]["status"] for q in own if q.id in answers)
            result[principle.id] = [found[status] for status in DRAWN]
    return result


def heading(principle) -> str:
    n = sum(q.principle == principle.id for q in QUESTIONS)
    return f"{principle.title}: one question" if n == 1 else f"{principle.title}: {n} questions"


def chart_table(page) -> dict[tuple[str, str], list[int]]:
    rows = page.locator(".hb-chart table").evaluate(
        """table => [...table.tBodies].flatMap(body => {
             const group = body.querySelector("th[scope=rowgroup]").textContent;
             return [...body.rows].map(row => [group, row.querySelector("th[scope=row]").textContent,
                                               [...row.cells].filter(c => c.tagName === "TD").map(c => c.textContent)]);
           })"""
    )
    return {(group, name): [int(n) for n in figures] for group, name, figures in rows}


def save_review_point(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/checklists/partnerships/")
    page.wait_for_selector("[data-hb-app] [data-hb-js]:not([hidden])")
    page.fill("#hb-snapshot", name)
    page.get_by_role("button", name=EN["app"]["review"]["save"]).click()
    expect(page.locator(".hb-live").first).to_contain_text(f"Saved the review point {name}")


def test_from_three_partners_files_to_an_agreed_position_a_register_a_calendar_and_a_chart(page, base_url):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    page.clock.set_fixed_time(WORKSHOP)

    # 1. Three partners' files, side by side.
    page.goto(f"{base_url}/checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    names = ("riverside.json", "northshire.json", "hospice.json")
    page.set_input_files("#hb-files", [{"name": names[i], "mimeType": "application/json",
                                        "buffer": partner_file(i)} for i in range(3)])  # fmt: skip
    expect(page.locator(".hb-partners > li")).to_have_count(3)

    # 2. The agreed position, question by question where the partners differ, from the keyboard.
    page.get_by_role("button", name=EN["browser"]["agree"]["start"]).click()
    item = page.locator(".hb-agree-item")
    agreed: dict[str, str] = {}
    agenda: list[str] = []
    for n in range(len(differing())):
        expect(item).to_be_visible()
        qid = item.get_attribute("data-hb-question")
        agenda.append(qid)
        status = HIGH if n % 2 else MIDDLE
        page.locator(f'[name="hb-agree-status"][value="{status}"]').check()
        page.locator("#hb-agree-notes").fill(f"Agreed in the room on {qid}")
        if n < len(ACTIONS):
            what, who, days = ACTIONS[n]
            page.locator("#hb-agree-what").fill(what)
            page.locator("#hb-agree-who").fill(who)
            if days is not None:
                page.locator("#hb-agree-due").fill((WORKSHOP.date() + timedelta(days=days)).isoformat())
        agreed[qid] = status
        page.locator("#hb-agree-notes").press("Control+Enter")
    assert set(agenda) == differing(), "the agenda is every question where the partners differ, each once"

    key, position = agreed_partnership(page)
    assert workspace(page)["active"] == key, "the agreed position is the active partnership"
    assert [s["file"] for s in position["sources"]] == list(names)
    assert [s["name"] for s in position["sources"]] == list(PARTNERS)
    for qid, status in agreed.items():
        assert position["answers"][qid]["status"] == status
        assert position["answers"][qid]["notes"] == f"Agreed in the room on {qid}"
    for i, q in enumerate(QUESTIONS):
        if q.id not in differing():
            assert position["answers"][q.id]["status"] == given(i)[0], "unanimous answers start agreed"
        # The partners' own answers are kept beside it, as they were.
        for partner, source in enumerate(position["sources"]):
            if given(i)[partner] != STATUSES[0].id:
                assert source["answers"][q.id]["status"] == given(i)[partner]

    # 3. The actions register: every action, the soonest due first, the undated last.
    page.goto(f"{base_url}/checklists/actions/")
    page.wait_for_selector(".hb-actions-table tbody tr")
    listed = page.locator(".hb-actions-table tbody tr").evaluate_all(
        "rows => rows.map(tr => ({id: tr.dataset.hbId, action: tr.cells[0].textContent,"
        " owner: tr.cells[2].textContent, due: tr.cells[3].querySelector('time')?.dateTime || '',"
        " flag: tr.querySelector('.hb-due-flag').textContent.trim(), href: tr.querySelector('a').href}))"
    )
    by_due = sorted(range(len(ACTIONS)), key=lambda n: (ACTIONS[n][2] is None, ACTIONS[n][2] or 0))
    assert [row["id"] for row in listed] == [agenda[n] for n in by_due]
    assert [row["action"] for row in listed] == [ACTIONS[n][0] for n in by_due]
    assert [row["owner"] for row in listed] == [ACTIONS[n][1] for n in by_due]
    overdue, soon, later, undated = listed
    assert overdue["flag"] and soon["flag"] and overdue["flag"] != soon["flag"]
    assert not later["flag"] and not undated["flag"] and not undated["due"]
    assert later["due"] == (WORKSHOP.date() + timedelta(days=20)).isoformat()
    assert all(row["href"].endswith(f"#q-{row['id']}") for row in listed)

    # 4. The calendar file: one all-day event per dated action, under a real parser.
    with page.expect_download() as download:
        page.get_by_role("button", name=EN["actions"]["export"]["ics"]).click()
    raw = Path(download.value.path()).read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event["DTSTART"].dt)
    dated = [n for n in by_due if ACTIONS[n][2] is not None]
    assert [str(event["SUMMARY"]) for event in events] == [ACTIONS[n][0] for n in dated]
    assert [event["DTSTART"].dt for event in events] == [WORKSHOP.date() + timedelta(days=ACTIONS[n][2]) for n in dated]
    assert all(not isinstance(event["DTSTART"].dt, datetime) for event in events), "all-day events"
    assert all(str(event["URL"]).endswith(f"#q-{agenda[n]}") for event, n in zip(events, dated, strict=True))

    # 5. Two review points, the partnership moving on between them: the chart shows the change.
    save_review_point(page, base_url, "Set-up")
    page.clock.set_fixed_time(LATER)
    moved = [qid for qid in agenda if agreed[qid] == MIDDLE][:3]
    stage_of = {q.id: q.stage for q in QUESTIONS}
    for qid in moved:
        page.goto(f"{base_url}/checklists/{stage_of[qid]}/")
        page.select_option(f"#hb-status-{qid}", HIGH)
        page.wait_for_function(
            "([k, q, s]) => JSON.parse(localStorage.getItem('handbook-workspace:/'))"
            ".partnerships[k].answers[q].status === s",
            arg=[key, qid, HIGH],
        )
    save_review_point(page, base_url, "Delivery")
    _, position = agreed_partnership(page)
    first, second = position["snapshots"]
    before, after = counts(first["answers"]), counts(second["answers"])
    assert counts(position["answers"]) == after, "nothing changed after the second review point"
    assert before != after, "the partnership moved between the review points"
    table = chart_table(page)
    rows = ["Set-up, 10 March 2031", "Delivery, 15 September 2031", "Now"]
    for principle in BANK.principles:
        if principle.id in before:
            assert table[(heading(principle), rows[0])] == before[principle.id]
            assert table[(heading(principle), rows[1])] == after[principle.id]
            assert table[(heading(principle), rows[2])] == after[principle.id]
    # The change in words: the middle status fell and the highest rose, in the principles it moved in.
    changed = {next(q.principle for q in QUESTIONS if q.id == qid) for qid in moved}
    words = " ".join(page.locator(".hb-chart").inner_text().split())
    labels = EN["status"]
    for principle in changed:
        was, now = before[principle], after[principle]
        high = DRAWN.index(HIGH)
        assert now[high] > was[high]
        assert f"{labels[HIGH]} rose from {was[high]} to {now[high]}" in words
    assert errors == []


# ------------------------------------------------------------------ review reminders


def reminder_file(taken: str, name: str = "Set-up") -> bytes:
    q = QUESTIONS[0]
    answer = {"status": HIGH, "notes": "", "action": {"text": "", "owner": "", "due": ""},
              "updated": taken, "question": q.text.plain}  # fmt: skip
    return json.dumps({
        "format": "partnership-handbook-answers", "version": 3,
        "handbook": {"title": "Handbook", "edition": ""}, "partnership": {"name": "Riverside"},
        "exported": taken, "answers": {q.id: answer},
        "snapshots": [{"name": name, "taken": taken, "answers": {q.id: answer}}],
    }).encode()  # fmt: skip


def import_new(page, base_url: str, content: bytes, language: str = "") -> None:
    page.goto(f"{base_url}/{language}checklists/partnerships/")
    page.wait_for_selector("[data-hb-app] [data-hb-js]:not([hidden])")
    page.set_input_files("[data-hb-import]", [{"name": "answers.json", "mimeType": "application/json",
                                               "buffer": content}])  # fmt: skip
    page.locator("dialog.hb-dialog[open] button[value=new]").click()
    # Until the import is saved there may be no workspace yet (null), so the wait reads it null-safe.
    page.wait_for_function("key => Object.keys(JSON.parse(localStorage.getItem(key))?.partnerships ?? {}).length >= 1",
                           arg=WORKSPACE)  # fmt: skip


def reminders(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector("[data-hb-js]:not([hidden])")
    return [" ".join(t.split()) for t in page.locator(".hb-reminder:visible").all_inner_texts()]


def test_a_review_point_older_than_the_chosen_period_is_flagged_by_the_readers_clock(page, base_url):
    stage = QUESTIONS[0].stage
    partnerships, checklist = f"{base_url}/checklists/partnerships/", f"{base_url}/checklists/{stage}/"
    page.clock.set_fixed_time(datetime(2031, 6, 1, 12, 0, tzinfo=UTC))
    import_new(page, base_url, reminder_file("2031-01-15T12:00:00.000Z"))
    # Four and a half months: within the six months a partnership has unless it chooses.
    assert reminders(page, partnerships) == [] and reminders(page, checklist) == []

    # The reader's clock moves on to seven months: both pages say so.
    page.clock.set_fixed_time(datetime(2031, 8, 20, 12, 0, tzinfo=UTC))
    expected = EN["browser"]["reminder"]["due"]["other"].format(name="Set-up", taken="15 January 2031 at 12:00", n=6)
    assert reminders(page, partnerships) == [expected]
    assert reminders(page, checklist) == [expected]

    # A longer period, chosen on Your partnerships and kept: the reminder goes.
    page.goto(partnerships)
    page.wait_for_selector("[data-hb-js]:not([hidden])")
    page.select_option("#hb-review-months", "12")
    page.get_by_role("button", name=EN["app"]["partnerships"]["save"], exact=True).click()
    expect(page.locator(".hb-reminder:visible")).to_have_count(0)
    assert reminders(page, checklist) == []
    assert reminders(page, partnerships) == []
    # A shorter one: the reminder counts it, in the singular for one month.
    page.select_option("#hb-review-months", "1")
    page.get_by_role("button", name=EN["app"]["partnerships"]["save"], exact=True).click()
    one = EN["browser"]["reminder"]["due"]["one"].format(name="Set-up", taken="15 January 2031 at 12:00", n=1)
    expect(page.locator(".hb-reminder:visible")).to_have_text(one)
    assert reminders(page, checklist) == [one]

    # A new review point today: nothing is late.
    page.goto(partnerships)
    page.wait_for_selector("[data-hb-js]:not([hidden])")
    page.fill("#hb-snapshot", "Delivery")
    page.get_by_role("button", name=EN["app"]["review"]["save"]).click()
    expect(page.locator(".hb-reminder:visible")).to_have_count(0)
    assert reminders(page, checklist) == []


def test_the_reminder_is_in_every_language(page, base_url):
    page.clock.set_fixed_time(datetime(2031, 8, 20, 12, 0, tzinfo=UTC))
    for language in languages()[1:]:
        import_new(page, base_url, reminder_file("2031-01-15T12:00:00.000Z", name="Cam 1"), f"{language}/")
        said = reminders(page, f"{base_url}/{language}/checklists/{QUESTIONS[0].stage}/")
        assert len(said) == 1 and "Cam 1" in said[0], said
        english = EN["browser"]["reminder"]["due"]["other"].split("{")[0].strip()
        assert english not in said[0], "the reminder is in the page's language"
        assert page.locator(".hb-reminder:visible").evaluate("e => e.closest('[lang]').lang") == language


def test_a_partnership_with_no_review_point_has_no_reminder(page, base_url):
    page.clock.set_fixed_time(datetime(2031, 8, 20, 12, 0, tzinfo=UTC))
    page.goto(f"{base_url}/checklists/{QUESTIONS[0].stage}/")
    page.wait_for_selector("[data-hb-js]:not([hidden])")
    page.select_option(f"#hb-status-{QUESTIONS[0].id}", HIGH)
    assert reminders(page, f"{base_url}/checklists/partnerships/") == []
    active = workspace(page)
    assert active["partnerships"][active["active"]]["snapshots"] == [], "there is no review point to be late for"


def test_the_register_fits_a_phone_each_cell_named_by_its_column(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.clock.set_fixed_time(WORKSHOP)
    import_new(page, base_url, action_file())
    page.goto(f"{base_url}/checklists/actions/")
    page.wait_for_selector(".hb-actions-table tbody tr")
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth"), "the page scrolls sideways"
    named = page.locator(".hb-actions-table tbody td[data-hb-column]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    columns = EN["actions"]["columns"]
    assert named == [f'"{columns[key]}: "' for key in ("question", "owner", "due")]
    box = page.locator(".hb-actions-table tbody tr").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    context.close()


def action_file() -> bytes:
    q = QUESTIONS[-1]
    answer = {"status": HIGH, "notes": "", "updated": "2031-03-01T09:00:00.000Z", "question": q.text.plain,
              "action": {"text": "Book the room for the review", "owner": "Siân", "due": "2031-03-20"}}  # fmt: skip
    return json.dumps({
        "format": "partnership-handbook-answers", "version": 3,
        "handbook": {"title": "Handbook", "edition": ""}, "partnership": {"name": "Riverside"},
        "exported": "2031-03-02T10:00:00.000Z", "answers": {q.id: answer},
    }).encode()  # fmt: skip


def test_a_record_names_the_handbook_in_the_pages_language(page, base_url):
    """The record's first line names the handbook as the page's language words it (its site_name)."""
    page.clock.set_fixed_time(WORKSHOP)
    for language in languages():
        prefix = "" if language == languages()[0] else f"{language}/"
        page.goto(f"{base_url}/{prefix}checklists/partnerships/")
        page.wait_for_selector("[data-hb-app] [data-hb-js]:not([hidden])")
        title = page.evaluate("handbook.bank.site")
        assert title == page.evaluate("document.querySelector('.md-header__topic .md-ellipsis').textContent.trim()")
        with page.expect_download() as download:
            page.locator("button[data-hb-do=minutes]").click()
        record = Path(download.value.path()).read_text(encoding="utf-8")
        assert title in record.split("\n\n", 2)[1], record[:300]


def test_the_agreed_position_exports_as_a_word_record(page, base_url):
    """The same Word writer as the record for minutes (tests/test_office.py opens it in LibreOffice),
    given the agreed position being recorded, whichever partnership is active."""
    page.clock.set_fixed_time(WORKSHOP)
    page.goto(f"{base_url}/checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    page.set_input_files("#hb-files", [{"name": f"p{i}.json", "mimeType": "application/json",
                                        "buffer": partner_file(i)} for i in range(3)])  # fmt: skip
    page.get_by_role("button", name=EN["browser"]["agree"]["start"]).click()
    qid = page.locator(".hb-agree-item").get_attribute("data-hb-question")
    page.locator(f'[name="hb-agree-status"][value="{HIGH}"]').check()
    page.locator("#hb-agree-notes").fill("Agreed <b>in the room</b>; & minuted")
    key, position = agreed_partnership(page)
    # Another partnership made active in this tab: the button still exports the agreed position.
    page.evaluate("handbook.store.add('Someone else')")
    assert workspace(page)["active"] != key
    with page.expect_download() as download:
        page.get_by_role("button", name=EN["browser"]["agree"]["word"]).click()
    assert download.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(Path(download.value.path())) as document:
        body = ET.fromstring(document.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paragraphs = [
        (p.find(f"{w}pPr/{w}pStyle").get(f"{w}val") if p.find(f"{w}pPr/{w}pStyle") is not None else "",
         "".join(t.text or "" for t in p.iter(f"{w}t")))
        for p in body.iter(f"{w}p")
    ]  # fmt: skip
    assert paragraphs[0] == ("Heading1", position["name"])
    texts = [text for _, text in paragraphs]
    assert any("Agreed <b>in the room</b>; & minuted" in text for text in texts), "notes as typed, as text"
    number = next(q for q in QUESTIONS if q.id == qid)
    assert any(text.startswith(f"{BANK.numbers[qid]}. {number.text.plain}") for text in texts)


def test_the_compare_page_prints_its_chart_before_where_we_differ(page, base_url):
    page.clock.set_fixed_time(WORKSHOP)
    page.goto(f"{base_url}/checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    page.set_input_files("#hb-files", [{"name": f"p{i}.json", "mimeType": "application/json",
                                        "buffer": partner_file(i)} for i in range(3)])  # fmt: skip
    page.wait_for_selector(".hb-chart .hb-chart__panels:not([aria-busy]) svg")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    title = EN["chart"]["compare_title"].rstrip(".")
    assert title in text, "the chart of each partner's statuses prints"
    for principle in BANK.principles:
        if any(q.principle == principle.id for q in QUESTIONS):
            assert heading(principle) in text
    # Then the sheet: every question where the partners differ is on it, after the chart.
    first = next(q for q in QUESTIONS if q.id in differing())
    assert text.index(title) < text.index(first.text.plain[:40])
