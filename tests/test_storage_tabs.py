"""Two tabs and full storage (the red-team's second pass, cases 1, 4, 5, 6 and 8): a step whose
earlier state and change do not both fit; work one tab could not save, against another tab's
rename, done tick and clear; earlier states removed in another tab.

Each test drives the real pages as a user would (two pages of one browser context are two tabs
of one browser) and checks what the user sees and keeps. Full storage is storage filled to near
its quota, measured in the browser, never assumed. No test waits for a time: a tab has taken
another's save in when its own storage listener (added after the handbook's) has heard it.

Questions and stages come from the bank the handbook is built from (support.project_bank()),
so a fork's bank passes too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from support import HISTORY, TAB, WORKSPACE, expand, fill_storage, open_page, project_bank, room, seed, stored

BANK = project_bank()
STAGE = BANK.stages[0].id
FIRST, SECOND, THIRD = BANK.ordered_questions(STAGE)[:3]
IDS = [question.id for stage in BANK.stages for question in BANK.ordered_questions(stage.id)]
FORMAT = "partnership-handbook-answers"
OLD_TIME = "2020-01-01T00:00:00.000Z"
FILE_TIME = "2025-01-01T00:00:00.000Z"
NEW_NAME = "Riverside and Northshire"


# ------------------------------------------------------------------ helpers


def stage_url(base: str) -> str:
    return f"{base}/checklists/{STAGE}/"


def partnerships_url(base: str) -> str:
    return f"{base}/checklists/partnerships/"


def actions_url(base: str) -> str:
    return f"{base}/checklists/actions/"


def an_answer(status="discussed", notes="", updated=OLD_TIME, **extra) -> dict:
    return {"status": status, "notes": notes, "action": {"text": "", "owner": "", "due": ""}, "updated": updated,
            "question": "", **extra}  # fmt: skip


def a_partnership(name: str, answers: dict, **extra) -> dict:
    return {"name": name, "organisation": "", "reset": "1970-01-01T00:00:00.000Z", "answers": answers,
            "snapshots": [], **extra}  # fmt: skip


def workspace(partnerships: dict[str, dict], active: str) -> str:
    return json.dumps({"format": "partnership-handbook-workspace", "version": 2, "active": active,
                       "partnerships": partnerships})  # fmt: skip


def exchange_file(answers: dict, name: str) -> dict:
    return {"format": FORMAT, "version": 3, "handbook": {"title": "Leading successful partnerships",
            "edition": "Version 1"}, "partnership": {"name": name}, "exported": OLD_TIME, "answers": answers,
            "snapshots": []}  # fmt: skip


def live(page) -> str:
    return page.locator(".hb-live").first.inner_text()


def warnings(page) -> str:
    return " ".join(page.locator(".hb-warnings").all_inner_texts())


def modal(page):
    return page.locator("dialog.hb-dialog[open]")


def answer(page, qid: str, notes: str) -> None:
    if page.locator(f"#q-{qid} details").get_attribute("open") is None:
        page.click(f"#hb-more-{qid}")
    page.fill(f"#hb-notes-{qid}", notes)


def choose_file(page, content: str, name: str) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import an answers file").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": "application/json", "buffer": content.encode()}])


def export(page) -> dict:
    with page.expect_download() as download:
        page.get_by_role("button", name="Export answers file").first.click()
    return json.loads(Path(download.value.path()).read_text(encoding="utf-8"))


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    return errors


def ours(errors: list[str]) -> list[str]:
    return [e for e in errors if "/assets/" in e or "handbook" in e]


def listen(page) -> None:
    """Note each storage change this tab hears, after the handbook's own listener has taken it in."""
    page.evaluate(
        "() => { window.hbHeard = []; addEventListener('storage', (e) =>"
        " window.hbHeard.push({key: e.key, value: e.newValue})) }"
    )


def heard(page, key: str, test: str = "true") -> None:
    """Wait until this tab has taken in a change of `key` whose new value `value` passes `test`;
    if it never does, the failure lists what the tab did hear (each key, and its value's length)."""
    try:
        page.wait_for_function(f"([k]) => window.hbHeard.some(({{key, value}}) => key === k && ({test}))", arg=[key])
    except PlaywrightTimeout:
        got = page.evaluate("() => window.hbHeard.map(({key, value}) => [key, value === null ? null : value.length])")
        raise AssertionError(f"this tab never heard a change of {key} passing {test}; it heard {got}") from None


def long_answers(total: int, count: int, prefix: str, updated: str, status: str) -> dict:
    """`count` answers to the bank's questions whose notes add up to about `total` characters."""
    size = total // count
    assert size <= 100_000 and count <= len(IDS)
    return {IDS[n]: an_answer(status, f"{prefix} {n} @@{size}@@", updated) for n in range(count)}


def notes_of(answers: dict) -> dict:
    return {q: len(expand(a["notes"])) for q, a in answers.items()}


def stored_notes(page) -> dict:
    return page.evaluate(
        """k => Object.fromEntries(Object.entries(JSON.parse(localStorage.getItem(k)).partnerships.p1.answers)
             .map(([q, a]) => [q, a.notes.length]))""",
        WORKSPACE,
    )


# ------------------------------------------------------------------ 1. the earlier state a step promised


@pytest.mark.parametrize("choice", ["Replace the active partnership's answers", "Merge into the active partnership"])
def test_a_step_keeps_the_earlier_state_it_promised_or_changes_nothing(page, base_url, choice):
    """Storage holds a partnership and room for its earlier state, not for that and a bigger set
    of answers from a file. Replace, or a Merge that takes every answer from the (newer) file:
    either the earlier state is still there after a reload and puts the answers back, or the
    step changed nothing and said so. Never: the answers replaced and no earlier state."""
    url = partnerships_url(base_url)
    page.goto(url)
    page.evaluate("localStorage.clear()")
    quota = room(page)
    count = min(5, len(IDS) // 3)
    old = long_answers(int(quota * 0.08), count, "ORIGINAL", OLD_TIME, "agreed")
    new = long_answers(int(quota * 0.24), count * 3, "FILE", FILE_TIME, "discussed")
    seed(page, url, {WORKSPACE: workspace({"p1": a_partnership("Riverside", old)}, "p1")})
    fill_storage(page, int(quota * 0.176))

    choose_file(page, expand(json.dumps(exchange_file(new, "From file"))), "bigger.json")
    modal(page).get_by_role("button", name=choice).click()
    expect(page.locator(".hb-live").first).not_to_have_text("")
    line = live(page)
    page.reload()
    open_page(page, url)
    if stored_notes(page) == notes_of(old):
        assert "nothing was changed" in line.lower() and "Export the answers file first" in line, line
        assert "put back the earlier state" not in line, line
        assert "storage is full" not in warnings(page), warnings(page)
        return
    undo = page.locator(".hb-undo li")
    assert undo.count() >= 1, f"the answers were replaced ({line!r}) and no earlier state is left to put back"
    undo.first.get_by_role("button", name=re.compile("^Put back")).click()
    expect(page.locator(".hb-live").first).to_contain_text("Put back")
    assert stored_notes(page) == notes_of(old)


# ------------------------------------------------------------------ 4, 5, 6. work a tab could not save


def test_a_tabs_unsaved_answer_never_writes_its_old_name_over_another_tabs_rename(browser, base_url):
    """Tab A cannot save a long note. Tab B renames the partnership and sets its review period:
    saved. A's user shortens the note, which now fits: A's save keeps B's name and period."""
    context = browser.new_context()
    try:
        a = context.new_page()
        errors = watch(a)
        url = stage_url(base_url)
        seed(a, url, {WORKSPACE: workspace({"p1": a_partnership("Riverside", {})}, "p1")}, {TAB: "p1"})
        listen(a)
        b = context.new_page()
        errors += watch(b)
        open_page(b, partnerships_url(base_url))
        fill_storage(a, 6_000)

        answer(a, FIRST.id, "A long record of the meeting. " * 700)
        assert "storage is full" in warnings(a), warnings(a)
        b.select_option("#hb-review-months", "12")
        b.fill("#hb-name", NEW_NAME)
        b.locator("[data-hb-form=rename] button").click()
        expect(b.locator(".hb-live").first).to_contain_text(f"Saved the name {NEW_NAME}")
        assert stored(b)["partnerships"]["p1"]["name"] == NEW_NAME
        heard(a, WORKSPACE, f"value.includes({json.dumps(NEW_NAME)})")

        answer(a, FIRST.id, "short note")
        kept = stored(a)["partnerships"]["p1"]
        assert kept["answers"][FIRST.id]["notes"] == "short note", "A's shortened note was not saved"
        assert (kept["name"], kept["reviewMonths"]) == (NEW_NAME, 12), "A wrote its old name and period back"
        assert not ours(errors), errors
    finally:
        context.close()


def test_a_done_tick_in_another_tab_keeps_the_note_this_tab_could_not_save(browser, base_url):
    """Tab B cannot save a long note on a question. Tab A ticks that question's action done in
    the actions register. B keeps its note on its page and in its export, with A's tick."""
    context = browser.new_context(accept_downloads=True)
    try:
        a = context.new_page()
        errors = watch(a)
        given = an_answer("agreed", "", action={"text": "Write the plan", "owner": "Sam", "due": "2031-05-01"})
        seed(a, actions_url(base_url), {WORKSPACE: workspace({"p1": a_partnership("Riverside", {FIRST.id: given})},
                                                             "p1")}, {TAB: "p1"})  # fmt: skip
        b = context.new_page()
        errors += watch(b)
        open_page(b, stage_url(base_url))
        listen(b)
        fill_storage(b, 6_000)
        note = "What we said in the meeting. " * 700
        answer(b, FIRST.id, note)
        assert "storage is full" in warnings(b), warnings(b)
        b.locator("h1").first.click()

        a.locator(f"#hb-tick-{FIRST.id}").check()
        expect(a.locator(".hb-live").first).to_contain_text("Write the plan")
        # Two steps, so that a failure says which: A stored its tick (there is room for it), then B heard it.
        assert "storage is full" not in warnings(a), f"A could not store its tick: {warnings(a)}; room {room(a)}"
        assert stored(a)["partnerships"]["p1"]["answers"][FIRST.id]["action"].get("done"), "A's tick is not stored"
        heard(b, WORKSPACE, '/"done":/.test(value)')

        assert b.locator(f"#hb-notes-{FIRST.id}").input_value() == note, "B's unsaved note left its page"
        mine = export(b)["answers"][FIRST.id]
        assert mine["notes"] == note, "B's unsaved note is not in its export"
        assert mine["action"].get("done"), "A's done tick did not reach B"
        assert mine["action"]["text"] == "Write the plan"
        assert not ours(errors), errors
    finally:
        context.close()


def test_a_clear_in_another_tab_keeps_the_answers_this_tab_could_not_save(browser, base_url):
    """Tab B cannot save a long note. Tab A clears the partnership's answers (confirmed). B's
    note stays on its page and in its export; the answers A saw are cleared in B too."""
    context = browser.new_context(accept_downloads=True)
    try:
        b = context.new_page()
        errors = watch(b)
        seed(b, stage_url(base_url), {WORKSPACE: workspace({"p1": a_partnership("Riverside", {
            SECOND.id: an_answer("agreed", "old")})}, "p1")}, {TAB: "p1"})  # fmt: skip
        listen(b)
        a = context.new_page()
        errors += watch(a)
        open_page(a, partnerships_url(base_url))
        fill_storage(b, 6_000)
        note = "Our notes from the workshop. " * 700
        answer(b, FIRST.id, note)
        assert "storage is full" in warnings(b), warnings(b)
        b.locator("h1").first.click()

        a.get_by_role("button", name="Clear the active partnership's answers").click()
        modal(a).get_by_role("button", name="Clear the answers").click()
        expect(a.locator(".hb-live").first).to_contain_text("Cleared")
        heard(b, WORKSPACE)

        expect(b.locator(f"#hb-status-{SECOND.id}")).not_to_have_value("agreed")
        assert b.locator(f"#hb-notes-{FIRST.id}").input_value() == note, "B's unsaved note left its page"
        answers = export(b)["answers"]
        assert answers.get(FIRST.id, {}).get("notes") == note, "B's unsaved note is not in its export"
        assert SECOND.id not in answers, "the answer A cleared came back"
        assert not ours(errors), errors
    finally:
        context.close()


# ------------------------------------------------------------------ 8. earlier states removed in another tab


def test_earlier_states_removed_in_another_tab_are_never_written_back(browser, base_url):
    """Tab B removes every earlier state. Tab A lists none, and its next step keeps only its own."""
    context = browser.new_context()
    try:
        a = context.new_page()
        errors = watch(a)
        url = partnerships_url(base_url)
        ws = json.loads(workspace({"p1": a_partnership("Riverside", {FIRST.id: an_answer("agreed", "now")}),
                                   "p2": a_partnership("Northshire", {})}, "p1"))  # fmt: skip
        history = [{"taken": f"2031-01-0{day}T10:00:00.000Z", "reason": f"Before {name}", "ws": ws}
                   for day, name in ((3, "A"), (2, "B"), (1, "C"))]  # fmt: skip
        seed(a, url, {WORKSPACE: json.dumps(ws), HISTORY: json.dumps(history)}, {TAB: "p1"})
        expect(a.locator("[data-hb-undo-size]")).to_contain_text("3 earlier states")
        listen(a)
        b = context.new_page()
        errors += watch(b)
        open_page(b, url)
        b.get_by_role("button", name="Remove all earlier states").click()
        modal(b).get_by_role("button", name="Remove all earlier states").click()
        expect(b.locator(".hb-live").first).to_contain_text("Removed every earlier state")
        assert stored(b, HISTORY) is None
        heard(a, HISTORY, "value === null")

        assert a.evaluate("self.handbook.store.history().length") == 0
        expect(a.locator("[data-hb-undo-size]")).to_have_text("No earlier states are kept yet.")
        a.get_by_role("button", name="Delete Northshire").click()
        modal(a).get_by_role("button", name="Delete Northshire").click()
        expect(a.locator(".hb-live").first).to_contain_text("Deleted Northshire")
        assert [entry["reason"] for entry in stored(a, HISTORY)] == ["Before deleting Northshire"]
        assert not ours(errors), errors
    finally:
        context.close()
