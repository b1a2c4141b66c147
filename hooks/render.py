"""All the handbook's markup, from the Jinja templates in `theme_overrides/handbook/`.

A page's Markdown holds only what Markdown is for: headings (so they reach the
table of contents and search) and prose. Every piece of HTML made from the bank
(question lists, the grid, quotes, people, references, toolbars) is rendered by a
template into `Parts`, and stands in the Markdown as a placeholder comment; after
Markdown has run, `Parts.fill` puts the HTML in. So Python-Markdown never re-parses
it, and a question list is rendered once per build, on whichever pages show it.
"""

from __future__ import annotations

import json
import posixpath
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup
from mkdocs.structure.files import File, Files

import pages
import text
from cache import CompiledTemplates, DiskCache
from model import Bank, Entry, Principle, Stage
from problems import HandbookError, Origin, Problem

if TYPE_CHECKING:
    from languages import Languages
    from statuses import Status
    from strings import Strings


class RenderError(HandbookError):
    """A link from a template or a bank text to something that is not part of the site."""


class Parts:
    """HTML rendered for pages, by placeholder, for one build.

    Most parts go in after Markdown (`fill(html)`), where search indexes them. A part that
    search must not index (a principle's list of links to questions found on their stage
    pages) goes in after search has read the page (`fill(html, unsearched=True)`), so its
    HTML is never parsed only to be skipped: at 12,000 questions that was a third of a build.
    """

    def __init__(self) -> None:
        self._html: dict[str, str] = {}
        self._shared: dict[tuple, Markup] = {}
        self._prefix = f"<!-- hb:{secrets.token_hex(4)}:"
        self._searched = re.compile(re.escape(self._prefix) + r"(\d+) -->")
        self._unsearched = re.compile(re.escape(self._prefix) + r"(\d+u) -->")
        self._any = re.compile(re.escape(self._prefix) + r"(\d+u?) -->")

    def add(self, html: str, *, searched: bool = True) -> Markup:
        """A placeholder that `fill` replaces with `html`."""
        key = str(len(self._html)) + ("" if searched else "u")
        self._html[key] = html
        return Markup(f"{self._prefix}{key} -->")

    def shared(self, key: tuple, render: Callable[[], str]) -> Markup:
        """The placeholder of HTML that is the same on every page that shows it, rendered once."""
        if key not in self._shared:
            self._shared[key] = self.add(render())
        return self._shared[key]

    def fill(
        self,
        html: str,
        resolve_site_link: Callable[[str], str],
        *,
        unsearched: bool | None = False,
        transform: Callable[[str], str] | None = None,
    ) -> str:
        """The page's HTML with placeholders replaced by their parts (those search reads,
        those it must not, or with None all), each passed through `transform` if given,
        and links to site pages made relative to it."""
        if self._prefix not in html:
            return html
        pattern = {False: self._searched, True: self._unsearched, None: self._any}[unsearched]
        if transform is None:
            filled = pattern.sub(lambda m: self._html[m[1]], html)
        else:
            filled = pattern.sub(lambda m: transform(self._html[m[1]]), html)
        if text.SITE_LINK in filled:
            filled = _SITE_HREF.sub(lambda m: f'href="{resolve_site_link(m[1])}"', filled)
        return filled


def environment(templates: Path) -> jinja2.Environment:
    """The Jinja environment for our templates. One per process: `mkdocs serve` rebuilds
    with the same one, which compiles a template again only when its file changes."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.bytecode_cache = template_cache(env, "handbook")
    env.filters["md"] = lambda value: Markup(text.markdown_literal(str(value)))
    # Our own texts (the strings tables) in HTML, with the bank's inline Markdown: **strong**.
    env.filters["inline"] = lambda value: text.inline_html(str(value))
    env.globals["front_matter"] = _front_matter
    return env


class Renderer:
    """The templates, with what every template may use, for one build in one language."""

    def __init__(
        self,
        env: jinja2.Environment,
        bank: Bank,
        edition: str,
        strings: Strings,
        statuses: tuple[Status, ...],
        languages: Languages,
    ) -> None:
        self.env = env
        self.bank = bank
        self.edition = edition
        self.strings = strings
        self.statuses = statuses
        self.languages = languages
        self.parts = Parts()

    def for_page(self, file: File, files: Files) -> PageRender:
        return PageRender(self, file, files)


class PageRender:
    """Rendering for one page: links are relative to it."""

    def __init__(self, renderer: Renderer, file: File, files: Files) -> None:
        self.renderer = renderer
        self.file = file
        self.files = files
        self._urls: dict[str, str] = {}  # a page links to few files, many times

    def markdown(self, template: str, **context: Any) -> str:
        """A page template (Markdown with placeholders)."""
        return self._template(template).render(**self._context(), **context)

    def part(self, template: str, *, searched: bool = True, **context: Any) -> Markup:
        """An HTML template, as a placeholder in the page's Markdown."""
        html = self._template(template).render(**self._context(), **context)
        return self.renderer.parts.add(html, searched=searched)

    def shared(self, template: str, key: tuple, **context: Any) -> Markup:
        """An HTML template whose output does not depend on the page: rendered once per build."""
        return self.renderer.parts.shared(
            (template, *key), lambda: self._template(template).render(**self._context(), **context)
        )

    def link(self, src_uri: str, anchor: str = "") -> str:
        """URL of a site file relative to this page, as the browser needs it in HTML."""
        url = self._urls.get(src_uri)
        if url is None:
            file = self.files.get_file_from_path(src_uri)
            if file is None:
                where = Origin(self.file.src_uri)
                raise RenderError(
                    Problem(where, f"links to '{src_uri}', which is not part of the site", "fix the link")
                )
            url = self._urls[src_uri] = file.url_relative_to(self.file)
        return f"{url}#{anchor}" if anchor else url

    def page_url(self, entry: Entry, anchor: str = "") -> str | None:
        """The page of a stage (its checklist) or of a principle (its guidance page, if the site
        has one), relative to this page: the one rule for where they are."""
        if isinstance(entry, Stage):
            return self.link(pages.stage_page(entry.id), anchor)
        if isinstance(entry, Principle):
            path = pages.principle_page(entry.id)
            return self.link(path, anchor) if self.files.get_file_from_path(path) else None
        raise TypeError(f"{type(entry).__name__} has no page")

    def md_link(self, src_uri: str, anchor: str = "") -> str:
        """A Markdown link target relative to this page's source, which MkDocs checks and rewrites."""
        self.link(src_uri)
        path = posixpath.relpath(src_uri, posixpath.dirname(self.file.src_uri) or ".")
        return f"{path}#{anchor}" if anchor else path

    def site_link(self, target: str) -> str:
        """A bank text's link to `page.md#anchor`, relative to this page."""
        path, _, anchor = target.partition("#")
        return self.link(path, anchor)

    def _template(self, name: str) -> jinja2.Template:
        return self.renderer.env.get_template(name)

    def _context(self) -> dict[str, Any]:
        renderer = self.renderer
        return {
            "bank": renderer.bank,
            "edition": renderer.edition,
            "t": renderer.strings,
            "statuses": renderer.statuses,
            "language": renderer.languages.current.code,
            # The language the bank's quotes and references are given in, unless they say.
            "bank_language": renderer.bank.original.language,
            "page": self,
            "part": self.part,
            "shared": self.shared,
            "link": self.link,
            "md_link": self.md_link,
            "page_url": self.page_url,
        }


def template_cache(env: jinja2.Environment, namespace: str) -> jinja2.BytecodeCache:
    """Compiled templates kept between builds (cache.py): each build otherwise compiles every
    template again, a fifth of a small build's time. The version the entries are made by is
    the versions of Python, Jinja, MkDocs and Material and the environment's options, which all
    change the compiled code; a template whose text changes is compiled again (Jinja keeps its
    checksum in the entry)."""
    import material
    import mkdocs

    autoescape = env.autoescape if isinstance(env.autoescape, bool) else env.autoescape.__qualname__
    options = (
        autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.optimized,
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        sorted(env.extensions),
    )
    version = f"{sys.version_info[:2]}-{jinja2.__version__}-{mkdocs.__version__}-{material.__version__}-{options}"
    return CompiledTemplates(DiskCache(f"templates-{namespace}", version.encode(), keep=4096, max_entry=8 * 2**20))


def _front_matter(**fields: Any) -> Markup:
    """YAML front matter from plain text: HTML-escaped, because MkDocs' and Material's
    templates print page titles and descriptions as they are (so does Zensical), and
    written with YAML escapes for everything but printable ASCII, so that no character
    YAML refuses can turn the front matter into page text."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, str):
            lines.append(f"{key}: {text.yaml_string(text.attribute(value))}")
        else:
            lines.append(f"{key}: {json.dumps(value)}")
    return Markup("\n".join(lines))


_SITE_HREF = re.compile(r'href="' + re.escape(text.SITE_LINK) + r'([^"]*)"')
