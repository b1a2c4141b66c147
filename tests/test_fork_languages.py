"""A fork that adds a language: the fork guide's "Add a language", done by a script.

tests/fixtures/add_language.py writes what the guide asks for (the strings table, the guidance
pages, a translation of every bank file) as a pseudo-translation made from the first language's
text, and lists the language in mkdocs.yml. The fork then builds, with the language's pages under
/<code>/ in its own words. A language the theme or Babel has no texts for stops the build with
mkdocs.yml's line and the fix, not a traceback or pages whose labels are silently English.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import material
import pytest
from mkdocs.utils import yaml_load
from playwright.sync_api import expect

from support import ROOT, build, copy_project, languages, project_bank, serve

ADD_LANGUAGE = ROOT / "tests" / "fixtures" / "add_language.py"
MATERIAL_LANGUAGES = Path(material.__file__).parent / "templates" / "partials" / "languages"
# Languages Babel and Material know and lunr.js has no stemmer for, whose plurals differ from
# English's (Polish: one, few, many, other): the first the handbook does not have yet is added.
NEW = next(code for code in ("pl", "lt", "sk") if code not in languages())


def add_language(project: Path, code: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ADD_LANGUAGE), str(project), code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def listed_at(config: Path, code: str) -> int:
    """The line of mkdocs.yml that lists the language."""
    lines = config.read_text(encoding="utf-8").splitlines()
    return lines.index(f"    - {code}") + 1


def table(project: Path, code: str):
    import strings

    codes = (*languages(), code)
    return strings.load(codes, project / "theme_overrides" / "locales", project)[code]


@pytest.fixture(scope="module")
def forked(tmp_path_factory) -> Path:
    """The fork with the language added, built: the folder holding fork/ and site/."""
    tmp_path = tmp_path_factory.mktemp("added-language")
    config = copy_project(tmp_path / "fork")
    add_language(config.parent, NEW)
    assert yaml_load(config.read_text(encoding="utf-8"))["extra"]["languages"] == [*languages(), NEW]
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return tmp_path


def test_a_fork_that_adds_a_language_builds_it_under_its_code_in_its_own_words(forked):
    tmp_path = forked
    config = tmp_path / "fork" / "mkdocs.yml"
    site = tmp_path / "site" / NEW
    t = table(config.parent, NEW)

    # Every guidance page, under /<code>/, in the language: its lang, and its own words.
    content = config.parent / "content"
    pages = [
        p.relative_to(content)
        for p in content.rglob("*.md")
        if p.relative_to(content).parts[0] not in (*languages(), NEW)
    ]
    assert len(pages) > 5
    for source in pages:
        url = "" if source.name == "index.md" else source.with_suffix("").name + "/"
        built = site / source.parent / url / "index.html"
        text = built.read_text(encoding="utf-8")
        assert f'<html lang="{NEW}"' in text, built
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)[1]
        heading = re.sub(r"<[^>]+>", "", re.sub(r'<a class="headerlink".*?</a>', "", heading)).strip()
        assert heading.startswith("⟦ ") and heading.endswith(" ⟧"), built

    # The interface's words, plurals by the language's own rules, and the bank in the language.
    bank = project_bank()
    stage = bank.stages[0]
    checklist = (site / "checklists" / stage.id / "index.html").read_text(encoding="utf-8")
    assert html.escape(t("toolbar.print.stage"), quote=False) in checklist
    question = next(
        q
        for q in bank.questions
        if q.stage == stage.id and q.reworded_at is None and not re.search(r"[*_`\[<&]", str(q.text))
    )
    written = yaml_load((tmp_path / "fork" / f"{Path(question.origin.path).stem}.{NEW}.yml").read_text("utf-8"))
    words = written["questions"][question.id]["text"][NEW]
    assert words.startswith("⟦ ") and str(question.text) not in words
    assert html.escape(words, quote=False) in checklist
    guide = (site / "using-the-checklist" / "index.html").read_text(encoding="utf-8")
    assert html.escape(t("count.questions", n=len(bank.questions)), quote=False) in guide

    # Each language's page links to this one's, and this one's to each of theirs.
    first = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f'hreflang="{NEW}"' in first
    home = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'hreflang="{code}"' in home for code in languages())

    # Its own search index: its pages only, word for word (lunr.js has no stemmer for it).
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["pipeline"] == []
    section = re.search(r"^## (.+)$", (content / NEW / "using-the-checklist.md").read_text(encoding="utf-8"), re.M)[1]
    titles = {doc["title"] for doc in index["docs"]}
    assert section.startswith("⟦ ") and section in titles
    assert section.removeprefix("⟦ ").removesuffix(" ⟧") not in titles, "the first language's pages are not in it"

    # And ./run translations finds it whole.
    report = subprocess.run(
        [sys.executable, str(config.parent / "hooks" / "translations.py"), "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 0, report.stdout + report.stderr
    assert f"{NEW} ({t('language.name')}):" in report.stdout


def test_on_a_phone_the_language_menu_opens_and_closes_from_the_keyboard_and_by_a_click_elsewhere(forked, page):
    """Three languages or more: at 390 px the other languages are links in a menu behind one
    button. Enter opens it, Escape closes it with the focus back on the button, and a click
    elsewhere or the focus moving on past its last link closes it too."""
    t = table(forked / "fork", NEW)
    page.set_viewport_size({"width": 390, "height": 844})
    for base in serve(forked / "site"):
        page.goto(f"{base}/{NEW}/")
        switch = page.get_by_role("navigation", name=t("language.switch"))
        button = switch.locator("summary")
        links = switch.locator(".hb-languages__list a")
        expect(button).to_be_visible()
        assert links.count() == len(languages())
        expect(links.first).to_be_hidden()

        button.focus()
        page.keyboard.press("Enter")
        expect(links.first).to_be_visible()
        page.keyboard.press("Tab")
        expect(links.first).to_be_focused()
        page.keyboard.press("Escape")
        expect(links.first).to_be_hidden()
        expect(button).to_be_focused()

        page.keyboard.press("Enter")
        expect(links.first).to_be_visible()
        page.locator("article h1").click()
        expect(links.first).to_be_hidden()

        button.focus()
        page.keyboard.press("Enter")
        for _ in range(links.count()):
            page.keyboard.press("Tab")
        expect(links.last).to_be_focused()
        page.keyboard.press("Tab")
        expect(links.first).to_be_hidden()


def test_a_language_material_has_no_texts_for_stops_the_build_with_the_fix(tmp_path):
    assert not (MATERIAL_LANGUAGES / "ga.html").exists(), "Material now has Irish: pick another language"
    config = copy_project(tmp_path / "fork")
    add_language(config.parent, "ga")
    result = build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = listed_at(config, "ga")
    error = next(e for e in result.stderr.splitlines() if "Material for MkDocs" in e)
    assert error.startswith(f"ERROR   -  mkdocs.yml:{line}: Material for MkDocs has no texts in 'ga' (Irish)")
    assert "add theme_overrides/partials/languages/ga.html" in error
    assert "https://squidfunk.github.io/mkdocs-material/setup/changing-the-language/#custom-translations" in error
    assert not (tmp_path / "site").exists(), "nothing published"

    # The fix the error gives: Material's texts in Irish, in the theme's overrides.
    partial = config.parent / "theme_overrides" / "partials" / "languages" / "ga.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(
        '{% import "partials/languages/en.html" as fallback %}\n'
        '{% macro t(key) %}{{ {"language": "ga", "search.placeholder": "Cuardaigh"}[key] or fallback.t(key) }}'
        "{% endmacro %}\n",
        encoding="utf-8",
    )
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "ga" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ga"' in home and 'placeholder="Cuardaigh"' in home


def test_a_language_babel_does_not_know_stops_the_build_with_the_fix(tmp_path):
    """Serbo-Croatian ('sh'): Material has texts for it; CLDR, so Babel, does not."""
    assert (MATERIAL_LANGUAGES / "sh.html").exists(), "Material no longer has 'sh': pick another language"
    config = copy_project(tmp_path / "fork")
    text = config.read_text(encoding="utf-8")
    comment = re.search(r"^    # Your languages here.*\n", text, re.M)
    config.write_text(text[: comment.end()] + "    - sh\n" + text[comment.end() :], encoding="utf-8")
    line = listed_at(config, "sh")
    result = build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [e for e in result.stderr.splitlines() if e.startswith("ERROR")]
    assert errors == [
        f"ERROR   -  mkdocs.yml:{line}: 'sh' is not a language Babel knows, and its CLDR data gives the plurals,"
        " numbers and dates; name the language by its code in CLDR (Babel's list: .venv/bin/python -c"
        " 'import babel.localedata as d; print(*sorted(d.locale_identifiers()))', '_' written '-')"
    ]
    # ./run translations says the same.
    report = subprocess.run(
        [sys.executable, str(config.parent / "hooks" / "translations.py"), "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 1 and f"mkdocs.yml:{line}: 'sh' is not a language Babel knows" in report.stderr
    assert "Traceback" not in report.stderr
