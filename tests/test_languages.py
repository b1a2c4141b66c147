"""A bilingual handbook (issue 17): every page in every language of mkdocs.yml, each linking to
its counterparts; no text of the first language's interface on another language's pages; search
within a language, with Welsh mutations in mind; one workspace of answers for every language;
print, downloads and the offline edition in each language; `./run translations` and the strict
build's word on a missing or stale translation.

The languages are mkdocs.yml's (support.languages()), the bank the merged one the site is built
from, each other language's bank made from its translation files as the build makes it, and the
interface's words come from the strings tables: nothing here names a question, a stage or a
language but through them, so a fork with another language or other questions passes too.
"""

from __future__ import annotations

import codecs
import csv
import functools
import html
import io
import json
import math
import re
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from support import (
    BUILD_DATE,
    ROOT,
    bank_files,
    build,
    copy_project,
    languages,
    open_page,
    project_bank,
    seed,
    type_search,
)

BANK = project_bank()
LANGUAGES = languages()
FIRST = LANGUAGES[0]
OTHERS = LANGUAGES[1:]
STAGES = [stage.id for stage in BANK.stages]
JS = ROOT / "theme_overrides" / "assets" / "js"
FORMAT = "partnership-handbook-answers"
# A question's answer, as the tests give it: written so that no language's interface has it.
NOTE = "Nodyn 4711: bwrdd y cyngor, yna'r ymddiriedolaeth."
# The name of the partnership every browser starts with.
DEFAULT_NAME = "browser.partnerships.default_name"


# ------------------------------------------------------------------ the languages, as the build has them


def prefix(code: str) -> str:
    """Where a language's site is, within the first's: '' or 'cy/'."""
    return "" if code == FIRST else f"{code}/"


@functools.cache
def tables() -> dict:
    """Every language's strings table, checked as the build checks them."""
    import strings

    return strings.load(LANGUAGES, strings.FOLDER, ROOT)


def t(code: str, key: str, **values) -> str:
    return tables()[code](key, **values)


@functools.cache
def bank_in(code: str):
    """The merged bank in a language: the first's as it is, another's from its translation files."""
    if code == FIRST:
        return BANK
    import shape
    import text
    import translations

    files = [(ROOT / name, name) for name in bank_files()]
    schema = shape.Shape(translations.SCHEMA.read_bytes(), "schema/translation.schema.json")
    bank, problems = translations.translate(BANK, translations.read(files, code, FIRST, schema), text.Inline())
    assert not problems, "the translation is not whole: " + "; ".join(map(str, problems))
    return bank


@functools.cache
def mkdocs_config():
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def pages_of(site: Path, code: str) -> set[str]:
    """A language's pages, as paths within its site ('checklists/considering/index.html')."""
    root = site / prefix(code)
    found = set()
    for file in root.rglob("*.html"):
        path = file.relative_to(root).as_posix()
        if code == FIRST and path.split("/", 1)[0] in OTHERS:
            continue
        found.add(path)
    return found


def url_of(path: str) -> str:
    """A page's address within its language's site: 'checklists/considering/' for its index.html."""
    return path.removesuffix("index.html")


def bank_js(site: Path, code: str) -> dict:
    """The bank a language's pages carry (assets/bank.js)."""
    source = (site / prefix(code) / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))


def plain(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def squashed(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("\u00ad", "").split())


class Parts(HTMLParser):
    """A page's head links, language switch, and each element with a lang attribute, with its text."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.hreflang: dict[str, str] = {}
        self.switch: list[dict[str, str]] = []
        self.in_other: list[tuple[str, str, str]] = []  # (lang, tag, text) of each element with a lang
        self._open: list[list] = []  # [tag, lang, class, text] of open elements
        self._switch: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "link" and attrs.get("rel", "").split() == ["alternate"] and "hreflang" in attrs:
            self.hreflang[attrs["hreflang"]] = attrs["href"]
        if tag == "a" and "hb-language" in attrs.get("class", "").split():
            self._switch = {"href": attrs.get("href", ""), "hreflang": attrs.get("hreflang", ""),
                            "lang": attrs.get("lang", ""), "text": ""}  # fmt: skip
            self.switch.append(self._switch)
        if tag not in self.VOID:
            self._open.append([tag, attrs.get("lang"), attrs.get("class", ""), ""])

    def handle_endtag(self, tag):
        if tag == "a":
            self._switch = None
        if not any(opened[0] == tag for opened in self._open):
            return  # a stray end tag closes nothing
        while self._open:
            opened, lang, _, text = self._open.pop()
            if lang is not None:
                self.in_other.append((lang, opened, " ".join(html.unescape(text).split())))
            if self._open:
                self._open[-1][3] += text
            if opened == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][3] += data
        if self._switch is not None:
            self._switch["text"] += data.strip()


@functools.cache
def parts(file: Path) -> Parts:
    parser = Parts()
    parser.feed(file.read_text(encoding="utf-8"))
    parser.close()
    return parser


# ------------------------------------------------------------------ 1. every page in every language


@pytest.mark.parametrize("code", OTHERS)
def test_every_page_exists_in_every_language(site, code):
    """The same pages at the same paths in each language: the guidance pages content/ has, the
    bank's generated pages, and the downloads."""
    first, other = pages_of(site, FIRST), pages_of(site, code)
    assert sorted(first - other) == [], f"pages with no '{code}' counterpart"
    assert sorted(other - first) == [], f"'{code}' pages with no counterpart in '{FIRST}'"
    guidance = {
        path.relative_to(ROOT / "content").with_suffix("").as_posix()
        for path in (ROOT / "content").rglob("*.md")
        if path.relative_to(ROOT / "content").parts[0] not in OTHERS
    }
    expected = {f"{name.removesuffix('index')}index.html" if name.endswith("index") else f"{name}/index.html"
                for name in guidance}  # fmt: skip
    expected |= {f"checklists/{stage}/index.html" for stage in STAGES} | {"people/index.html", "404.html"}
    expected |= {f"checklists/{name}/index.html" for name in ("all", "partnerships", "compare", "retired")}
    expected.add("checklists/index.html")
    assert sorted(expected - first) == [], "the build no longer makes these pages: the check would miss them"
    for download in ("questions.csv", "questions.json", "assets/bank.js"):
        assert (site / prefix(code) / download).is_file(), f"/{prefix(code)}{download} is missing"


@pytest.mark.parametrize("code", OTHERS)
def test_each_stage_checklist_is_in_its_language(site, code):
    """A language's checklist has every question of the stage, in order, numbered, in that
    language's words (the translation file's), its title too."""
    ours, first = bank_in(code), bank_in(FIRST)
    for stage in STAGES:
        page = (site / prefix(code) / "checklists" / stage / "index.html").read_text(encoding="utf-8")
        found = re.findall(r'<li class="hb-question" id="q-([^"]+)"><p>(.*?)</p>', page, re.S)
        questions = ours.ordered_questions(stage)
        assert [qid for qid, _ in found] == [q.id for q in questions], stage
        for (qid, shown), question in zip(found, questions, strict=True):
            assert plain(shown) == f"{ours.numbers[qid]}. {question.text.plain}", (stage, qid)
        title = re.search(r"<h1[^>]*>(.*?)<", page, re.S)[1]
        assert plain(title) == ours.get("stages", stage).title
        translated = [q.id for q in questions if q.text.plain != first.get("questions", q.id).text.plain]
        assert translated, f"no question of {stage} reads differently in '{code}': is it translated?"


# ------------------------------------------------------------------ 2. each page links to its counterparts


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_page_names_its_language_and_links_to_its_counterparts(site, code):
    """<html lang>, an hreflang alternate for every language (itself too) and a language switch
    to every other, each leading to this very page in that language."""
    problems = []
    for path in sorted(pages_of(site, code)):
        found = parts(site / prefix(code) / path)
        where = f"/{prefix(code)}{path}"
        if found.lang != code:
            problems.append(f"{where}: <html lang={found.lang!r}>")
        here = f"http://site.invalid/{prefix(code)}{path}"
        switched = {link["hreflang"]: link for link in found.switch}
        if sorted(switched) != sorted(set(LANGUAGES) - {code}):
            problems.append(f"{where}: the language switch offers {sorted(switched)}")
        for lang, link in switched.items():
            if link["lang"] != lang or link["text"] != t(lang, "language.name"):
                problems.append(f"{where}: the switch to {lang} reads {link['text']!r} in lang {link['lang']!r}")
        if path == "404.html":
            # Served at any address: its switch leads to each language's home page, by its full address.
            site_url = mkdocs_config().site_url
            for lang, link in switched.items():
                if link["href"] != f"{site_url}{prefix(lang)}":
                    problems.append(f"{where}: the switch to {lang} leads to {link['href']}")
            continue
        if sorted(found.hreflang) != sorted(LANGUAGES):
            problems.append(f"{where}: hreflang alternates for {sorted(found.hreflang)}")
        for lang, href in [*found.hreflang.items(), *((lang, link["href"]) for lang, link in switched.items())]:
            target = unquote(urlsplit(urljoin(here, href)).path).removeprefix("/")
            target = target + "index.html" if target.endswith("/") or not target else target
            if target != f"{prefix(lang)}{path}":
                problems.append(f"{where}: the link to its {lang} version, {href}, leads to /{target}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", OTHERS)
def test_the_language_switch_keeps_the_reader_on_the_same_page(page, site, base_url, code):
    """The switch in the header is visible; following it lands on the page's counterpart, and the
    counterpart's switch leads back."""
    # A principle's page comes from its guidance page (content/principles/), which a fork's own
    # principle may not have: the last of the bank's that has a page in both languages.
    paged = [
        p.id
        for p in BANK.principles
        if all((site / prefix(c) / "principles" / p.id / "index.html").is_file() for c in (FIRST, code))
    ]
    assert paged, f"no principle of the bank has a page in both {FIRST} and {code}"
    principle = paged[-1]
    for path in (f"checklists/{STAGES[-1]}/", f"principles/{principle}/"):
        for here, there in ((code, FIRST), (FIRST, code)):
            page.goto(f"{base_url}/{prefix(here)}{path}")
            switch = page.get_by_role("navigation", name=t(here, "language.switch"))
            link = switch.get_by_role("link", name=t(there, "language.name"), exact=True)
            expect(link).to_be_visible()
            link.click()
            page.wait_for_url(f"{base_url}/{prefix(there)}{path}")
            assert page.evaluate("document.documentElement.lang") == there


@pytest.mark.parametrize("code", OTHERS)
def test_quotes_keep_their_words_marked_with_their_language_and_a_labelled_translation(site, code):
    """A quote said in another language keeps its words, marked with their language (WCAG 3.1.2),
    with the translation beside it, labelled as one; the first language's pages show no translation."""
    ours = bank_in(code)
    label = t(code, "quote.translation")
    checked = 0
    for stage in STAGES:
        page = (site / prefix(code) / "checklists" / stage / "index.html").read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="hb-quote">(.*?)</figure>', page, re.S)
        for quote in ours.quotes_for(stage):
            said_in = quote.language or FIRST
            figure = next((f for f in figures if quote.text in plain(f)), None)
            assert figure is not None, f"{stage}: quote {quote.id} is missing"
            blockquote = re.search(r"<blockquote([^>]*)>(.*?)</blockquote>", figure, re.S)
            assert plain(blockquote[2]) == f"“{' '.join(quote.text.split())}”", quote.id
            if said_in == code:
                assert 'class="hb-quote__translation"' not in figure, f"{quote.id} is in {code}: no translation"
                continue
            assert f'lang="{said_in}"' in blockquote[1], f"{stage}: quote {quote.id} is not marked lang={said_in}"
            translation = re.search(r'<p class="hb-quote__translation">(.*?)</p>', figure, re.S)
            assert translation, f"{stage}: quote {quote.id} has no translation beside it"
            assert plain(translation[1]) == f"{label} “{' '.join(quote.translation.split())}”", quote.id
            assert quote.translation != quote.text
            checked += 1
        english = (site / "checklists" / stage / "index.html").read_text(encoding="utf-8")
        assert "hb-quote__translation" not in english, f"/checklists/{stage}/ shows a translation"
    assert checked, "no quote was checked"


@pytest.mark.parametrize("code", OTHERS)
def test_references_stay_as_published_marked_with_their_language(site, code):
    found = parts(site / prefix(code) / "references" / "index.html").in_other
    for reference in BANK.references:
        said_in = reference.language or FIRST
        if said_in == code:
            continue
        words = " ".join(reference.text.plain.split())
        marked = [text for lang, _, text in found if lang == said_in and words in text]
        assert marked, f"reference {reference.id} is not marked lang={said_in} on /{code}/references/"


# ------------------------------------------------------------------ 3. no first-language interface text


def _forms(text) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


def _material_strings(code: str) -> dict[str, str]:
    """Material's own interface texts in a language (its partials/languages/<code>.html)."""
    import material

    path = Path(material.__file__).parent / "templates" / "partials" / "languages" / f"{code}.html"
    if not path.is_file():
        return {}
    return {key: codecs.decode(value, "unicode_escape") if "\\u" in value else value
            for key, value in re.findall(r'^\s*"([a-z.]+)": "((?:[^"\\]|\\.)*)"', path.read_text(), re.M)}  # fmt: skip


def _mkdocs_texts() -> dict[str, str]:
    """mkdocs.yml's texts that readers see, by their key in a strings table's `config` group."""
    config = mkdocs_config()
    texts = {"config.site_name": config.site_name, "config.site_description": config.site_description or ""}
    texts["config.copyright"] = plain(config.copyright or "")
    texts["config.source_credit"] = str(config.extra.get("source_credit") or "")
    texts["config.permalink_title"] = str((config.mdx_configs.get("toc") or {}).get("permalink_title") or "")

    def nav(items):
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                for title, value in item.items():
                    texts[f"config.nav.{title}"] = title
                    nav(value)

    nav(config.nav)
    for scheme in config.theme.get("palette") or ():
        name = (scheme.get("toggle") or {}).get("name") if isinstance(scheme, dict) else None
        if name:
            texts[f"config.palette.{name}"] = name
    return texts


def _unmarked(text: str) -> str:
    """Markdown's markup out of a table's text: the words a page shows."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("**", "").replace("*", "")


@functools.cache
def first_language_interface(code: str) -> dict[str, str]:
    """Each piece of the first language's interface text that must not show on a page in `code`,
    with the key it comes from: the strings table's texts, mkdocs.yml's and Material's, wherever
    `code` words them differently, cut at placeholders and sentences. A piece too short to tell
    (under five characters, or without a word of four letters), or one `code`'s own texts use too
    (a name, "JSON"), is left out."""
    ours = {key: _forms(text) for key, text in tables()[code].table.items()}
    theirs = {key: _forms(text) for key, text in tables()[FIRST].table.items() if not key.startswith("config.")}
    theirs |= {key: [text] for key, text in _mkdocs_texts().items() if text}
    material_ours, material_theirs = _material_strings(code), _material_strings(FIRST)
    ours |= {f"material.{key}": [text] for key, text in material_ours.items()}
    theirs |= {f"material.{key}": [text] for key, text in material_theirs.items() if key in material_ours}
    own_words = "\n".join(_unmarked(form) for forms in ours.values() for form in forms)
    pieces: dict[str, str] = {}
    for key, forms in theirs.items():
        for form in forms:
            if form in ours.get(key, ()):
                continue
            for piece in re.split(r"\{[a-z_]+\}|#|(?<=[.:;?!])\s+|[“”\"()]|\s+·\s+|\n", _unmarked(form)):
                piece = piece.strip(" ,.:;·–-")
                if (
                    len(piece) < 5
                    or not re.search(r"[^\W\d_]{4,}", piece)
                    or (piece in own_words and _has(own_words, piece))
                ):
                    continue
                pieces.setdefault(piece, key)
    return pieces


def _has(text: str, piece: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(piece)}(?![^\W_])", text) is not None


# Everything a page says: its title, text (dialogs and templates included, hidden or not),
# the attributes read out or shown (aria-label, title, placeholder, alt, a meta description),
# and the print header and footer (the CSS strings of @page and those print.js sets). Parts
# marked as in another language (quotes, references, the switch's names) and code are left out.
PAGE_TEXT = """(code) => {
  const root = document.documentElement.cloneNode(true);
  for (const template of root.querySelectorAll("template")) template.replaceWith(template.content.cloneNode(true));
  const printed = [...root.querySelectorAll("style")].map((style) => style.textContent).join("\\n");
  for (const el of root.querySelectorAll(`script, style, svg, pre, code, kbd, [lang]:not([lang="${code}"])`)) {
    el.remove();
  }
  const said = [document.title];
  const header = document.documentElement.style.getPropertyValue("--hb-partnership");
  const walker = document.createTreeWalker(root.querySelector("body"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) said.push(walker.currentNode.data);
  for (const el of root.querySelectorAll("*")) {
    for (const name of ["aria-label", "aria-description", "title", "placeholder", "alt", "label"]) {
      if (el.hasAttribute(name)) said.push(el.getAttribute(name));
    }
    if (el.matches('meta[name="description"]')) said.push(el.getAttribute("content"));
    if (el.matches("input[type=button], input[type=submit]") && el.value) said.push(el.value);
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]), textarea")) if (el.value) said.push(el.value);
  return { said: said.join("\\n"), printed: `${printed}\\n${header}` };
}"""
CSS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
ADDRESS = re.compile(r"\b(?:https?|file):/+\S*")


def page_text(page, code: str) -> str:
    """What the page says, now, as one text: its words, and the CSS strings it prints (decoded);
    addresses left out (a page's path is no interface text)."""
    found = page.evaluate(PAGE_TEXT, code)
    printed = [
        CSS_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], s) for s in CSS_STRING.findall(found["printed"])
    ]
    return ADDRESS.sub(" ", "\n".join([found["said"], *printed]))


@functools.cache
def first_language_pattern(code: str) -> re.Pattern:
    """Any of those pieces, as a whole word or words: the longest first."""
    pieces = sorted(first_language_interface(code), key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, pieces)) + r")(?![^\W_])")


@functools.cache
def organisation_names() -> re.Pattern | None:
    """The names of the organisations whose banks the handbook has (a fork's): names, shown as
    they are in every language, so no interface text even where a word of them is
    ("Northshire Health and Care Partnership")."""
    names = {e.organisation.name for _, e in BANK if e.organisation is not None}
    names |= {q.adapted_by.name for q in BANK.questions if q.adapted_by is not None}
    if not names:
        return None
    spelt = (r"\s+".join(map(re.escape, name.split())) for name in sorted(names, key=len, reverse=True))
    return re.compile("|".join(spelt))


def leaks(page, code: str, where: str) -> list[str]:
    """Each piece of the first language's interface the page says, but for organisations' names."""
    pieces = first_language_interface(code)
    said = page_text(page, code)
    names = organisation_names()
    said = names.sub(" ", said) if names else said
    found = dict.fromkeys(m[0] for m in first_language_pattern(code).finditer(said))
    return [f"{where}: {piece!r} ({pieces[piece]})" for piece in found]


@pytest.mark.parametrize("code", OTHERS)
def test_no_page_shows_first_language_interface_text(browser, site, base_url, code):
    """Every page of a language's edition, after its scripts ran (the workspace bar, the tools'
    controls and dialogs, the print header and footer), says nothing of the interface in the first
    language. The control: the first language's own pages are caught saying it."""
    pieces = first_language_interface(code)
    assert len(pieces) > 100, f"only {len(pieces)} pieces of interface text to look for"
    context = browser.new_context()
    page = context.new_page()
    found = []
    try:
        for path in sorted(pages_of(site, code)):
            page.goto(f"{base_url}/{prefix(code)}{url_of(path)}")
            found += leaks(page, code, f"/{prefix(code)}{url_of(path)}")
        # The control: the same check finds the first language's words on its own checklist.
        page.goto(f"{base_url}/checklists/{STAGES[0]}/")
        page.wait_for_selector("[data-hb-workspace]:not([hidden])", state="attached")
        control = leaks(page, code, "control")
    finally:
        context.close()
    assert not found, f"{len(found)} pieces of {FIRST} interface text on '{code}' pages:\n" + "\n".join(found)
    assert len(control) > 20, f"the check finds almost nothing on a {FIRST} page: {control}"
    for key in ("toolbar.print.stage", "status.discussed", "footer.about"):
        assert any(f"({key})" in line for line in control), f"the check misses {key} on a {FIRST} page"


def _answers_file(code: str, organisation: str, statuses: dict[str, str], site: Path) -> str:
    """An answers file as a language's pages export it (format version 3): the question as the
    first language words it, the edition and language of the pages it came from."""
    book = bank_js(site, code)
    first = bank_in(FIRST)
    answers = {
        qid: {"status": status, "notes": f"{NOTE} ({organisation})", "action": {"text": "", "owner": "", "due": ""},
              "updated": "2026-03-01T09:00:00.000Z", "question": first.get("questions", qid).text.plain}
        for qid, status in statuses.items()
    }  # fmt: skip
    return json.dumps({"format": FORMAT, "version": 3,
                       "handbook": {"title": mkdocs_config().site_name, "edition": book["edition"], "language": code},
                       "partnership": {"name": "Afon a Gogledd"}, "organisation": {"name": organisation},
                       "exported": "2026-03-02T10:00:00.000Z", "answers": answers, "snapshots": []})  # fmt: skip


def _file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/json", "buffer": text.encode()}


@pytest.mark.parametrize("code", OTHERS)
def test_the_tools_in_use_show_no_first_language_interface_text(page, site, base_url, code):
    """The texts the browser code writes as it is used: an answer and the bar's progress, a review
    point, an import's preview and its outcome, and a comparison of two partners' files."""
    found = []
    stage = STAGES[0]
    questions = [q.id for q in BANK.ordered_questions(stage)]
    open_page(page, f"{base_url}/{prefix(code)}checklists/{stage}/")
    page.select_option(f"#hb-status-{questions[0]}", "agreed")
    page.click(f"#hb-more-{questions[0]}")
    page.fill(f"#hb-notes-{questions[0]}", NOTE)
    page.fill(f"#hb-what-{questions[0]}", "Drafft")
    found += leaks(page, code, "a stage's checklist, answered")

    open_page(page, f"{base_url}/{prefix(code)}checklists/partnerships/")
    page.fill("#hb-snapshot", t(code, "app.review.setup"))
    page.get_by_role("button", name=t(code, "app.review.save"), exact=True).click()
    expect(page.locator(".hb-snapshots li")).to_have_count(1)
    found += leaks(page, code, "partnerships, a review point saved")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=t(code, "app.record.import"), exact=True).click()
    statuses = {questions[0]: "discussed", questions[1]: "follow-up"}
    chooser.value.set_files(files=[_file("p4711.json", _answers_file(FIRST, "Riverside", statuses, site))])
    dialog = page.locator("dialog.hb-dialog[open]")
    expect(dialog).to_be_visible()
    found += leaks(page, code, "partnerships, an import's preview")
    dialog.get_by_role("button", name=t(code, "app.import.merge"), exact=True).click()
    expect(dialog).to_have_count(0)
    found += leaks(page, code, "partnerships, a file merged")

    page.goto(f"{base_url}/{prefix(code)}checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    with page.expect_file_chooser() as chooser:
        page.get_by_label(t(code, "app.compare.files")).click()
    chooser.value.set_files(files=[
        _file("a.json", _answers_file(code, "Riverside", {questions[0]: "agreed", questions[1]: "open"}, site)),
        _file("b.json", _answers_file(FIRST, "Northshire", {questions[0]: "discussed"}, site)),
    ])  # fmt: skip
    expect(page.locator(f"#hb-row-{questions[0]}")).to_be_attached()
    found += leaks(page, code, "compare, two files loaded")
    assert not found, f"{len(found)} pieces of {FIRST} interface text:\n" + "\n".join(found)


# Strings-table keys as the browser code names them: whole, or the start of one (`status.${id}`).
KEY_LITERAL = re.compile(r"""(?<![\w$])(["'])([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)\1""")
KEY_PREFIX = re.compile(r"`([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)*\.)\$\{")


def test_every_text_the_browser_code_asks_for_is_in_every_language():
    """Each key the scripts in theme_overrides/assets/js/ name is in every language's table, in a
    group the pages carry to the browser (assets/bank.js); each key they build (`status.${id}`)
    starts keys there."""
    from exports import BROWSER_GROUPS

    groups = {key.split(".", 1)[0] for key in tables()[FIRST].table}
    problems, named, built = [], set(), set()
    for script in sorted(JS.glob("*.js")):
        source = script.read_text(encoding="utf-8")
        for _, key in KEY_LITERAL.findall(source):
            if key.split(".", 1)[0] in groups:
                named.add((script.name, key))
        built |= {(script.name, start) for start in KEY_PREFIX.findall(source) if start.split(".")[0] in groups}
    assert len(named) > 100 and built, f"found {len(named)} keys and {len(built)} built ones: is the pattern right?"
    for script, key in sorted(named | built):
        if key.split(".", 1)[0] not in BROWSER_GROUPS:
            problems.append(f"{script}: '{key}' is in the group '{key.split('.')[0]}', which bank.js does not carry")
        for code in LANGUAGES:
            table = tables()[code].table
            if (key not in table) if not key.endswith(".") else not any(k.startswith(key) for k in table):
                problems.append(f"{script}: '{key}' is not in theme_overrides/locales/{code}.yml")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ 4. search, within a language


def search(page, url: str, words: str) -> list[str]:
    """Type into Material's search box on a page; each result's path and fragment."""
    page.goto(url)
    type_search(page, words)
    page.locator(".md-search-result__item").first.wait_for()
    return page.eval_on_selector_all(
        ".md-search-result__item a", "els => els.map(a => new URL(a.href).pathname + new URL(a.href).hash)"
    )


def _index_words(site: Path, code: str) -> dict[str, set[str]]:
    """Each section of a language's search index (its location): the words it shows, lowercased."""
    docs = json.loads((site / prefix(code) / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    word = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
    return {doc["location"]: set(word.findall(plain(f"{doc['title']} {doc['text']}").lower())) for doc in docs}


@pytest.mark.parametrize("code", OTHERS)
def test_search_on_a_page_finds_that_languages_pages_only(page, site, base_url, code):
    """A word both editions have (a person's name) finds, from a page in `code`, only pages in
    `code`; from a page in the first language, only the first language's."""
    ours, theirs = _index_words(site, code), _index_words(site, FIRST)
    both = set().union(*ours.values()) & set().union(*theirs.values())
    names = [w for person in BANK.people for w in re.findall(r"[^\W\d_]{5,}", person.name.lower()) if w in both]
    assert names, "no person's name is in both languages' search indexes"
    found = search(page, f"{base_url}/{prefix(code)}", names[0])
    assert found and all(path.startswith(f"/{prefix(code)}") for path in found), found
    found = search(page, f"{base_url}/", names[0])
    assert found and not [path for path in found if path.split("/")[1] in OTHERS], found


# How a Welsh word's first sound changes after certain words (soft mutation), as the dictionary
# has it: the mutated start, and the word's own.
SOFT = {"cy": (("dd", "d"), ("g", "c"), ("b", "p"), ("d", "t"), ("f", "m"), ("f", "b"), ("l", "ll"), ("r", "rh"))}


@pytest.mark.parametrize("code", [code for code in OTHERS if code in SOFT])
def test_search_finds_a_word_where_the_page_has_only_its_mutated_form(page, site, base_url, code):
    """A reader types the word as the dictionary has it ("partneriaethau"); a section that has it
    only mutated ("bartneriaethau", after "y") is found. The word is taken from the index: one its
    pages have in both forms, so it is a word of the language, with a section that has it only
    mutated, and no other word starting as it does."""
    sections = _index_words(site, code)
    words = set().union(*sections.values())
    found = []
    for mutated in sorted(words):
        for start, radical_start in SOFT[code]:
            radical = radical_start + mutated[len(start) :]
            if not mutated.startswith(start) or mutated.startswith(radical_start) or radical not in words:
                continue
            only = [where for where, ws in sections.items()
                    if mutated in ws and not any(w.startswith(radical) for w in ws)]  # fmt: skip
            hits = sum(1 for ws in sections.values() if any(w.startswith((radical, mutated)) for w in ws))
            if only and len(radical) >= 7:
                found.append((hits, -len(radical), radical, mutated, only))
    assert found, "no word of the index is there both as it is and, in a section of its own, mutated"
    _, _, radical, mutated, only = min(found)
    results = search(page, f"{base_url}/{prefix(code)}", radical)
    hits = {unquote(path).removeprefix(f"/{prefix(code)}") for path in results}
    assert hits & set(only), f"{radical!r} does not find {mutated!r} in {only}: {sorted(hits)[:10]}"


# ------------------------------------------------------------------ 5. answers are language-neutral


def answer(page, qid: str, status: str | None = None, notes: str | None = None) -> None:
    if status:
        page.select_option(f"#hb-status-{qid}", status)
    if notes is not None:
        if page.locator(f"#q-{qid} details").get_attribute("open") is None:
            page.click(f"#hb-more-{qid}")
        page.fill(f"#hb-notes-{qid}", notes)


def assert_answer(page, qid: str, status: str, notes: str) -> None:
    expect(page.locator(f"#hb-status-{qid}")).to_have_value(status)
    expect(page.locator(f"#hb-notes-{qid}")).to_have_value(notes)


@pytest.mark.parametrize("code", OTHERS)
def test_an_answer_given_in_one_language_shows_in_the_other(page, base_url, code):
    """One workspace for every language: what is said on a page in `code` shows on the same page
    in the first language, and the other way round, progress too; the partnership every browser
    starts with is named in each page's words."""
    stage = STAGES[-1]
    one, two = (q.id for q in BANK.ordered_questions(stage)[:2])
    open_page(page, f"{base_url}/{prefix(code)}checklists/{stage}/")
    answer(page, one, "agreed", NOTE)
    page.fill(f"#hb-what-{one}", "Drafft cyntaf")
    open_page(page, f"{base_url}/checklists/{stage}/")
    assert_answer(page, one, "agreed", NOTE)
    expect(page.locator(f"#hb-what-{one}")).to_have_value("Drafft cyntaf")
    total = len(BANK.ordered_questions(stage))
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(FIRST, "browser.bar.at_stage", progress=t(FIRST, "browser.progress.discussed", n=total, done=1))
    )
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(FIRST, "browser.bar.answers_for", name=t(FIRST, DEFAULT_NAME))
    )
    answer(page, two, "follow-up", "from the first language's page")
    open_page(page, f"{base_url}/{prefix(code)}checklists/{stage}/")
    assert_answer(page, two, "follow-up", "from the first language's page")
    assert_answer(page, one, "agreed", NOTE)
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(code, "browser.bar.at_stage", progress=t(code, "browser.progress.discussed", n=total, done=2))
    )
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(code, "browser.bar.answers_for", name=t(code, DEFAULT_NAME))
    )


@pytest.mark.parametrize("code", OTHERS)
def test_an_answers_file_exported_in_one_language_imports_in_the_other(browser, base_url, code):
    """The file exported from a page in `code` records each question as the first language words
    it, under the handbook's one name, and imports on a page in the first language."""
    stage = STAGES[0]
    qid = BANK.ordered_questions(stage)[0].id
    first = browser.new_context(accept_downloads=True)
    try:
        page = first.new_page()
        open_page(page, f"{base_url}/{prefix(code)}checklists/{stage}/")
        answer(page, qid, "agreed", NOTE)
        open_page(page, f"{base_url}/{prefix(code)}checklists/partnerships/")
        with page.expect_download() as download:
            page.get_by_role("button", name=t(code, "app.record.answers"), exact=True).click()
        name = download.value.suggested_filename
        text = Path(download.value.path()).read_text(encoding="utf-8")
    finally:
        first.close()
    data = json.loads(text)
    assert data["format"] == FORMAT and data["handbook"]["title"] == mkdocs_config().site_name
    assert data["answers"][qid]["question"] == BANK.get("questions", qid).text.plain, "answers record the first's words"
    assert data["partnership"]["name"] == t(code, DEFAULT_NAME)

    second = browser.new_context()
    try:
        page = second.new_page()
        open_page(page, f"{base_url}/checklists/partnerships/")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name=t(FIRST, "app.record.import"), exact=True).click()
        chooser.value.set_files(files=[_file(name, text)])
        dialog = page.locator("dialog.hb-dialog[open]")
        expect(dialog).to_be_visible()
        reworded = dialog.locator('[data-hb-list="reworded"]')
        assert not reworded.is_visible() or not reworded.locator("li").count(), "questions marked as reworded"
        dialog.get_by_role("button", name=t(FIRST, "app.import.new"), exact=True).click()
        expect(dialog).to_have_count(0)
        open_page(page, f"{base_url}/checklists/{stage}/")
        assert_answer(page, qid, "agreed", NOTE)
    finally:
        second.close()


@pytest.mark.parametrize("code", OTHERS)
def test_compare_shows_each_question_in_the_readers_language(page, site, base_url, code):
    """Two partners, one who answered in `code` and one in the first language: each language's
    compare page shows the questions in its own words, marks none as reworded or from another
    edition, and tells where they differ."""
    stage = STAGES[0]
    one, two = (q.id for q in BANK.ordered_questions(stage)[:2])
    files = [
        _file("ours.json", _answers_file(code, "Riverside", {one: "agreed", two: "discussed"}, site)),
        _file("theirs.json", _answers_file(FIRST, "Northshire", {one: "agreed", two: "follow-up"}, site)),
    ]
    for reader in (code, FIRST):
        page.goto(f"{base_url}/{prefix(reader)}checklists/compare/")
        page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
        with page.expect_file_chooser() as chooser:
            page.get_by_label(t(reader, "app.compare.files")).click()
        chooser.value.set_files(files=files)
        for qid in (one, two):
            row = page.locator(f"#hb-row-{qid}")
            expect(row).to_contain_text(bank_in(reader).get("questions", qid).text.plain)
        row = page.locator(f"#hb-row-{two}")
        expect(row).to_contain_text(t(reader, "status.discussed"))
        expect(row).to_contain_text(t(reader, "status.follow-up"))
        shown = squashed(page.locator('[data-hb-app="compare"]').inner_text())
        marks = {
            "other edition": t(reader, "browser.compare.other_edition", edition=bank_js(site, reader)["edition"]),
            "added since": t(reader, "browser.compare.other_edition_row"),
            "reworded": t(reader, "browser.compare.reworded", question="").split("“")[0].strip(),
        }
        for what, mark in marks.items():
            assert squashed(mark) not in shown, f"/{prefix(reader)}checklists/compare/ marks the files as {what}"


# The workspace as the handbook's English-only edition kept it (theme_overrides/assets/js/store.js
# before issue 17): under the site's root, format version 1; and the one set of answers of the
# edition before partnerships, under the site's name.
LEGACY_WORKSPACE = "handbook-workspace:/"
LEGACY_ANSWERS = "handbook-answers:{site}"


@pytest.mark.parametrize("code", OTHERS)
def test_answers_saved_by_the_single_language_edition_are_kept(page, base_url, code):
    """What the first language's edition alone kept shows on a page in `code`, and in the first
    language still: the partnership it started every browser with named in the page's words."""
    stage = STAGES[0]
    one, two = (q.id for q in BANK.ordered_questions(stage)[:2])
    question = BANK.get("questions", one).text.plain
    saved = {"format": "partnership-handbook-workspace", "version": 1, "active": "ours", "partnerships": {
        "ours": {"name": t(FIRST, DEFAULT_NAME), "organisation": "", "reset": "1970-01-01T00:00:00.000Z",
                 "answers": {one: {"status": "agreed", "notes": NOTE, "action": {"text": "", "owner": "", "due": ""},
                                   "updated": "2025-01-01T00:00:00.000Z", "question": question}},
                 "snapshots": []}}}  # fmt: skip
    url = f"{base_url}/{prefix(code)}checklists/{stage}/"
    seed(page, url, {LEGACY_WORKSPACE: json.dumps(saved)})
    assert_answer(page, one, "agreed", NOTE)
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(code, "browser.bar.answers_for", name=t(code, DEFAULT_NAME))
    )
    open_page(page, f"{base_url}/checklists/{stage}/")
    assert_answer(page, one, "agreed", NOTE)
    expect(page.locator("[data-hb-workspace]")).to_contain_text(
        t(FIRST, "browser.bar.answers_for", name=t(FIRST, DEFAULT_NAME))
    )

    # Older still: one set of answers, before partnerships.
    older = {"format": FORMAT, "version": 1, "answers": {
        two: {"done": True, "notes": "from long ago", "updated": "2024-01-01T00:00:00.000Z"}}}  # fmt: skip
    site_name = page.evaluate("document.querySelector('meta[name=handbook-store]').content")
    assert site_name == mkdocs_config().site_name, "every language keeps answers under the first's name"
    seed(page, url, {LEGACY_ANSWERS.format(site=site_name): json.dumps(older)})
    assert_answer(page, two, "discussed", "from long ago")


# ------------------------------------------------------------------ 6. print


def printed(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector("[data-hb-workspace]:not([hidden])", state="attached")
    return [squashed(p.extract_text()) for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


def edition(code: str) -> str:
    """The printed edition, as the build words it in a language (the tests build at BUILD_DATE)."""
    import babel.dates

    version = str(mkdocs_config().extra.get("version") or "")
    if version:
        return t(code, "edition.version", version=version)
    day = datetime.fromtimestamp(int(BUILD_DATE), UTC).date()
    return t(code, "edition.built", date=babel.dates.format_date(day, format="d MMMM y", locale=code))


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("code", OTHERS)
def test_a_checklist_prints_as_well_in_every_language(browser, base_url, code, stage):
    """A stage's checklist in `code` prints on no more sheets than the first language's (and
    within its budget: eight questions a sheet), every question on it, with the running header and
    footer in `code`: the site's name, the stage, the credit, the edition and 'page n of N'."""
    context = browser.new_context()
    try:
        page = context.new_page()
        theirs = printed(page, f"{base_url}/checklists/{stage}/")
        ours = printed(page, f"{base_url}/{prefix(code)}checklists/{stage}/")
    finally:
        context.close()
    questions = bank_in(code).ordered_questions(stage)
    budget = max(1, math.ceil(len(questions) / 8))
    assert len(ours) <= len(theirs) and len(ours) <= budget, (
        f"{len(ours)} pages; {len(theirs)} in {FIRST}, {budget} at most"
    )
    text = " ".join(ours)
    for question in questions:
        number = bank_in(code).numbers[question.id]
        assert squashed(f"{number}. {question.text.plain}")[:60] in text, f"{question.id} is not printed"
    texts = tables()[code]
    for n, sheet in enumerate(ours, 1):
        where = f"/{prefix(code)}checklists/{stage}/, page {n}"
        for part in (
            texts("config.site_name"),
            bank_in(code).get("stages", stage).title,
            texts("config.source_credit"),
            edition(code),
            texts("print.page", page=n, pages=len(ours)),
        ):
            assert squashed(part) in sheet, f"{where}: {part!r} is not in the header or footer"  # fmt: skip
        assert f"{base_url}/{prefix(code)}checklists/{stage}/" in sheet, f"{where}: the address is missing"
        for part in (t(FIRST, "print.page", page=n, pages=len(ours)), edition(FIRST)):
            assert squashed(part) not in sheet, f"{where}: {part!r} is in {FIRST}"


# ------------------------------------------------------------------ 7. downloads, and the offline edition


@pytest.mark.parametrize("code", OTHERS)
def test_the_downloads_are_in_every_language(site, code):
    """questions.csv and questions.json of a language: headings in its words, questions in its words."""
    ours = bank_in(code)
    rows = list(csv.reader(io.StringIO((site / prefix(code) / "questions.csv").read_text(encoding="utf-8-sig"))))
    from exports import CSV_COLUMNS

    assert rows[0] == [t(code, f"export.columns.{column}") for column in CSV_COLUMNS]
    assert rows[0] != [t(FIRST, f"export.columns.{column}") for column in CSV_COLUMNS]
    text = rows[0].index(t(code, "export.columns.text"))
    by_id = {row[rows[0].index(t(code, "export.columns.id"))]: row for row in rows[1:]}
    assert sorted(by_id) == sorted(q.id for q in BANK.questions)
    for question in ours.questions:
        assert by_id[question.id][text].lstrip("'") == str(question.text), question.id
    data = json.loads((site / prefix(code) / "questions.json").read_text(encoding="utf-8"))
    assert data["language"] == code
    assert [s["title"] for s in data["stages"]] == [s.title for s in ours.stages]
    assert {q["id"]: q["text"] for q in data["questions"]} == {q.id: str(q.text) for q in ours.questions}


def test_the_offline_edition_has_every_language_and_one_workspace(browser, offline):
    """From file://: each language's pages, the switch between them, and the answers shared."""
    stage = STAGES[0]
    qid = BANK.ordered_questions(stage)[0].id
    first = {p for p in (f.relative_to(offline).as_posix() for f in offline.rglob("*.html"))
             if p.split("/", 1)[0] not in OTHERS}  # fmt: skip
    for code in OTHERS:
        ours = {f.relative_to(offline / code).as_posix() for f in (offline / code).rglob("*.html")}
        assert ours == first, f"offline '{code}' pages differ: {sorted(ours ^ first)}"
        assert (offline / code / "search" / "search_index.js").is_file()
    context = browser.new_context()
    try:
        page = context.new_page()
        for code in OTHERS:
            open_page(page, (offline / code / "checklists" / f"{stage}.html").as_uri())
            assert page.evaluate("document.documentElement.lang") == code
            answer(page, qid, "agreed", NOTE)
            switch = page.get_by_role("navigation", name=t(code, "language.switch"))
            switch.get_by_role("link", name=t(FIRST, "language.name"), exact=True).click()
            page.wait_for_url((offline / "checklists" / f"{stage}.html").as_uri())
            page.wait_for_selector("[data-hb-workspace]:not([hidden])", state="attached")
            assert_answer(page, qid, "agreed", NOTE)
    finally:
        context.close()


# ------------------------------------------------------------------ 8. ./run translations, and the strict build


def translations_report(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(config.parent / "hooks" / "translations.py"), "-f", str(config)],
        cwd=config.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip


def bank_fields(code: str) -> int:
    """How many texts of the merged bank a translation into `code` gives: each translated field
    of each entry (model.KINDS says which), but a quote said in `code`, shown as said."""
    from model import KINDS, Quote

    count = 0
    for kind in KINDS:
        for entry in BANK.entries(kind.section):
            if not (isinstance(entry, Quote) and (entry.language or FIRST) == code):
                count += sum(1 for name in kind.translated if getattr(entry, name))
    return count


def plain_question():
    """A question of the project's own bank file that no organisation rewords."""
    return next(q for q in BANK.questions if q.reworded_at is None and q.origin.path == bank_files()[0])


def test_translations_report_each_languages_coverage_and_list_a_gap(tmp_path):
    """`./run translations` (hooks/translations.py) gives each language's coverage; with a
    translation taken out of a copy, it counts the gap, lists it with its file and id, and fails."""
    import yaml

    import translations

    result = translations_report(ROOT / "mkdocs.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    for code in OTHERS:
        total = bank_fields(code)
        assert f"{code} ({t(code, 'language.name')}):" in result.stdout
        assert f"bank texts: {total} of {total} translated (0 missing, 0 stale, 0 unknown)" in result.stdout, (
            result.stdout
        )

    config = copy_project(tmp_path)
    question = plain_question()
    for code in OTHERS:
        path = tmp_path / translations.file_for(question.origin.path, code)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["questions"][question.id]["text"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    result = translations_report(config)
    assert result.returncode == 1, result.stdout + result.stderr
    # The gap is listed once for each language, with that language's translation file.
    listed = [line for line in result.stdout.splitlines() if f"question '{question.id}' (text" in line]
    assert len(listed) == len(OTHERS), result.stdout
    for code in OTHERS:
        total = bank_fields(code)
        assert f"bank texts: {total - 1} of {total} translated (1 missing, 0 stale, 0 unknown)" in result.stdout, (
            result.stdout
        )
        name = translations.file_for(question.origin.path, code)
        assert len([line for line in listed if line.lstrip().startswith(f"{name}:")]) == 1, result.stdout


def test_a_stale_translation_fails_the_strict_build_with_its_line_id_and_fix(tmp_path):
    """The first language's text changed since it was translated: the strict build stops, naming
    the translation file and line, the entry, what it was and is, and the fix."""
    import translations

    question = plain_question()
    config = copy_project(tmp_path)
    bank = tmp_path / question.origin.path
    source = bank.read_text(encoding="utf-8")
    assert f"text: {question.text}\n" in source
    bank.write_text(source.replace(f"text: {question.text}\n", f"text: {question.text} Today?\n", 1), encoding="utf-8")
    result = build(config, tmp_path / "site")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()
    for code in OTHERS:
        name = translations.file_for(question.origin.path, code)
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        entry = lines.index(f"  {question.id}:", lines.index("questions:"))
        line = next(n for n in range(entry + 1, len(lines)) if lines[n].strip() == "text:") + 1
        report = [row for row in result.stderr.splitlines() if f"{name}:{line}:" in row]
        assert report, f"no report at {name}:{line}:\n{result.stderr}"
        assert f"'{question.id}'" in report[0] and "changed since" in report[0]
        assert f"{question.text} Today?" in report[0], "the report gives the text as it is now"
        assert f"set '{FIRST}:' to the new text" in report[0], "the report gives the fix"
