"""The bank loader: the real bank loads whole, and every kind of bad input gets a
message that names the file, the line and the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bank import load_bank, load_banks
from model import BankError
from support import ROOT

GOOD = """\
stages:
  - id: considering
    title: Considering a partnership
    summary: Before approaching anyone.
  - id: approaching
    title: Approaching partner/s
    summary: With possible partners.
principles:
  - id: goals
    title: Clear and common goals
    summary: A shared vision.
questions:
  - id: shared-vision
    stage: considering
    principle: goals
    text: What is our vision?
people:
  - id: someone
    name: Some One
    role: Director
quotes:
  - id: a-quote
    person: someone
    text: Words.
    principles: [goals]
    stages: [considering]
references: []
"""


def write(tmp_path: Path, text: str, name: str = "questions.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(BankError) as caught:
        load_bank(write(tmp_path, text), tmp_path)
    return str(caught.value)


def test_the_real_bank_holds_the_guides_whole_checklist():
    bank = load_bank(ROOT / "questions.yml", ROOT)
    assert [s.id for s in bank.stages] == ["considering", "approaching", "establishing"]
    assert [p.id for p in bank.principles] == ["goals", "power", "resourcing", "culture"]
    assert len(bank.questions) == 37
    counts = {s.id: len(bank.questions_for(s.id)) for s in bank.stages}
    assert counts == {"considering": 11, "approaching": 13, "establishing": 13}
    grid = {(p.id, s.id): len(qs) for p, cells in bank.grid() for s, qs in cells}
    assert grid == {
        ("goals", "considering"): 4, ("goals", "approaching"): 5, ("goals", "establishing"): 3,
        ("power", "considering"): 2, ("power", "approaching"): 2, ("power", "establishing"): 4,
        ("resourcing", "considering"): 4, ("resourcing", "approaching"): 3, ("resourcing", "establishing"): 3,
        ("culture", "considering"): 1, ("culture", "approaching"): 3, ("culture", "establishing"): 3,
    }  # fmt: skip


def test_the_real_bank_has_the_guides_people_quotes_and_references():
    bank = load_bank(ROOT / "questions.yml", ROOT)
    people = {p.name for p in bank.people}
    interviewees = {"Charlotte Augst", "Nav Chana", "Samantha Jones", "Melissa Maguinness", "Vicki Sellick"}
    practitioners = {"Dominique Bird", "John Boulton", "Breid O'Brien", "Vicki Sellick", "Charlotte Augst"}
    assert interviewees | {"Rebecca Simmons"} | practitioners <= people
    quoted = {bank.get("people", q.person).name for q in bank.quotes}
    assert practitioners <= quoted
    assert sum(q.person == "interviewee" for q in bank.quotes) == 5
    assert len(bank.references) == 7


def test_a_valid_bank_keeps_file_order(tmp_path):
    bank = load_bank(write(tmp_path, GOOD), tmp_path)
    assert [s.id for s in bank.stages] == ["considering", "approaching"]
    assert bank.questions[0].origin.line == 13
    assert bank.questions[0].text == "What is our vision?"


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        # YAML syntax error
        (("    title: Considering a partnership", '    title: "Considering'), 3, "quoted scalar, never closed; close it"),
        (("    summary: With possible partners.", "  summary: [oops"), 7, "YAML syntax error"),
        # missing required key
        (("    text: What is our vision?\n", ""), 13, "question 'shared-vision' has no 'text'; add 'text:'"),
        # unknown key (a typo)
        (("    text: What", "    txt: What"), 16, "unknown key 'txt' (did you mean 'text'?)"),
        # wrong type
        (("    text: What is our vision?", "    text: [What]"), 16, "'text' of question 'shared-vision' must be text"),
        # empty text
        (("    text: What is our vision?", '    text: "  "'), 16, "is empty; write the text"),
        # bad id format
        (("  - id: shared-vision", "  - id: Shared_Vision"), 13, "id 'Shared_Vision' is not lowercase kebab-case"),
        # duplicate id
        (("  - id: approaching", "  - id: considering"), 5, "stage id 'considering' is already used at questions.yml:2"),
        # unknown stage
        (("    stage: considering\n    principle: goals\n    text: What", "    stage: considring\n    principle: goals\n    text: What"),
         14, "names stage 'considring' (did you mean 'considering'?); known stages: considering, approaching"),
        # unknown principle
        (("    principle: goals\n    text: What", "    principle: gaols\n    text: What"), 15, "names principle 'gaols'"),
        # unknown person
        (("    person: someone", "    person: nobody"), 23, "quote 'a-quote' names person 'nobody'"),
        # unknown stage in a quote's tags
        (("    stages: [considering]", "    stages: [delivery]"), 26, "names stage 'delivery'"),
        # a key given twice
        (("    text: What is our vision?", "    text: What is our vision?\n    text: Again?"), 17, "key 'text' appears twice"),
    ],
)  # fmt: skip
def test_bad_input_names_file_line_and_fix(tmp_path, change, line, expected):
    old, new = change
    assert old in GOOD
    message = error_for(tmp_path, GOOD.replace(old, new, 1))
    assert message.startswith(f"questions.yml:{line}: "), message
    assert expected in message, message


def test_every_mistake_is_reported_at_once(tmp_path):
    text = GOOD.replace("    text: What", "    txt: What").replace("    role: Director", "    role: ''")
    message = error_for(tmp_path, text)
    assert "questions.yml:16:" in message and "questions.yml:20:" in message


def test_empty_file(tmp_path):
    assert error_for(tmp_path, "").startswith("questions.yml:1: the file is empty")


def test_missing_file_names_the_setting(tmp_path):
    with pytest.raises(BankError, match=r"missing\.yml: bank file not found; .*extra\.question_banks"):
        load_banks([tmp_path / "missing.yml"], tmp_path)


def test_ids_and_text_are_stable_strings(tmp_path):
    # A bare number or yes/no is not text: YAML would turn it into a number or a boolean.
    message = error_for(tmp_path, GOOD.replace("    text: What is our vision?", "    text: yes"))
    assert "must be text, not true/false" in message
