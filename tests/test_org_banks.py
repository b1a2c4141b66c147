"""Organisation banks: a fork adds, hides and rewords questions in its own file,
and the site, the print layout and the downloads show it with provenance.
The JSON Schema and the loader agree on every fixture."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bank import load_banks
from model import BankError
from shape import BANK_SCHEMA
from support import ROOT, build, copy_project, list_banks, serve

FIXTURES = Path(__file__).parent / "fixtures"
ORG = "Northshire Health and Care Partnership"


# -----------------------------------------------------------------------------
# Schema and loader agree
# -----------------------------------------------------------------------------


def _expectation(path: Path) -> tuple[str, str]:
    header = dict(re.findall(r"^# (expect|error): (.*)$", path.read_text(), re.M))
    return header["expect"], header.get("error", "")


BANK_FIXTURES = sorted((FIXTURES / "banks").glob("*.yml"))


@pytest.mark.parametrize("path", BANK_FIXTURES, ids=[p.stem for p in BANK_FIXTURES])
def test_schema_and_loader_agree(path):
    expect, error = _expectation(path)
    schema_errors = list(
        jsonschema.Draft202012Validator(json.loads(BANK_SCHEMA.read_text())).iter_errors(
            yaml.safe_load(path.read_text())
        )
    )
    files = [ROOT / "questions.yml", path] if "org" in path.stem else [path]
    try:
        load_banks(files, ROOT)
        loader_error = ""
    except BankError as e:
        loader_error = str(e)

    if expect == "valid":
        assert not schema_errors and not loader_error, (schema_errors, loader_error)
    elif expect == "shape":
        # Both reject it: the editor flags it as you type, the build stops with file and line.
        assert schema_errors, "the schema accepted a malformed bank"
        assert re.match(rf"{re.escape(str(path))}:\d+: ", loader_error) or re.match(
            rf"tests/fixtures/banks/{path.name}:\d+: ", loader_error
        ), loader_error
        assert error in loader_error
    else:
        # Cross-references and merging: only the loader can tell; the schema must not reject it.
        assert not schema_errors, schema_errors
        assert error in loader_error, loader_error
        assert re.search(r"\.yml:\d+: ", loader_error), loader_error


def test_the_real_bank_and_the_example_org_bank_match_the_schema():
    for path in (ROOT / "questions.yml", FIXTURES / "org-bank.yml"):
        jsonschema.Draft202012Validator(json.loads(BANK_SCHEMA.read_text())).validate(yaml.safe_load(path.read_text()))


def test_the_bank_points_editors_at_the_schema():
    first_line = (ROOT / "questions.yml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=schema/question-bank.schema.json"
    assert (ROOT / "schema" / "question-bank.schema.json").is_file()


def test_duplicate_across_banks_names_both_files_and_lines(tmp_path):
    upstream = (ROOT / "questions.yml").read_text()
    line = upstream[: upstream.index("id: buy-in")].count("\n") + 1
    org = tmp_path / "ours.yml"
    org.write_text(
        "organisation: {name: Ours}\nquestions:\n  - {id: buy-in, stage: approaching, principle: power, text: Hm?}\n"
    )
    with pytest.raises(BankError) as caught:
        load_banks([ROOT / "questions.yml", org], tmp_path)
    assert str(caught.value).startswith("ours.yml:3: question id 'buy-in' is already used at ")
    assert f"questions.yml:{line}" in str(caught.value)


# -----------------------------------------------------------------------------
# The example organisation's site
# -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def org_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fork")
    config = copy_project(root)
    (root / "example-org-bank.yml").write_text((FIXTURES / "org-bank.yml").read_text())
    list_banks(config, "questions.yml", "example-org-bank.yml")  # whatever else a fork lists
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def _question_ids(html: str) -> list[str]:
    return re.findall(r'<li class="hb-question" id="q-([a-z0-9-]+)"', html)


def _question(html: str, qid: str) -> str:
    """One question's HTML on a checklist page."""
    item = html[html.index(f'id="q-{qid}"') :]
    return item[: item.index("</li>")]


def test_added_stage_follows_establishing_in_nav_and_pages(org_site):
    home = (org_site / "index.html").read_text()
    stages = ("considering", "approaching", "establishing", "delivering")
    order = [home.index(f'href="checklists/{s}/"') for s in stages]
    assert order == sorted(order)
    html = (org_site / "checklists" / "delivering" / "index.html").read_text()
    assert _question_ids(html) == ["review-rhythm", "exit-plan", "learning-review"]
    assert "Delivering together" in html


def test_added_questions_carry_an_added_by_badge(org_site):
    for stage, qid in (("delivering", "review-rhythm"), ("establishing", "data-sharing-agreement")):
        item = _question((org_site / "checklists" / stage / "index.html").read_text(), qid)
        assert f"Added by {ORG}" in item


def test_hidden_question_is_gone_everywhere(org_site):
    for page in org_site.rglob("*.html"):
        assert 'id="q-other-relationship"' not in page.read_text()
        assert "#q-other-relationship" not in page.read_text()
    assert "other-relationship" not in (org_site / "questions.csv").read_text()


def test_reworded_question_shows_the_new_text_as_adapted(org_site):
    item = _question((org_site / "checklists" / "approaching" / "index.html").read_text(), "buy-in")
    assert "boards and front-line teams back the partnership?" in item
    assert f"Adapted by {ORG}" in item
    assert "Original question: Do both organisations have enough support" in item


def test_added_quote_is_on_its_stage_and_on_the_people_page(org_site):
    words = "We put the first review date in the diary on day one"
    assert words in (org_site / "checklists" / "delivering" / "index.html").read_text()
    people = (org_site / "people" / "index.html").read_text()
    assert 'id="alex-morgan"' in people and words in people


def test_downloads_carry_the_organisation(org_site):
    rows = list(csv.DictReader(io.StringIO((org_site / "questions.csv").read_text(encoding="utf-8-sig"))))
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 37 - 1 + 4
    assert by_id["review-rhythm"]["organisation"] == ORG
    assert by_id["review-rhythm"]["stage"] == "delivering"
    assert by_id["buy-in"]["adapted_by"] == ORG
    assert by_id["vision-and-mission"]["organisation"] == ""
    assert [r["stage"] for r in rows].index("delivering") > max(
        i for i, r in enumerate(rows) if r["stage"] == "establishing"
    )
    data = json.loads((org_site / "questions.json").read_text())
    assert [s["id"] for s in data["stages"]] == ["considering", "approaching", "establishing", "delivering"]
    assert data["stages"][-1]["organisation"] == ORG
    assert [q["id"] for q in data["questions"]] == [r["id"] for r in rows]


def test_checklist_pages_link_the_downloads(org_site):
    html = (org_site / "checklists" / "delivering" / "index.html").read_text()
    assert 'href="../../questions.csv"' in html and 'href="../../questions.json"' in html


def test_print_shows_provenance(org_site, browser):
    from pypdf import PdfReader

    for base in serve(org_site):
        page = browser.new_page()
        page.goto(f"{base}/checklists/delivering/")
        pdf = page.pdf(format="A4")
        page.close()
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        text = re.sub(r"\s+", " ", text)
        assert f"Added by {ORG}" in text
        assert "How often will we review progress" in text


def test_added_principle_is_a_section_and_a_row(org_site):
    stage = (org_site / "checklists" / "delivering" / "index.html").read_text()
    assert 'id="delivering--learning"' in stage and "Learning as we go" in stage
    grid = (org_site / "checklists" / "index.html").read_text()
    assert '<th scope="row">Learning as we go</th>' in grid
    # Our principles table lists it, unlinked: it has no guidance page of its own.
    table = (org_site / "principles" / "index.html").read_text()
    assert '<th scope="row">Learning as we go</th>' in table


def test_hidden_quote_leaves_our_page_that_placed_it(org_site):
    page = (org_site / "making-partnerships-work" / "index.html").read_text()
    assert "soft skills are really the harder things to do" not in page
    assert "Soft skills and a positive culture" in page
