"""Merging organisation banks: nothing collides silently, and hiding is safe.

Two banks may not both reword or hide one entry, nor may one add to what another hid:
each is an error naming both files and lines. Ids the generated pages need are refused.
Hiding any kind of entry of ours builds with --strict, and what our pages said about it
shows as plain text or nothing, never a broken link.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

import pages
from bank import load_banks
from model import KINDS, BankError
from support import ROOT, build, copy_project, list_banks

UPSTREAM = textwrap.dedent("""\
    stages:
      - id: considering
        title: Considering a partnership
        summary: Before approaching anyone.
      - id: approaching
        title: Approaching partners
        summary: With possible partners.
    principles:
      - id: goals
        title: Clear and common goals
        summary: A shared vision.
      - id: power
        title: Shared power
        summary: Fair shares.
    questions:
      - id: shared-vision
        stage: considering
        principle: goals
        text: What is our vision?
      - id: who-decides
        stage: approaching
        principle: power
        text: Who decides?
    people:
      - id: someone
        name: Some One
        role: Director
    quotes:
      - id: a-quote
        person: someone
        text: Words.
        principles: [goals, power]
        stages: [considering]
    """)


def org(name: str, body: str) -> str:
    return f"organisation: {{name: {name}}}\n" + textwrap.dedent(body)


def merged(tmp_path: Path, *orgs: str):
    files = [tmp_path / "questions.yml"]
    files[0].write_text(UPSTREAM)
    for n, text in enumerate(orgs, 1):
        files.append(tmp_path / f"org{n}.yml")
        files[-1].write_text(text)
    return load_banks(files, tmp_path)


def error(tmp_path: Path, *orgs: str) -> str:
    with pytest.raises(BankError) as caught:
        merged(tmp_path, *orgs)
    return str(caught.value)


def line_of(text: str, words: str) -> int:
    return text[: text.index(words)].count("\n") + 1


# -----------------------------------------------------------------------------
# Collisions between banks: both places named
# -----------------------------------------------------------------------------

REWORD = org("One", "reword:\n  shared-vision: What vision do we share?\n")
REWORD_AGAIN = org("Two", "reword:\n  shared-vision: What do we want?\n")
HIDE_STAGE = org("Two", "hide:\n  - considering\n")
ADD_TO_STAGE = org(
    "One",
    """\
    questions:
      - id: one-extra
        stage: considering
        principle: goals
        text: An added question?
    """,
)


def test_two_banks_rewording_one_question(tmp_path):
    message = error(tmp_path, REWORD, REWORD_AGAIN)
    assert message.startswith("org2.yml:3: rewords question 'shared-vision', which is already reworded at org1.yml:3")


def test_two_banks_hiding_one_entry(tmp_path):
    message = error(tmp_path, org("One", "hide:\n  - a-quote\n"), org("Two", "hide:\n  - a-quote\n"))
    assert message.startswith("org2.yml:3: hide names 'a-quote', which is already hidden at org1.yml:3")


def test_one_bank_hiding_an_entry_twice(tmp_path):
    message = error(tmp_path, org("One", "hide:\n  - a-quote\n  - a-quote\n"))
    assert message.startswith("org1.yml:4: hide names 'a-quote' again (first at org1.yml:3)")


def test_hiding_a_stage_another_bank_added_to(tmp_path):
    message = error(tmp_path, ADD_TO_STAGE, HIDE_STAGE)
    assert message.startswith(
        "org2.yml:3: hiding stage 'considering' would also hide question 'one-extra', added at org1.yml:3"
    )


def test_adding_to_a_stage_an_earlier_bank_hid(tmp_path):
    hide_first = org("One", "hide:\n  - considering\n")
    message = error(tmp_path, hide_first, ADD_TO_STAGE.replace("One", "Two"))
    line = line_of(ADD_TO_STAGE, "stage: considering")
    assert message.startswith(f"org2.yml:{line}: question 'one-extra' names stage 'considering', which is hidden at "
                              "org1.yml:3")  # fmt: skip


def test_a_bank_adding_to_what_it_hides(tmp_path):
    both = ADD_TO_STAGE + "hide:\n  - considering\n"
    message = error(tmp_path, both)
    assert "hiding stage 'considering' would also hide question 'one-extra', added at org1.yml:3" in message


def test_tagging_a_quote_with_a_hidden_stage(tmp_path):
    quote = org(
        "Two",
        """\
        quotes:
          - id: two-quote
            person: someone
            text: More words.
            principles: [goals]
            stages: [considering]
        """,
    )
    message = error(tmp_path, org("One", "hide:\n  - considering\n"), quote)
    assert re.match(
        r"org2\.yml:\d+: quote 'two-quote' names stage 'considering', which is hidden at org1\.yml:3", message
    )


def test_hiding_a_stage_that_tags_an_organisations_quote(tmp_path):
    quote = org("One", "quotes:\n  - {id: one-quote, person: someone, text: Said., principles: [goals], "
                       "stages: [considering, approaching]}\n")  # fmt: skip
    message = error(tmp_path, quote, HIDE_STAGE)
    assert message.startswith(
        "org2.yml:3: hiding stage 'considering' would take it off quote 'one-quote', added at org1.yml:3; "
        "take it off there too, or stop hiding 'considering'"
    )


def test_hiding_a_question_its_hidden_stage_already_hid(tmp_path):
    bank = merged(tmp_path, org("One", "hide:\n  - considering\n  - shared-vision\n"))
    assert [q.id for q in bank.questions] == ["who-decides"]
    assert ("questions", "shared-vision") in bank.hidden
    # Named twice, though, is still a slip to fix.
    message = error(tmp_path, org("One", "hide:\n  - considering\n  - shared-vision\n  - shared-vision\n"))
    assert message.startswith("org1.yml:5: hide names 'shared-vision' again")


@pytest.mark.parametrize("section", ["stages", "principles"])
def test_hiding_every_stage_or_principle(tmp_path, section):
    ids = [e["id"] for e in yaml.safe_load(UPSTREAM)[section]]
    noun = section[:-1]
    message = error(tmp_path, org("One", "hide:\n" + "".join(f"  - {i}\n" for i in ids)))
    assert message.startswith(
        f"org1.yml:4: this hides the last {noun} left, and a handbook needs at least one; keep one {noun} "
        "(hidden at org1.yml:3, org1.yml:4)"
    ), message


def test_placing_a_stage_after_a_hidden_one(tmp_path):
    stage = org("Two", "stages:\n  - {id: later, title: Later, summary: After., after: considering}\n")
    message = error(tmp_path, org("One", "hide:\n  - considering\n"), stage)
    assert message.startswith("org2.yml:3: stage 'later' is placed after 'considering', which is hidden at org1.yml:3")


def test_rewording_then_hiding_and_hiding_then_rewording(tmp_path):
    hide = org("Two", "hide:\n  - shared-vision\n")
    assert error(tmp_path, REWORD, hide).startswith(
        "org2.yml:3: hides question 'shared-vision', which is reworded at org1.yml:3"
    )
    assert error(tmp_path, hide.replace("Two", "One"), REWORD_AGAIN).startswith(
        "org2.yml:3: reword names 'shared-vision', which is hidden at org1.yml:3"
    )


def test_hiding_a_stage_hides_a_reworded_question_under_it(tmp_path):
    message = error(tmp_path, REWORD, HIDE_STAGE)
    assert "hides question 'shared-vision', which is reworded at org1.yml:3" in message


def test_reusing_a_hidden_id(tmp_path):
    reuse = org("Two", "questions:\n  - {id: shared-vision, stage: approaching, principle: goals, text: New?}\n")
    message = error(tmp_path, org("One", "hide:\n  - shared-vision\n"), reuse)
    assert message.startswith("org2.yml:3: question id 'shared-vision' belongs to an entry hidden at org1.yml:3")


def test_a_bank_hiding_or_rewording_its_own_entry(tmp_path):
    own = ADD_TO_STAGE + "hide:\n  - one-extra\nreword:\n  one-extra: Reworded?\n"
    message = error(tmp_path, own)
    assert "hide names 'one-extra', which this file adds itself; delete the entry instead" in message
    assert "reword names 'one-extra', which this file adds itself; change its text there instead" in message


@pytest.mark.parametrize("taken", sorted({path.split("/")[-1][:-3] for path in pages.PAGES if "/" in path}))
def test_stage_ids_that_generated_pages_use_are_refused(tmp_path, taken):
    """A stage called 'all' would replace 'All stages'; its id is refused, naming file and line."""
    stage = org("One", f"stages:\n  - {{id: {taken}, title: Odd, summary: A stage.}}\n")
    (tmp_path / "questions.yml").write_text(UPSTREAM)
    (tmp_path / "org1.yml").write_text(stage)
    bank = load_banks([tmp_path / "questions.yml", tmp_path / "org1.yml"], tmp_path)
    with pytest.raises(BankError, match=rf"^org1\.yml:3: stage id '{taken}' would replace the generated page "):
        pages.generated(bank)


def test_hiding_cascades_and_unlinks(tmp_path):
    bank = merged(tmp_path, org("One", "hide:\n  - power\n  - someone\n"))
    assert [q.id for q in bank.questions] == ["shared-vision"]
    assert bank.quotes == ()
    assert {key for key in bank.hidden} == {("principles", "power"), ("questions", "who-decides"),
                                            ("people", "someone"), ("quotes", "a-quote")}  # fmt: skip
    tagged = merged(tmp_path, org("One", "hide:\n  - power\n"))
    assert tagged.quotes[0].principles == ("goals",)


# -----------------------------------------------------------------------------
# Hiding any kind of our entries: a strict build, no broken link
# -----------------------------------------------------------------------------


def first_of(section: str):
    from bank import load_bank

    ours = load_bank(ROOT / "questions.yml", ROOT)
    return ours.entries(section)[0]


@pytest.mark.parametrize("kind", [k.section for k in KINDS])
def test_hiding_one_of_ours_builds_strictly_with_no_link_to_it(tmp_path, kind):
    entry = first_of(kind)
    config = copy_project(tmp_path)
    (tmp_path / "ours.yml").write_text(f"organisation: {{name: Ours}}\nhide:\n  - {entry.id}\n")
    list_banks(config, "questions.yml", "ours.yml")
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    html = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    if kind == "stages":
        assert not (site / "checklists" / entry.id).exists()
        assert not [p for p, h in html.items() if f"checklists/{entry.id}/" in h], "a link to the hidden stage"
        # What our pages say about it shows its title as text.
        assert entry.title in re.sub(r"<[^>]+>", "", html[site / "partnerships" / "index.html"])
    if kind == "questions":
        assert not [p for p, h in html.items() if f"q-{entry.id}" in h]
    if kind == "quotes":
        assert not [p for p, h in html.items() if entry.text[:40] in h]
    if kind == "people":
        assert not [p for p, h in html.items() if f'people/#{entry.id}"' in h]
        assert f'id="{entry.id}"' not in html[site / "people" / "index.html"]
    if kind == "principles":
        page = html[site / "principles" / entry.id / "index.html"]
        assert "No question in this handbook" in page
