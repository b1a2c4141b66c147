"""The handbook's languages: one MkDocs build per language, from one bank and one theme.

mkdocs.yml lists the languages under `extra.languages`, the first being the language the
bank and `content/` are written in. That one is built at the site's root; each other is built
into a folder named by its code (`site/cy/`), from its own guidance pages (`content/cy/`), the
bank's translation files (`questions.cy.yml`) and its strings table
(`theme_overrides/locales/cy.yml`). Every page exists in every language, at the same path
under each language's root, so each page links straight to its counterparts.

Each language is a project of its own, as Material and Zensical recommend: its own search
index (a Welsh page searches the Welsh pages only), its own `lang`, Material's interface in
that language. The first language's build runs the others (`language_builds.py`: beside it,
or after its pages), into its own output folder, before publishing swaps the whole site into
place: one `mkdocs build` (or `serve`) makes every language, and a failure in any leaves the
published site as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

import search
from bank import config_line
from export import EXPORT_TO
from problems import Origin, Problem, StringsError

# Set on a language's own build, by the first language's build that runs it.
BUILDING = "hb_language"


@dataclass(frozen=True)
class Language:
    code: str
    first: bool

    @property
    def prefix(self) -> str:
        """Where its site is, under the first language's: '' or 'cy/'."""
        return "" if self.first else f"{self.code}/"


@dataclass(frozen=True)
class Languages:
    """The handbook's languages, and the one being built."""

    all: tuple[Language, ...]
    current: Language

    @property
    def first(self) -> Language:
        return self.all[0]

    @property
    def others(self) -> tuple[Language, ...]:
        return tuple(lang for lang in self.all if not lang.first)

    def alternates(self, url: str, names: dict[str, str]) -> list[dict[str, str]]:
        """This page in each other language: its name in that language, and the page's address
        relative to this one. `url` is the page's URL within its language's site."""
        here = self.current.prefix + url
        return [
            {"lang": lang.code, "name": names[lang.code], "href": _relative(lang.prefix + url, here)}
            for lang in self.all
            if lang is not self.current
        ]

    def hreflang(self, url: str) -> list[dict[str, str]]:
        """Every language's version of this page, itself included, for `<link rel=alternate
        hreflang>`, relative to this page: Material fetches a sitemap beside each such link, and
        an absolute address would send that request to the published host from a copy anywhere."""
        if len(self.all) < 2:
            return []
        here = self.current.prefix + url
        return [{"lang": lang.code, "href": _relative(lang.prefix + url, here)} for lang in self.all]


def root_link(config: MkDocsConfig, languages: Languages, language: Language) -> str:
    """The address of a language's home page: absolute when the site's address is known (the
    404 page is served at any address), else relative to this language's home page."""
    if config.site_url:
        base = config.site_url.removesuffix("/")
        if not languages.current.first:
            base = base.removesuffix(f"/{languages.current.code}")
        return f"{base}/{language.prefix}"
    return _relative(language.prefix, languages.current.prefix)


def home(languages: Languages) -> str:
    """The first language's home page relative to this language's: '' or '../'."""
    return "../" * languages.current.prefix.count("/")


def configured(config: MkDocsConfig) -> Languages:
    """The languages mkdocs.yml lists (default: the theme's language alone), checked."""
    config_file = Path(config.config_file_path)
    listed = config.extra.get("languages", [config.theme.get("language", "en")])
    where = config_line(config_file, "languages")
    fix = "list language codes one per line, the first the bank's own, as in\n  languages:\n    - en\n    - cy"
    if not isinstance(listed, list) or not listed or not all(isinstance(code, str) and code for code in listed):
        raise StringsError(Problem(where, "extra.languages must be a list of language codes", fix))
    if len(set(listed)) != len(listed):
        raise StringsError(Problem(where, "extra.languages lists a language twice", "list each language once"))
    problems = [*_unknown_to_babel(config_file, listed), *_unknown_to_theme(config, config_file, listed)]
    if problems:
        raise StringsError(problems)
    languages = tuple(Language(code, first=n == 0) for n, code in enumerate(listed))
    building = config.extra.get(BUILDING) or listed[0]
    current = next((lang for lang in languages if lang.code == building), None)
    if current is None:
        raise StringsError(Problem(where, f"the build is for '{building}', which extra.languages does not list", fix))
    return Languages(languages, current)


MATERIAL_TRANSLATIONS = "https://squidfunk.github.io/mkdocs-material/setup/changing-the-language/#custom-translations"


def _unknown_to_babel(config_file: Path, listed: list[str]) -> list[Problem]:
    """Languages Babel's CLDR data lacks: the handbook takes each language's plurals, numbers,
    dates and lists from there, so it cannot be written in one CLDR does not know."""
    import babel

    problems = []
    for code in listed:
        try:
            babel.Locale.parse(code.replace("-", "_"))
        except (ValueError, babel.UnknownLocaleError):
            what = f"'{code}' is not a language Babel knows, and its CLDR data gives the plurals, numbers and dates"
            fix = (
                "name the language by its code in CLDR (Babel's list: .venv/bin/python -c "
                "'import babel.localedata as d; print(*sorted(d.locale_identifiers()))', '_' written '-')"
            )
            problems.append(Problem(_item_line(config_file, code), what, fix))
    return problems


def _unknown_to_theme(config: MkDocsConfig, config_file: Path, listed: list[str]) -> list[Problem]:
    """Languages the theme has no texts for: Material names its own labels (search, navigation,
    "Back to top") in partials/languages/<code>.html, and without one it cannot build the page."""
    dirs = [Path(d) for d in getattr(config.theme, "dirs", ())]
    if not any((d / "partials" / "languages").is_dir() for d in dirs):
        return []  # a theme without Material's translations
    custom = Path(config.theme.custom_dir or config_file.parent / "theme_overrides")
    try:
        custom_shown = custom.resolve().relative_to(config_file.parent.resolve()).as_posix()
    except ValueError:
        custom_shown = str(custom)
    problems = []
    for code in listed:
        if any((d / "partials" / "languages" / f"{code}.html").is_file() for d in dirs):
            continue
        what = (
            f"Material for MkDocs has no texts in '{code}'{_named(code)}: the words of its search box, "
            "navigation and other labels, which it takes from partials/languages/<code>.html"
        )
        fix = (
            f'add {custom_shown}/partials/languages/{code}.html with them (and "language": "{code}"), '
            f"as {MATERIAL_TRANSLATIONS} shows; or list a language Material has"
        )
        problems.append(Problem(_item_line(config_file, code), what, fix))
    return problems


def _named(code: str) -> str:
    """' (Irish)': the language's name in English, as the build's messages are written."""
    import babel

    try:
        return f" ({babel.Locale.parse(code.replace('-', '_')).get_display_name('en')})"
    except (ValueError, babel.UnknownLocaleError):
        return ""


def _item_line(config_file: Path, code: str) -> Origin:
    """Where extra.languages lists `code` ('mkdocs.yml:97'), else where it starts."""
    where = config_line(config_file, "languages")
    path = config_file.parent / where.path
    if where.line and path.is_file():
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        item = re.compile(rf"^\s*-\s*[\"']?{re.escape(code)}[\"']?\s*(?:#.*)?$")
        for n in range(where.line, len(lines)):
            if item.match(lines[n]):
                return where.at(n + 1)
            if lines[n].strip() and not lines[n].lstrip().startswith(("-", "#")):
                break
    return where


def config_for(config: MkDocsConfig, language: Language, hook: str) -> MkDocsConfig:
    """The config of another language's build: the same file, read again, with that language's
    folders, address and theme language, and only the handbook's own hook (publishing and
    serving are the first language's build's)."""
    from mkdocs.config import load_config

    site_url = config.site_url or ""
    other = load_config(
        config.config_file_path,
        site_dir=str(Path(config.site_dir) / language.code),
        docs_dir=str(Path(config.docs_dir) / language.code),
        site_url=f"{site_url.rstrip('/')}/{language.code}/" if site_url else None,
        hooks=[hook],
        strict=config.strict,
    )
    other.extra[BUILDING] = language.code
    other.theme["language"] = language.code
    if config.extra.get(EXPORT_TO):
        other.extra[EXPORT_TO] = str(Path(config.extra[EXPORT_TO]) / language.code)
    plugin = other.plugins.get("material/search")
    settings = search.search_config(language.code)
    if plugin is not None and settings is not None:
        # No stemmer lunr.js has fits the language: words are looked up as written (search.py).
        for key, value in settings.items():
            plugin.config[key] = value
    return other


def translate_config(config: MkDocsConfig, texts: dict[str, Any], origin: Origin) -> list[Problem]:
    """The texts mkdocs.yml shows readers, in this build's language, from the `config` group of
    its strings table: the site's name, description, copyright and source credit by name, and
    the nav's labels and the palette's toggles (`nav`, `palette`) keyed by their text in mkdocs.yml."""
    problems: list[Problem] = []

    def named(key: str, text: Any) -> Any:
        if not isinstance(text, str) or not text.strip():
            return text
        if key not in texts:
            what = f"has no 'config.{key}', the translation of mkdocs.yml's {key}"
            problems.append(Problem(origin, what, f"add it under 'config:' (mkdocs.yml has: {_shown(text)})"))
            return text
        return texts[key]

    def label(group: str, text: Any) -> Any:
        if not isinstance(text, str) or not text.strip():
            return text
        key = f"{group}.{text}"
        if key not in texts:
            what = f"has no translation of the mkdocs.yml {group} label {_shown(text)}"
            problems.append(Problem(origin, what, f"add it under 'config: {group}:' as {_shown(text)}: ..."))
            return text
        return texts[key]

    config.site_name = named("site_name", config.site_name)
    config.site_description = named("site_description", config.site_description)
    config.copyright = named("copyright", config.copyright)
    if config.extra.get("source_credit"):
        config.extra["source_credit"] = named("source_credit", config.extra["source_credit"])
    if config.nav:
        config.nav = _nav(config.nav, lambda title: label("nav", title))
    for scheme in config.theme.get("palette") or ():
        if isinstance(scheme, dict) and isinstance(scheme.get("toggle"), dict):
            scheme["toggle"]["name"] = label("palette", scheme["toggle"].get("name"))
    toc = config.mdx_configs.get("toc")
    if isinstance(toc, dict) and isinstance(toc.get("permalink_title"), str):
        toc["permalink_title"] = named("permalink_title", toc["permalink_title"])
    return problems


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) < 70 else text[:67] + "...") + '"'


def _nav(nav: Any, put: Callable[[str], str]) -> Any:
    if isinstance(nav, list):
        return [_nav(item, put) for item in nav]
    if isinstance(nav, dict):
        return {put(title): _nav(value, put) for title, value in nav.items()}
    return nav


def _relative(target: str, here: str) -> str:
    """`target` relative to the page at `here` (both paths within the first language's site)."""
    from mkdocs.utils import get_relative_url

    return get_relative_url(target or ".", here or ".") or "./"


def page_paths(docs: Path) -> set[str]:
    """The guidance pages in a docs folder, as paths (other languages' folders left out)."""
    return {p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if p.is_file()}


def missing_pages(first_docs: Path, docs: Path, others: Sequence[str]) -> tuple[list[str], list[str]]:
    """Pages the first language has and this one lacks, and pages this one has the first lacks."""
    first = {p for p in page_paths(first_docs) if p.split("/", 1)[0] not in others}
    here = page_paths(docs)
    return sorted(first - here), sorted(here - first)
