"""Your partnerships with two tabs open (theme_overrides/assets/js/partnerships.js): what the page
shows, and what a confirmed step or a save acts on, when another tab changes the workspace or the
earlier states in between.

- an earlier state's Remove and Put back act on the state the user saw and clicked, named by its
  time and reason, never by its place in a list another tab has changed; the list redraws when
  another tab changes it; a state that is gone is left alone, and the page says so;
- Clear clears exactly the answers its dialog counted, and says how many went;
- what the user has typed and not saved (name, organisation, review period) stays, whatever
  another tab saves; the fields the user has not changed show what the other tab saved.

Two pages of one browser context are two tabs of one browser. Every test runs in each of the
handbook's languages, the messages taken from the page's own strings table; questions come from
the merged bank (project_bank()), so a fork's bank passes too.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from statuses import ANSWERS_SCHEMA, read
from support import HISTORY, WORKSPACE, languages, open_page, project_bank, stored
from support import seed as seed_raw

BANK = project_bank()
STAGE = BANK.stages[0].id
QUESTIONS = [q.id for q in BANK.ordered_questions(STAGE)][:5]
assert len(QUESTIONS) >= 2, "the tests need two questions at the first stage"
STATUSES = [status.id for status in read(ANSWERS_SCHEMA.read_bytes())]
GIVEN = STATUSES[1]  # a status other than the first ("not discussed")
OLD_TIME = "2020-01-01T00:00:00.000Z"


@pytest.fixture(params=languages())
def root(request, base_url) -> str:
    """The address of one language of the handbook: the first at the root, each other under its code."""
    return base_url if request.param == languages()[0] else f"{base_url}/{request.param}"


# ------------------------------------------------------------------ helpers


def partnerships_url(root: str) -> str:
    return f"{root}/checklists/partnerships/"


def stage_url(root: str) -> str:
    return f"{root}/checklists/{STAGE}/"


def an_answer(notes: str = "", status: str = GIVEN, updated: str = OLD_TIME) -> dict:
    return {"status": status, "notes": notes, "action": {"text": "", "owner": "", "due": ""}, "updated": updated,
            "question": ""}  # fmt: skip


def a_partnership(name: str, answers: dict, **extra) -> dict:
    return {"name": name, "organisation": "", "reset": "1970-01-01T00:00:00.000Z", "answers": answers,
            "snapshots": [], **extra}  # fmt: skip


def a_workspace(partnerships: dict, active: str) -> dict:
    return {"format": "partnership-handbook-workspace", "version": 2, "active": active, "partnerships": partnerships}


def seed(page, url: str, values: dict[str, object]) -> None:
    """These values, as JSON, under the handbook's keys, then the page opened afresh (support.seed)."""
    seed_raw(page, url, {key: json.dumps(value) for key, value in values.items()})


def words(page, key: str, **values) -> str:
    """A message as the page's strings table gives it, in the page's language."""
    return page.evaluate("([key, values]) => handbook.i18n.t(key, values)", [key, values])


def live(page):
    return page.locator(".hb-live").first


def modal(page):
    return page.locator("dialog.hb-dialog[open]")


def three_earlier_states() -> tuple[dict, list[dict]]:
    """A workspace, and three earlier states of it (newest first), each with its own note."""
    now = a_workspace({"p1": a_partnership("Riverside", {QUESTIONS[0]: an_answer("now")})}, "p1")

    def state(note: str) -> dict:
        copy = json.loads(json.dumps(now))
        copy["partnerships"]["p1"]["answers"][QUESTIONS[0]]["notes"] = note
        return copy

    return now, [
        {"taken": f"2031-01-0{day}T10:00:00.000Z", "reason": f"Before {name}", "ws": state(f"state {name}")}
        for day, name in ((3, "A"), (2, "B"), (1, "C"))
    ]


def listed(page, reason: str):
    return page.locator(".hb-undo li").filter(has_text=reason)


def reasons(page) -> list[str]:
    return [entry["reason"] for entry in stored(page, HISTORY) or []]


def two_tabs_one_state_removed(page, root: str):
    """Tab A and tab B on Your partnerships; B removes the newest earlier state ("Before A")."""
    now, history = three_earlier_states()
    seed(page, partnerships_url(root), {WORKSPACE: now, HISTORY: history})
    # A saves first, so that storage holds the workspace as the page writes it: B's step then
    # writes the same workspace, and A hears of the earlier states alone.
    page.locator("[data-hb-form=rename] button").click()
    expect(live(page)).to_have_text(words(page, "browser.partnerships.renamed", name="Riverside"))
    saved = stored(page)
    other = page.context.new_page()
    open_page(other, partnerships_url(root))
    listed(other, "Before A").locator("[data-hb-forget]").click()
    assert reasons(other) == ["Before B", "Before C"]
    assert stored(other) == saved, "B's step wrote the workspace as it was"
    return other


# ------------------------------------------------------------------ earlier states


def test_a_state_removed_in_another_tab_leaves_the_list_and_remove_acts_on_the_one_named(page, root):
    other = two_tabs_one_state_removed(page, root)
    # A's list is redrawn: the state B removed is no longer offered.
    expect(page.locator(".hb-undo li")).to_have_count(2)
    expect(listed(page, "Before A")).to_have_count(0)
    listed(page, "Before B").locator("[data-hb-forget]").click()
    assert reasons(page) == ["Before C"]
    expect(page.locator(".hb-undo li")).to_have_count(1)
    other.close()


def test_put_back_after_another_tab_removed_a_state_puts_back_the_one_named(page, root):
    other = two_tabs_one_state_removed(page, root)
    expect(listed(page, "Before A")).to_have_count(0)
    listed(page, "Before B").locator("[data-hb-undo]").click()
    expect(live(page)).to_contain_text(words(page, "browser.undo.put_back_done", name="Riverside"))
    assert stored(page)["partnerships"]["p1"]["answers"][QUESTIONS[0]]["notes"] == "state B"
    other.close()


def test_a_button_of_a_state_no_longer_kept_acts_by_name_or_does_nothing_and_says_so(page, root):
    """The list as drawn before another tab's removal reached it (the store no longer holds the
    newest state, the list still shows it): each button acts on the state it names, or on none."""
    now, history = three_earlier_states()
    seed(page, partnerships_url(root), {WORKSPACE: now, HISTORY: history})
    drop_newest = "() => { handbook.store.history().splice(0, 1) }"
    page.evaluate(drop_newest)
    expect(page.locator(".hb-undo li")).to_have_count(3)
    listed(page, "Before C").locator("[data-hb-forget]").click()
    assert reasons(page) == ["Before B"]
    expect(page.locator(".hb-undo li")).to_have_count(1)
    page.evaluate(drop_newest)
    before = stored(page)
    listed(page, "Before B").locator("[data-hb-undo]").click()
    expect(live(page)).to_have_text(words(page, "browser.undo.gone"))
    assert stored(page) == before, "nothing was put back"
    expect(page.locator(".hb-undo li")).to_have_count(0)


# ------------------------------------------------------------------ clearing


def open_clear_dialog(page, root: str, answers: dict) -> None:
    seed(page, partnerships_url(root), {WORKSPACE: a_workspace({"p1": a_partnership("Riverside", answers)}, "p1")})
    page.locator("[data-hb-do=clear]").click()
    expect(modal(page)).to_contain_text(words(page, "browser.clear.title", n=len(answers), name="Riverside"))


def answers_here(page) -> int:
    return page.evaluate("() => Object.keys(handbook.store.active().answers).length")


def test_clear_clears_the_answers_its_dialog_counted_and_says_so(page, root):
    open_clear_dialog(page, root, {QUESTIONS[0]: an_answer("one")})
    other = page.context.new_page()
    open_page(other, stage_url(root))
    for question in QUESTIONS[1:]:
        other.select_option(f"#hb-status-{question}", GIVEN)
    page.wait_for_function(f"Object.keys(handbook.store.active().answers).length === {len(QUESTIONS)}")
    modal(page).locator("[value=yes]").click()
    expect(live(page)).to_contain_text(words(page, "browser.clear.done", n=1, name="Riverside"))
    left = stored(page)["partnerships"]["p1"]["answers"]
    assert sorted(left) == sorted(QUESTIONS[1:]), "only the answer the dialog counted was cleared"
    assert sorted(stored(page, HISTORY)[0]["ws"]["partnerships"]["p1"]["answers"]) == sorted(QUESTIONS)
    other.close()


def test_clear_of_answers_another_tab_cleared_already_does_nothing_and_says_so(page, root):
    open_clear_dialog(page, root, {QUESTIONS[0]: an_answer("one")})
    other = page.context.new_page()
    open_page(other, partnerships_url(root))
    other.locator("[data-hb-do=clear]").click()
    modal(other).locator("[value=yes]").click()
    expect(live(other)).to_contain_text(words(other, "browser.clear.done", n=1, name="Riverside"))
    page.wait_for_function("Object.keys(handbook.store.active().answers).length === 0")
    before = (stored(page), stored(page, HISTORY))
    modal(page).locator("[value=yes]").click()
    expect(live(page)).to_have_text(words(page, "browser.clear.none", name="Riverside"))
    assert (stored(page), stored(page, HISTORY)) == before, "nothing changed, and no earlier state was kept"
    other.close()


# ------------------------------------------------------------------ typed, not yet saved


def test_what_is_typed_but_not_saved_survives_another_tabs_save(page, root):
    seed(page, partnerships_url(root), {WORKSPACE: a_workspace({"p1": a_partnership("Riverside", {})}, "p1")})
    months = page.locator("#hb-review-months option").last.get_attribute("value")
    page.fill("#hb-name", "Riverside and Northshire Partnership")
    page.select_option("#hb-review-months", months)
    page.locator("#hb-list").focus()  # out of the form: nothing in it has the focus
    other = page.context.new_page()
    open_page(other, stage_url(root))
    other.select_option(f"#hb-status-{QUESTIONS[0]}", GIVEN)
    other.evaluate("() => handbook.store.edit('p1', { organisation: 'Northshire Trust' })")
    page.wait_for_function("handbook.store.active().organisation === 'Northshire Trust'")
    # What was typed stays; the field not touched here shows what the other tab saved.
    expect(page.locator("#hb-name")).to_have_value("Riverside and Northshire Partnership")
    expect(page.locator("#hb-review-months")).to_have_value(months)
    expect(page.locator("#hb-org")).to_have_value("Northshire Trust")
    page.locator("[data-hb-form=rename] button").click()
    expect(live(page)).to_have_text(
        words(page, "browser.partnerships.renamed", name="Riverside and Northshire Partnership")
    )
    saved = stored(page)["partnerships"]["p1"]
    assert (saved["name"], saved["organisation"], saved["reviewMonths"]) == (
        "Riverside and Northshire Partnership",
        "Northshire Trust",
        int(months),
    )
    assert QUESTIONS[0] in saved["answers"]
    # Saved here, the fields count as unchanged again: another tab's rename shows.
    other.evaluate("() => handbook.store.edit('p1', { name: 'Northshire Trust' })")
    expect(page.locator("#hb-name")).to_have_value("Northshire Trust")
    other.close()
