"""The agreed position on the compare page (theme_overrides/assets/js/agreed.js).

Three partners' files are loaded; a facilitator records, from the keyboard, what the partners
agreed on the questions where they differ, widest spread first. The result is a partnership of its
own ("agreed") in the workspace, naming the files it came from and keeping each partner's answers
beside it, and it exports as an answers file and a Markdown record. The partners' files are made
here from the merged bank (project_bank()), so a fork's questions are agreed on too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from playwright.sync_api import expect

from statuses import ANSWERS_SCHEMA, read
from support import ROOT, axe_failures, languages, project_bank

BANK = project_bank()
QUESTIONS = [q for stage in BANK.stages for q in BANK.ordered_questions(stage.id)]
STATUSES = [status.id for status in read(ANSWERS_SCHEMA.read_bytes())]
FIRST, SETTLED = STATUSES[0], max(read(ANSWERS_SCHEMA.read_bytes()), key=lambda s: s.scale).id
PARTNERS = ("Riverside Council", "Northshire Trust", "Hospice at Home")
FILES = ("riverside.json", "northshire.json", "hospice.json")
EN = yaml.safe_load((ROOT / "theme_overrides" / "locales" / "en.yml").read_text(encoding="utf-8"))
AGREE = EN["browser"]["agree"]


def statuses_for(index: int) -> tuple[str, str, str]:
    """Every third question all partners agree on; the others differ, some widely."""
    if index % 3 == 0:
        return (SETTLED, SETTLED, SETTLED)
    if index % 3 == 1:
        return (STATUSES[1], STATUSES[1], SETTLED)
    return (SETTLED, FIRST, STATUSES[1])


def partner_file(partner: int, edition: str) -> str:
    answers = {
        q.id: {
            "status": statuses_for(i)[partner],
            "notes": f"{PARTNERS[partner]} on {q.id}",
            "action": {"text": "", "owner": "", "due": ""},
            "updated": "2031-03-01T09:00:00.000Z",
            "question": q.text.plain,
        }
        for i, q in enumerate(QUESTIONS)
    }
    return json.dumps({
        "format": "partnership-handbook-answers", "version": 3,
        "handbook": {"title": "Handbook", "edition": edition},
        "partnership": {"name": "Riverside partnership"}, "organisation": {"name": PARTNERS[partner]},
        "exported": "2031-03-02T10:00:00.000Z", "answers": answers,
    })  # fmt: skip


@pytest.fixture(scope="module")
def edition(site) -> str:
    source = (site / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))["edition"]


def load_three(page, url: str, edition: str) -> None:
    page.clock.set_fixed_time("2031-03-10T10:00:00")
    page.goto(url)
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    files = [
        {"name": FILES[i], "mimeType": "application/json", "buffer": partner_file(i, edition).encode()}
        for i in range(3)
    ]
    page.set_input_files("#hb-files", files)
    expect(page.locator(".hb-partners > li")).to_have_count(3)


def differing() -> list[str]:
    return [q.id for i, q in enumerate(QUESTIONS) if len(set(statuses_for(i))) > 1]


def widest_first() -> list[str]:
    """The agenda's order: most distinct statuses, then widest scale, then page order."""
    scale = {status.id: status.scale for status in read(ANSWERS_SCHEMA.read_bytes())}

    def spread(qid: str) -> tuple[int, int]:
        given = statuses_for(next(i for i, q in enumerate(QUESTIONS) if q.id == qid))
        places = [scale[s] for s in given]
        return (len(set(given)), max(places) - min(places))

    return sorted(differing(), key=lambda qid: (-spread(qid)[0], -spread(qid)[1]))


def workspace(page) -> dict:
    raw = page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('handbook-workspace:'))"
        ".map(k => localStorage.getItem(k))[0]"
    )
    return json.loads(raw)


def start(page) -> None:
    page.get_by_role("button", name=AGREE["start"]).click()
    expect(page.locator(".hb-agree-item")).to_be_visible()


def test_the_facilitator_records_the_agreed_position_from_the_keyboard(page, base_url, edition):
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    order = widest_first()
    # Focus starts on the status choice of the widest-spread question.
    assert page.evaluate("document.activeElement.name") == "hb-agree-status"
    for n, qid in enumerate(order[:2]):
        expect(page.locator(".hb-agree-item")).to_have_attribute("data-hb-question", qid)
        # Arrow keys choose a status; Tab reaches the notes; Ctrl+Enter moves on.
        page.keyboard.press("ArrowLeft")  # from the first status, round to the last
        page.keyboard.press("Tab")
        page.keyboard.type(f"Agreed in the room, item {n}")
        page.keyboard.press("Tab")
        page.keyboard.type(f"Action {n}")
        page.keyboard.press("Tab")
        page.keyboard.type("Sam")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.type") == "date"
        # A date field's keys depend on the browser's locale: filled, as are the words after it.
        page.locator("#hb-agree-due").fill("2031-04-01" if n else "2031-03-15")
        page.locator("#hb-agree-dissent").fill("Hospice at Home: not yet able to commit")
        page.keyboard.press("Control+Enter")
    stored = workspace(page)
    agreed = [p for p in stored["partnerships"].values() if p.get("kind") == "agreed"]
    assert len(agreed) == 1, "one agreed position, a partnership of its own"
    position = agreed[0]
    assert stored["active"] in stored["partnerships"] and stored["partnerships"][stored["active"]] is not None
    assert [s["file"] for s in position["sources"]] == list(FILES)
    assert [s["name"] for s in position["sources"]] == list(PARTNERS)
    for partner, source in enumerate(position["sources"]):
        # Each partner's own answers are kept beside the agreed position, as they were.
        some = order[0]
        index = next(i for i, q in enumerate(QUESTIONS) if q.id == some)
        assert source["answers"][some]["status"] == statuses_for(index)[partner]
        assert source["answers"][some]["notes"] == f"{PARTNERS[partner]} on {some}"
    first = position["answers"][order[0]]
    assert first["status"] == STATUSES[-1]
    assert first["notes"] == "Agreed in the room, item 0"
    assert first["action"] == {"text": "Action 0", "owner": "Sam", "due": "2031-03-15"}
    assert first["dissent"] == "Hospice at Home: not yet able to commit"
    # Where all three gave the same status, the agreed position starts with it.
    same = [q.id for i, q in enumerate(QUESTIONS) if len(set(statuses_for(i))) == 1]
    for qid in same:
        assert position["answers"][qid]["status"] == SETTLED
    # The count of what is agreed says so.
    expect(page.locator(".hb-agree-count")).to_contain_text(f"2 of {len(order)}")


def test_the_agreed_position_survives_a_reload_and_is_continued(page, base_url, edition):
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    page.locator('[name="hb-agree-status"]').last.check()
    page.locator("#hb-agree-notes").fill("Kept after a reload")
    load_three(page, f"{base_url}/checklists/compare/", edition)
    # The same three files: the page offers to continue the agreed position made from them.
    choice = page.locator("#hb-agree-into")
    expect(choice.locator("option").first).to_contain_text("1 question recorded")
    start(page)
    expect(page.locator("#hb-agree-notes")).to_have_value("Kept after a reload")


def test_a_position_deleted_in_another_tab_takes_no_more_answers(page, base_url, edition):
    """Typing never moves into another partnership: the form writes to the position it names."""
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    page.locator("#hb-agree-notes").fill("First words")
    other = page.context.new_page()
    other.goto(f"{base_url}/checklists/partnerships/")
    other.wait_for_selector(".hb-partnerships li")
    before = workspace(other)
    agreed_id = next(k for k, p in before["partnerships"].items() if p.get("kind") == "agreed")
    others = {k: p for k, p in before["partnerships"].items() if k != agreed_id}
    other.evaluate(f"handbook.store.remove({json.dumps(agreed_id)}, 'test')")
    expect(page.locator(".hb-agree-start")).to_be_visible()
    expect(page.locator(".hb-live").first).to_contain_text("no longer in this browser")
    after = workspace(page)
    assert agreed_id not in after["partnerships"]
    for key, partnership in others.items():
        assert after["partnerships"][key]["answers"] == partnership["answers"], "no other partnership took the words"
    other.close()


def agreed_in(stored: dict) -> tuple[str, dict]:
    return next((k, p) for k, p in stored["partnerships"].items() if p.get("kind") == "agreed")


def test_an_edit_in_the_agreed_form_keeps_what_it_does_not_show(page, base_url, edition):
    """The action is ticked done in the actions register (another tab); an edit here keeps the date."""
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    qid = page.locator(".hb-agree-item").get_attribute("data-hb-question")
    page.locator('[name="hb-agree-status"]').last.check()
    page.locator("#hb-agree-what").fill("Write the plan")
    register = page.context.new_page()
    register.goto(f"{base_url}/checklists/actions/")
    register.locator(f"#hb-tick-{qid}").check()
    agreed_id, position = agreed_in(workspace(register))
    done = position["answers"][qid]["action"].get("done")
    assert done, "the register ticked the action done"
    page.wait_for_function("([id, q]) => handbook.store.get(id)?.answers[q]?.action.done", arg=[agreed_id, qid])
    page.locator("#hb-agree-notes").fill("Agreed in the room")
    page.locator("#hb-agree-who").fill("Sam")
    kept = workspace(page)["partnerships"][agreed_id]["answers"][qid]
    assert kept["notes"] == "Agreed in the room"
    assert kept["action"] == {"text": "Write the plan", "owner": "Sam", "due": "", "done": done}
    register.close()


def test_continuing_a_position_another_tab_deleted_says_so_and_offers_the_choices_again(page, base_url, edition):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    page.locator('[name="hb-agree-status"]').last.check()
    load_three(page, f"{base_url}/checklists/compare/", edition)
    agreed_id, position = agreed_in(workspace(page))
    expect(page.locator("#hb-agree-into")).to_have_value(agreed_id)
    # In the name field, typing: the page does not redraw the choices under the user's hands.
    page.locator("#hb-agree-name").fill("Workshop")
    other = page.context.new_page()
    other.goto(f"{base_url}/checklists/partnerships/")
    other.wait_for_selector(".hb-partnerships li")
    other.evaluate(f"handbook.store.remove({json.dumps(agreed_id)}, 'test')")
    page.wait_for_function(f"!handbook.store.get({json.dumps(agreed_id)})")
    before = workspace(page)
    page.locator("#hb-agree-name").press("Enter")
    expect(page.locator(".hb-live").first).to_have_text(AGREE["gone_before"].format(name=position["name"]))
    expect(page.locator("#hb-agree-into")).to_have_count(0)
    expect(page.locator("#hb-agree-name")).to_have_value("Workshop")
    assert workspace(page) == before, "nothing was started"
    assert not errors
    other.close()


def test_the_agreed_position_exports_as_an_answers_file_and_a_record(page, base_url, edition, tmp_path):
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    qid = page.locator(".hb-agree-item").get_attribute("data-hb-question")
    page.locator('[name="hb-agree-status"]').last.check()
    page.locator("#hb-agree-dissent").fill("Northshire <b>dissents</b> | strongly")
    with page.expect_download() as download:
        page.get_by_role("button", name=AGREE["file"]).click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["partnership"]["kind"] == "agreed"
    assert [s["file"] for s in data["partnership"]["sources"]] == list(FILES)
    assert data["answers"][qid]["dissent"] == "Northshire <b>dissents</b> | strongly"
    with page.expect_download() as download:
        page.get_by_role("button", name=AGREE["record"]).click()
    record = Path(download.value.path()).read_text(encoding="utf-8")
    # Rendered as Markdown, the dissent reads as written and makes no markup.
    html = MarkdownIt("commonmark").enable("table").render(record)
    assert "<b>" not in html
    assert "Northshire &lt;b&gt;dissents&lt;/b&gt; | strongly" in html
    for partner in PARTNERS:
        assert f"{partner} answered:" in record, "each partner's own answer is in the record beside the agreed one"


def test_the_agreed_position_passes_axe_in_both_schemes(page, base_url, edition):
    load_three(page, f"{base_url}/checklists/compare/", edition)
    start(page)
    # The rest of the compare page has its own axe tests (test_compare.py).
    part = [".hb-agree"]
    failures = axe_failures(page, "agreed position, light", include=part)
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    failures += axe_failures(page, "agreed position, dark", include=part)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", languages()[1:])
def test_the_agreed_position_works_in_every_language(page, base_url, edition, language):
    table = yaml.safe_load((ROOT / "theme_overrides" / "locales" / f"{language}.yml").read_text(encoding="utf-8"))
    load_three(page, f"{base_url}/{language}/checklists/compare/", edition)
    page.get_by_role("button", name=table["browser"]["agree"]["start"]).click()
    expect(page.locator(".hb-agree-item")).to_be_visible()
    expect(page.locator(".hb-agree-status legend")).to_have_text(table["browser"]["agree"]["status"])
    page.locator('[name="hb-agree-status"]').last.check()
    stored = workspace(page)
    assert any(p.get("kind") == "agreed" for p in stored["partnerships"].values())
