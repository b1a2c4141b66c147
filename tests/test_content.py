"""Guidance pages, people and quotes: shortcodes render from the bank, unknown ids
fail with page and line, and every part of the guide reaches the built site."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

import pages
import shortcodes
from bank import load_bank
from conftest import ROOT, project_bank
from context import Handbook

# The site is built from every configured bank; shortcode tests use ours alone.
BANK = project_bank()
UPSTREAM = load_bank(ROOT / "questions.yml", ROOT)


# -----------------------------------------------------------------------------
# Shortcodes, rendered on a page of their own
# -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return Handbook(
        bank=UPSTREAM,
        root=ROOT,
        bank_paths=(ROOT / "questions.yml",),
        templates=ROOT / "theme_overrides" / "handbook",
        version="test",
        built="1 January 2026",
    )


@pytest.fixture(scope="module")
def render(handbook):
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins._current_plugin = "test"  # what MkDocs sets while a plugin event runs
    files = Files([File.generated(config, uri, content=md) for uri, md in pages.generate(handbook).items()])
    page_file = File.generated(config, "principles/example.md", content="")
    files.append(page_file)
    page = Page(None, page_file, config)

    def render(markdown: str) -> str:
        page.file.content_string = markdown
        return shortcodes.render(markdown, page=page, files=files, handbook=handbook)

    return render


def test_quote_renders_an_attributed_figure(render):
    out = render("Intro\n\n<!-- md:quote augst-day-job -->\n")
    assert "<figure" in out and "<blockquote>" in out and "<figcaption>" in out
    assert "Everyone has a day job, you can&#39;t run a partnership in the margins of people&#39;s days." in out
    assert '<a href="../../people/#charlotte-augst">Charlotte Augst</a>' in out
    assert "Former Chief Executive, National Voices" in out


def test_shortcodes_in_code_are_shown_not_run(render):
    markdown = "Write `<!-- md:quote some-id -->` on its own line:\n\n```md\n<!-- md:quote any-id -->\n```\n"
    assert render(markdown) == markdown
    assert "<figure" in render(markdown + "\n<!-- md:quote augst-day-job -->\n")


def test_person_renders_name_and_role(render):
    out = render("<!-- md:person nav-chana -->")
    assert "Nav Chana" in out and "Chair of National Association of Primary Care" in out


def test_questions_link_to_their_anchors_in_bank_order(render):
    out = render("<!-- md:questions power establishing -->")
    targets = re.findall(r"\]\(\.\./checklists/establishing\.md#q-([a-z0-9-]+)\)", out)
    assert targets == [q.id for q in UPSTREAM.questions_for("establishing", "power")]
    every_stage = render("<!-- md:questions culture -->")
    assert len(re.findall(r"#q-", every_stage)) == len(UPSTREAM.questions_for(principle="culture"))


def test_quotes_for_a_principle(render):
    out = render("<!-- md:quotes-for resourcing -->")
    assert out.count("<figure") == len(UPSTREAM.quotes_for(principle="resourcing")) > 0


def test_cite_makes_a_numbered_footnote_with_the_verbatim_citation(render):
    out = render(
        "A claim.<!-- md:cite cook-2015 --> Another.<!-- md:cite berge-2008 --> Again.<!-- md:cite cook-2015 -->"
    )
    assert out.startswith("A claim.[^ref-cook-2015] Another.[^ref-berge-2008] Again.[^ref-cook-2015]")
    assert "[^ref-cook-2015]: Cook A, Partnership working Across UK Public Services Edinburgh." in out
    assert out.count("[^ref-cook-2015]:") == 1


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("<!-- md:quote augst-day-jbo -->",
         "unknown quote 'augst-day-jbo' in '<!-- md:quote augst-day-jbo -->'; did you mean 'augst-day-job'?"),
        ("<!-- md:person nobody -->", "unknown person 'nobody'"),
        ("<!-- md:questions goal -->", "unknown principle 'goal' in '<!-- md:questions goal -->'; did you mean 'goals'"),
        ("<!-- md:questions goals delivery -->", "unknown stage 'delivery'"),
        ("<!-- md:cite smith-1999 -->", "unknown reference 'smith-1999'"),
        ("<!-- md:quotes-for nothing -->", "'nothing' is neither a principle nor a stage"),
        ("<!-- md:qoute augst-day-job -->", "unknown shortcode 'md:qoute'"),
        ("<!-- md:quote -->", "'md:quote' takes 1 argument(s), got 0"),
    ],
)  # fmt: skip
def test_unknown_ids_fail_naming_page_and_line(render, markdown, message):
    with pytest.raises(shortcodes.ShortcodeError) as caught:
        render(f"# Title\n\nSome text.\n\n{markdown}\n")
    assert str(caught.value).startswith("principles/example.md (generated from the question bank):5: ")
    assert message in str(caught.value)


# -----------------------------------------------------------------------------
# The built site carries every part of the guide
# -----------------------------------------------------------------------------


def text_of(site: Path, url: str) -> str:
    raw = (site / url / "index.html").read_text()
    body = raw[raw.index('<article class="md-content__inner') : raw.index("</article>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


GUIDE_PAGES = [
    "partnerships", "how-developed", "making-partnerships-work", "principles", "principles/goals",
    "principles/power", "principles/resourcing", "principles/culture", "in-practice", "using-the-checklist",
    "references", "about", "people", "add-your-questions",
]  # fmt: skip


@pytest.mark.parametrize("url", GUIDE_PAGES)
def test_every_part_of_the_guide_has_a_page(site, url):
    assert len(text_of(site, url).split()) > 60


def test_stage_pages_show_the_quotes_tagged_for_them(site):
    for stage in BANK.stages:
        text = text_of(site, f"checklists/{stage.id}")
        for quote in BANK.quotes:
            assert (quote.text in text) == (stage.id in quote.stages), (stage.id, quote.id)


def test_quotes_follow_the_questions_on_stage_pages(site):
    raw = (site / "checklists" / "establishing" / "index.html").read_text()
    last_question = raw.rindex('class="hb-question"')
    assert all(m.start() > last_question for m in re.finditer("<figure", raw))


def test_principle_pages_show_their_quotes_and_questions(site):
    for principle in BANK.principles:
        text = text_of(site, f"principles/{principle.id}")
        raw = (site / "principles" / principle.id / "index.html").read_text()
        for quote in BANK.quotes_for(principle=principle.id):
            assert quote.text in text, (principle.id, quote.id)
        for question in BANK.questions_for(principle=principle.id):
            assert f"/#q-{question.id}" in raw, (principle.id, question.id)


def test_people_page_lists_everyone_with_role_and_quotes(site):
    text = text_of(site, "people")
    raw = (site / "people" / "index.html").read_text()
    for person in BANK.people:
        assert f'id="{person.id}"' in raw
        assert person.name in text and person.role in text
    for quote in BANK.quotes:
        assert quote.text in text


def test_practitioners_page_has_each_practitioner_and_their_quote(site):
    text = text_of(site, "in-practice")
    for pid in ("dominique-bird", "john-boulton", "breid-obrien", "vicki-sellick", "charlotte-augst"):
        person = BANK.get("people", pid)
        assert person.name in text
        for quote in BANK.quotes_for(person=pid):
            assert quote.text in text


def test_making_partnerships_work_places_the_interview_quotes(site):
    text = text_of(site, "making-partnerships-work")
    for quote in BANK.quotes_for(person="interviewee"):
        assert quote.text in text, quote.id


def test_how_developed_names_the_six_interviewees(site):
    text = text_of(site, "how-developed")
    for pid in ("charlotte-augst", "nav-chana", "samantha-jones", "melissa-maguinness", "vicki-sellick",
                "rebecca-simmons"):  # fmt: skip
        assert BANK.get("people", pid).name in text


def test_every_reference_is_listed_and_principles_cite_them(site):
    text = text_of(site, "references")
    words = " ".join(re.findall(r"\w+", text))
    for ref in BANK.references:
        assert " ".join(re.findall(r"\w+", ref.text)) in words, ref.id
    cited = set()
    for principle in BANK.principles:
        raw = (site / "principles" / principle.id / "index.html").read_text()
        assert 'class="footnote"' in raw, principle.id
        cited |= {r.id for r in BANK.references if r.text[:20] in html.unescape(raw)}
    assert cited == {r.id for r in BANK.references}


def test_footer_and_about_page_credit_the_source_guide(site):
    about = text_of(site, "about")
    for fact in ("Leading successful partnerships", "Q", "Health Foundation", "Innovation Unit", "Libby Keck"):
        assert fact in about
    assert "CC BY 4.0" in about and "MIT" in about


SOURCE_CHECK = ROOT.parent / "shared" / "tools" / "originality.py"


@pytest.mark.skipif(not SOURCE_CHECK.exists(), reason="the source guide is not beside this checkout (a fork)")
def test_no_sentence_is_copied_from_the_guide():
    result = subprocess.run([sys.executable, str(SOURCE_CHECK)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert " 0 copied runs" in result.stdout
