"""The built handbook: generated checklists, overview grid, search, nav, footer,
and what happens when a bank file is broken."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support import ROOT, build, copy_project, languages, project_bank, retranslate

BANK = project_bank()


class _Ids(HTMLParser):
    """Collects, in document order, ids starting with q- and the text of each."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and (attrs.get("id") or "").startswith("q-"):
            self.ids.append(attrs["id"])
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2 and data.strip():
            self.headings.append(data.strip())
            self._in_h2 = False


def parse(path: Path) -> _Ids:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("stage", [s.id for s in BANK.stages])
def test_each_stage_page_holds_exactly_its_questions_in_bank_order(site, stage):
    page = parse(site / "checklists" / stage / "index.html")
    expected = [f"q-{q.id}" for q in BANK.ordered_questions(stage)]
    assert page.ids == expected
    # Questions are grouped under principle headings, in principle order.
    titles = [p.title for p in BANK.principles if BANK.questions_for(stage, p.id)]
    assert [h for h in page.headings if h in titles] == titles


def test_every_question_is_on_exactly_one_stage_page(site):
    ids = [i for s in BANK.stages for i in parse(site / "checklists" / s.id / "index.html").ids]
    assert sorted(ids) == sorted(f"q-{q.id}" for q in BANK.questions)
    assert len(ids) == len(set(ids)) == len(BANK.questions)


@pytest.mark.parametrize("stage", [s.id for s in BANK.stages])
def test_stage_page_toc_lists_its_principles(site, stage):
    html = (site / "checklists" / stage / "index.html").read_text()
    toc = html[html.index('data-md-component="toc"') :]
    for principle in BANK.principles:
        assert (f'href="#{stage}--{principle.id}"' in toc) == bool(BANK.questions_for(stage, principle.id))


def test_questions_are_numbered_in_text_through_their_stage(site):
    """The number is text, so search, print and copy-paste keep it; it runs on across principles."""
    for stage in BANK.stages:
        html = (site / "checklists" / stage.id / "index.html").read_text()
        numbers = re.findall(r'<span class="hb-number">(\d+)\.</span>', html)
        assert numbers == [str(n) for n in range(1, len(BANK.ordered_questions(stage.id)) + 1)], stage.id


def test_overview_grid_has_every_question_in_its_cell(site):
    html = (site / "checklists" / "index.html").read_text()
    table = html[html.index("<table") : html.index("</table>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    assert [title for title, _ in rows] == [p.title for p in BANK.principles]
    for (_, cells_html), (principle, cells) in zip(rows, BANK.grid(), strict=True):
        cells_found = re.findall(r"<td[^>]*>(.*?)</td>", cells_html, re.S)
        for cell_html, (stage, questions) in zip(cells_found, cells, strict=True):
            links = re.findall(r'href="' + stage.id + r'/#q-([a-z0-9-]+)"', cell_html)
            assert links == [q.id for q in questions], (principle.id, stage.id)


def test_search_finds_each_question_once_on_its_stage_page_with_its_number(site):
    """One result per question: on its stage page, in its principle's section, with its real number;
    the overview, all stages and the principle pages do not repeat it."""
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    for question in BANK.questions:
        words = html.escape(question.text.plain, quote=False)
        found = [doc for doc in docs if words in re.sub(r"\s+", " ", doc["text"])]
        assert len(found) == 1, (question.id, [d["location"] for d in found])
        assert found[0]["location"] == f"checklists/{question.stage}/#{question.stage}--{question.principle}"
        assert f"<p>{BANK.numbers[question.id]}. {words}</p>" in re.sub(r"\s+", " ", found[0]["text"])
    locations = {doc["location"].split("#")[0] for doc in docs}
    assert not {"checklists/", "checklists/all/"} & locations


def test_search_index_has_no_hidden_label_text(site):
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    for doc in docs:
        assert "Notes on question" not in doc["text"] and "hb-visually-hidden" not in doc["text"], doc["location"]


def test_nav_shows_every_stage_in_order(site):
    html = (site / "index.html").read_text()
    nav = html[html.index('class="md-nav md-nav--primary"') :]
    positions = [nav.index(f'href="checklists/{s.id}/"') for s in BANK.stages]
    assert positions == sorted(positions)


def test_every_page_credits_the_source_guide(site):
    """Every page's footer carries mkdocs.yml's copyright, which credits the source guide and links
    to it, as the page's language words it (the `config` group of its strings table)."""
    from mkdocs.config import load_config

    import strings

    codes = languages()
    tables = strings.load(codes, strings.FOLDER, ROOT)
    ours = load_config(str(ROOT / "mkdocs.yml")).copyright
    guide = re.search(r'<a href="([^"]+)"', ours)
    assert guide, f"mkdocs.yml's copyright links to no guide: {ours}"
    credits = {code: ours if code == codes[0] else tables[code]("config.copyright") for code in codes}
    pages = list(site.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        text = page.read_text()
        lang = re.search(r'<html lang="([^"]+)"', text)[1]
        footer = " ".join(text[text.index('class="md-footer"') :].split())
        assert " ".join(credits[lang].split()) in footer, f"{page}: no credit, in {lang}, to the source guide"
        assert f'href="{guide[1]}"' in footer, f"{page}: no link to the source guide"


def test_no_fonts_or_scripts_from_other_hosts(site):
    for page in site.rglob("*.html"):
        html = page.read_text()
        # Every element that makes the browser fetch something; a canonical link fetches nothing.
        fetched = re.findall(r'<(?:script|link(?! rel="canonical")|img|iframe|source)[^>]+(?:src|href)="([^"]+)"', html)
        for attr in fetched:
            assert not attr.startswith(("http:", "https:", "//")), (page, attr)


def test_raw_html_in_question_text_is_shown_as_text(tmp_path):
    config = copy_project(tmp_path)
    bank = tmp_path / "questions.yml"
    bank.write_text(
        bank.read_text().replace(
            "text: What vision and mission do we hold for this work?",
            "text: 'Is <script>alert(1)</script> our *vision*?'",
        )
    )
    retranslate(bank)
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "checklists" / "considering" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "Is &lt;script&gt;alert(1)&lt;/script&gt; our <em>vision</em>?" in html


def test_broken_bank_fails_cleanly_and_keeps_the_last_good_site(tmp_path):
    config = copy_project(tmp_path)
    site = tmp_path / "site"
    assert build(config, site).returncode == 0
    before = (site / "index.html").read_text()

    bank = tmp_path / "questions.yml"
    text = bank.read_text()
    bank.write_text(text.replace("stage: considering", "stage: considring", 1))
    line = text[: text.index("stage: considering")].count("\n") + 1
    result = build(config, site)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert f"questions.yml:{line}: question 'vision-and-mission' names stage 'considring'" in result.stderr
    assert "known stages: considering, approaching, establishing" in result.stderr
    assert (site / "index.html").read_text() == before
    assert not list(tmp_path.glob(".site*"))


def test_unknown_shortcode_id_fails_naming_page_and_line(tmp_path):
    config = copy_project(tmp_path)
    page = tmp_path / "content" / "about.md"
    lines = page.read_text().splitlines()
    lines.insert(8, "\n<!-- md:quote no-such-quote -->\n")
    page.write_text("\n".join(lines))
    result = build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "content/about.md:10: unknown quote 'no-such-quote'" in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_strict_warning_writes_no_site(tmp_path):
    config = copy_project(tmp_path)
    (tmp_path / "content" / "about.md").write_text("# About\n\n[broken](nowhere.md)\n")
    result = build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "nowhere.md" in result.stderr
    assert not (tmp_path / "site").exists()
    assert not list(tmp_path.glob(".site*"))


def test_bank_text_links_to_site_pages_relative_to_each_page(tmp_path):
    """A question may link to another page of the handbook by its docs path; the link works from
    its stage page and from All stages, and a path the site lacks stops the build at the line."""
    question = BANK.questions[0]
    config = copy_project(tmp_path)
    bank = tmp_path / question.origin.path
    source = bank.read_text()
    assert f"text: {question.text}" in source
    bank.write_text(source.replace(f"text: {question.text}", f"text: '{question.text} See [People](people.md).'", 1))
    retranslate(bank)
    assert build(config, tmp_path / "site").returncode == 0
    stage = (tmp_path / "site" / "checklists" / question.stage / "index.html").read_text()
    assert '<a href="../../people/">People</a>' in stage
    assert '<a href="../../people/">People</a>' in (tmp_path / "site" / "checklists" / "all" / "index.html").read_text()

    bank.write_text(source.replace(f"text: {question.text}", f"text: '{question.text} [x](nowhere.md)'", 1))
    retranslate(bank)
    result = build(config, tmp_path / "site")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{question.origin}: question '{question.id}' links to 'nowhere.md', which is not a page" in result.stderr

    # An anchor must be on the page: a person's entry (put in after Markdown) is; a made-up one is not.
    person = BANK.people[0].id
    bank.write_text(source.replace(f"text: {question.text}", f"text: '{question.text} [x](people.md#{person})'", 1))
    retranslate(bank)
    assert build(config, tmp_path / "site").returncode == 0
    assert (
        f'<a href="../../people/#{person}">x</a>'
        in (tmp_path / "site" / "checklists" / question.stage / "index.html").read_text()
    )
    bank.write_text(source.replace(f"text: {question.text}", f"text: '{question.text} [x](people.md#nobody-here)'", 1))
    retranslate(bank)
    result = build(config, tmp_path / "site")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (f"{question.origin}: question '{question.id}' links to 'people.md#nobody-here', but people.md has nothing "
            "with the id 'nobody-here'") in result.stderr  # fmt: skip


def test_compiled_templates_never_go_in_a_folder_another_user_could_plant(tmp_path):
    """Builds keep compiled templates and parsed banks in the user's cache folder, made private;
    when that folder is a link to somewhere else, or others may write to it, the build works
    afresh and writes nothing there. A cache of its own is used, and the next build reuses it."""
    cache, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    config = copy_project(tmp_path / "project")
    # Every kind of entry a build keeps, as a first build into a cache of its own shows.
    first = build(config, tmp_path / "site", env={"HANDBOOK_CACHE_DIR": str(tmp_path / "first")})
    assert first.returncode == 0, first.stderr
    kinds = sorted(folder.name for folder in (tmp_path / "first").iterdir())
    assert {"templates-theme", "templates-handbook", "parsed"} <= set(kinds), kinds
    elsewhere.mkdir()
    cache.mkdir()
    for kind in kinds:
        (cache / kind).symlink_to(elsewhere)
    result = build(config, tmp_path / "site", env={"HANDBOOK_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert not list(elsewhere.iterdir())

    for kind in kinds:
        (cache / kind).unlink()
        (cache / kind).mkdir(mode=0o777)
        (cache / kind).chmod(0o777)  # another user could plant entries here
    result = build(config, tmp_path / "site", env={"HANDBOOK_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert not list(cache.rglob("*.bin")), "a folder others may write to is not used"

    for kind in kinds:
        (cache / kind).rmdir()
    result = build(config, tmp_path / "site", env={"HANDBOOK_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    for kind in kinds:
        assert list((cache / kind).glob("*.bin")), f"nothing was kept to reuse in {kind}"
        assert (cache / kind).stat().st_mode & 0o077 == 0
