"""Guidance pages, people and quotes: shortcodes render from the bank, unknown ids
fail with page and line, and every part of the guide reaches the built site."""

from __future__ import annotations

import html as html_module
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from hooks_harness import Hooks
from support import ROOT, project_bank

# The site is built from every configured bank (a fork adds its own); tests read the same merge.
BANK = project_bank()


# -----------------------------------------------------------------------------
# Shortcodes, rendered through the real hooks on a page of their own
# -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks() -> Hooks:
    return Hooks(ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def render(hooks):
    def render(markdown: str) -> str:
        return hooks.page_markdown("principles/example.md", markdown)

    return render


@pytest.fixture(scope="module")
def html(hooks):
    def html(markdown: str) -> str:
        return hooks.page_html("principles/example.md", markdown)

    return html


def an(section: str, with_=lambda entry: True):
    """An entry of the merged bank (a fork may hide any of ours), or skip the test's case."""
    for entry in BANK.entries(section):
        if with_(entry):
            return entry
    raise AssertionError(f"the bank has no {section} to test with")


def test_quote_renders_an_attributed_figure(html):
    quote = an("quotes")
    person = BANK.get("people", quote.person)
    out = html(f"Intro\n\n<!-- md:quote {quote.id} -->\n")
    assert "<figure" in out and "<blockquote>" in out and "<figcaption>" in out
    assert escape(quote.text) in out
    assert f'<a href="../../people/#{person.id}">{escape(person.name)}</a>' in out
    assert escape(person.role) in out


def test_shortcodes_in_code_are_shown_not_run(render):
    markdown = "Write `<!-- md:quote some-id -->` on its own line:\n\n```md\n<!-- md:quote any-id -->\n```\n"
    assert render(markdown) == markdown
    assert render(markdown + f"\n<!-- md:quote {an('quotes').id} -->\n") != markdown + "\n"


def test_person_renders_name_and_role(html):
    person = an("people")
    out = html(f"<!-- md:person {person.id} -->")
    assert escape(person.name) in out and escape(person.role) in out


def test_questions_link_to_their_anchors_in_bank_order(html):
    stage, principle = next((s, p) for s in BANK.stages for p in BANK.principles if BANK.questions_for(s.id, p.id))
    out = html(f"<!-- md:questions {principle.id} {stage.id} -->")
    targets = re.findall(rf'href="\.\./\.\./checklists/{stage.id}/#q-([a-z0-9-]+)"', out)
    assert targets == [q.id for q in BANK.questions_for(stage.id, principle.id)]
    every_stage = html(f"<!-- md:questions {principle.id} -->")
    assert len(re.findall(r"#q-", every_stage)) == len(BANK.questions_for(principle=principle.id))
    # Found on the stage pages, not here.
    assert "data-search-exclude" in every_stage


def test_quotes_for_a_principle(html):
    principle = an("principles", lambda p: BANK.quotes_for(principle=p.id))
    out = html(f"<!-- md:quotes-for {principle.id} -->")
    assert out.count("<figure") == len(BANK.quotes_for(principle=principle.id))


def test_cite_makes_a_numbered_footnote_with_the_verbatim_citation(render, html):
    first, second = BANK.references[0], BANK.references[1]
    markdown = (
        f"A claim.<!-- md:cite {first.id} --> Another.<!-- md:cite {second.id} --> Again.<!-- md:cite {first.id} -->"
    )
    out = render(markdown)
    assert out.startswith(f"A claim.[^ref-{first.id}] Another.[^ref-{second.id}] Again.[^ref-{first.id}]")
    assert out.count(f"[^ref-{first.id}]:") == 1
    page = html(markdown)
    notes = page[page.index('class="footnote"') :]
    assert notes.index(f'id="fn:ref-{first.id}"') < notes.index(f'id="fn:ref-{second.id}"')
    assert html_text(notes).count(plain(first.text)) == 1


def test_counts_and_stage_tables_come_from_the_bank(render, html):
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

    # The number with its noun: in words up to ten for stages and principles, up to one for questions.
    def said(n: int, noun: str, in_words: int) -> str:
        if n <= in_words:
            return f"{words[n]} {noun if n == 1 else noun + 's'}"
        return f"{n:,} {noun if n == 1 else noun + 's'}"

    assert render("<!-- md:count stages -->") == said(len(BANK.stages), "stage", 10)
    assert render("<!-- md:count principles -->") == said(len(BANK.principles), "principle", 10)
    assert render("<!-- md:count questions -->") == said(len(BANK.questions), "question", 1)
    stage = BANK.stages[0]
    n = len(BANK.questions_for(stage=stage.id))
    assert render(f"<!-- md:count questions {stage.id} -->") == said(n, "question", 1)
    table = html("<!-- md:stages -->")
    rows = re.findall(
        r"<tr><th scope=\"row\"><a href=\"([^\"]+)\">(.*?)</a></th><td>.*?</td><td>(\d+)</td></tr>", table
    )
    assert rows == [
        (f"../../checklists/{s.id}/", escape(s.title), str(len(BANK.questions_for(stage=s.id)))) for s in BANK.stages
    ]
    assert render("<!-- md:stage-links -->").count("](../checklists/") == len(BANK.stages)


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("<!-- md:quote no-such-quote -->", "unknown quote 'no-such-quote' in '<!-- md:quote no-such-quote -->'"),
        ("<!-- md:person nobody -->", "unknown person 'nobody'"),
        ("<!-- md:questions no-principle -->", "unknown principle 'no-principle' in '<!-- md:questions no-principle -->'"),
        ("<!-- md:questions {principle} no-stage -->", "unknown stage 'no-stage'"),
        ("<!-- md:cite smith-1999 -->", "unknown reference 'smith-1999'"),
        ("<!-- md:quotes-for nothing -->", "unknown principle or stage 'nothing'"),
        ("<!-- md:qoute {quote} -->", "unknown shortcode 'md:qoute' in '<!-- md:qoute {quote} -->'; did you mean 'quote'?"),
        ("<!-- md:quote -->", "'md:quote' takes 1 argument(s), got 0"),
        ("<!-- md:count {principle} -->", "'{principle}' is not something to count"),
        # Anything that looks like a shortcode must be one, exactly.
        ("<!-- md:Quote {quote} -->", "looks like a shortcode but is not written as one"),
        ("<!--md:quote {quote}-->", "looks like a shortcode but is not written as one"),
        ("<!-- MD:quote {quote} -->", "looks like a shortcode but is not written as one"),
        ("<!--  md:quote {quote} -->", "looks like a shortcode but is not written as one"),
        ("<!-- md:quote {quote}-->", "looks like a shortcode but is not written as one"),
        ("<!-- md: quote {quote} -->", "looks like a shortcode but is not written as one"),
        ("<!-- md:quote {quote} ", "looks like a shortcode but is not written as one"),
    ],
)  # fmt: skip
def test_bad_shortcodes_fail_naming_page_and_line(render, markdown, message):
    names = {"principle": BANK.principles[0].id, "quote": an("quotes").id}
    with pytest.raises(PluginError) as caught:
        render(f"# Title\n\nSome text.\n\n{markdown.format(**names)}\n")
    assert str(caught.value).startswith("principles/example.md (generated):5: ")
    assert message.format(**names) in str(caught.value)


# -----------------------------------------------------------------------------
# The built site carries every part of the guide
# -----------------------------------------------------------------------------


def escape(text: str) -> str:
    return html_module.escape(str(text), quote=True)


def plain(text: str) -> str:
    return re.sub(r"[*_`]", "", str(text))


def html_text(fragment: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def text_of(site: Path, url: str) -> str:
    raw = (site / url / "index.html").read_text()
    body = raw[raw.index('<article class="md-content__inner') : raw.index("</article>")]
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


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
    for stage in BANK.stages:
        raw = (site / "checklists" / stage.id / "index.html").read_text()
        last_question = raw.rindex('class="hb-question"')
        assert all(m.start() > last_question for m in re.finditer("<figure", raw)), stage.id


def principle_pages(site: Path):
    """The principles that have a guidance page (a fork's added principle may have none)."""
    return [p for p in BANK.principles if (site / "principles" / p.id / "index.html").is_file()]


def test_principle_pages_show_their_quotes_and_questions(site):
    for principle in principle_pages(site):
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


def named_by_shortcodes(page: str, shortcode: str) -> list[str]:
    source = (ROOT / "content" / f"{page}.md").read_text(encoding="utf-8")
    return re.findall(rf"<!-- md:{shortcode} ([a-z0-9-]+) -->", source)


@pytest.mark.parametrize("page", ["in-practice", "making-partnerships-work", "how-developed", "partnerships"])
def test_guidance_pages_show_the_people_and_quotes_they_name(site, page):
    """What a page places with shortcodes is on it; what an organisation bank hid is not."""
    text = text_of(site, page)
    for quote_id in named_by_shortcodes(page, "quote"):
        quote = BANK.get("quotes", quote_id)
        hidden = BANK.hidden.get(("quotes", quote_id))
        assert quote or hidden, f"{page} names quote {quote_id!r}, which no bank has"
        assert ((quote or hidden).text in text) == (quote is not None), quote_id
    for person_id in named_by_shortcodes(page, "person"):
        person = BANK.get("people", person_id)
        if person is not None:
            assert person.name in text and person.role in text, person_id


def test_our_guidance_places_the_guides_practitioners_and_interviewees():
    """Every practitioner quote and interview quote of questions.yml has its place in our pages."""
    from bank import load_bank

    ours = load_bank(ROOT / "questions.yml", ROOT)
    placed = {q for page in ("in-practice", "making-partnerships-work") for q in named_by_shortcodes(page, "quote")}
    practitioners = {"dominique-bird", "john-boulton", "breid-obrien", "vicki-sellick", "charlotte-augst"}
    assert {q.id for q in ours.quotes if q.person in practitioners} <= placed
    assert {q.id for q in ours.quotes_for(person="interviewee")} <= placed
    interviewees = {"charlotte-augst", "nav-chana", "samantha-jones", "melissa-maguinness", "vicki-sellick",
                    "rebecca-simmons"}  # fmt: skip
    assert interviewees <= set(named_by_shortcodes("how-developed", "person"))


def test_every_reference_is_listed_and_principles_cite_them(site):
    text = text_of(site, "references")
    words = " ".join(re.findall(r"\w+", text))
    for ref in BANK.references:
        assert " ".join(re.findall(r"\w+", plain(ref.text))) in words, ref.id
    cited = set()
    for principle in principle_pages(site):
        raw = (site / "principles" / principle.id / "index.html").read_text()
        if any(f"md:cite {r.id}" in (ROOT / "content" / "principles" / f"{principle.id}.md").read_text()
               for r in BANK.references):  # fmt: skip
            assert 'class="footnote"' in raw, principle.id
        cited |= {r.id for r in BANK.references if plain(r.text)[:20] in html_text(raw)}
    ours = {r.id for r in BANK.references if r.organisation is None}
    assert ours <= cited


def test_footer_and_about_page_credit_the_source_guide(site):
    about = text_of(site, "about")
    for fact in ("Leading successful partnerships", "Q", "Health Foundation", "Innovation Unit", "Libby Keck"):
        assert fact in about
    assert "CC BY 4.0" in about and "MIT" in about


# The copied-text check sits beside our checkout (and above the copy `./run test-fork` makes);
# a fork's own clone has no copy of the guide to check against.
SOURCE_CHECK = next(
    (found for folder in ROOT.parents if (found := folder / "shared" / "tools" / "originality.py").exists()), None
)


@pytest.mark.skipif(SOURCE_CHECK is None, reason="the source guide is not beside this checkout (a fork's clone)")
def test_no_sentence_is_copied_from_the_guide():
    result = subprocess.run([sys.executable, str(SOURCE_CHECK)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert " 0 copied runs" in result.stdout
