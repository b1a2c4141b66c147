"""Shortcodes: HTML comments in Markdown that place parts of the bank on a page.

They read cleanly on GitHub (a comment shows nothing) and work the same on
hand-written and generated pages:

    <!-- md:quote sellick-must-haves -->          one quote, attributed
    <!-- md:person vicki-sellick -->              a person card
    <!-- md:quotes-for culture -->                 every quote tagged with a principle or stage
    <!-- md:questions goals -->                    links to a principle's questions, by stage
    <!-- md:questions goals considering -->        ... at one stage
    <!-- md:cite berge-2008 -->                    a numbered footnote with the citation
    <!-- md:references -->                         the whole reference list
    <!-- md:checklist considering -->              a stage's interactive checklist
    <!-- md:toolbar considering -->                print, downloads and answers tools (or `all`)
    <!-- md:grid -->                               every question, principle by stage
    <!-- md:people -->                             everyone, with role and quotes

An unknown shortcode or id fails the build, naming the page and line.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from re import Match

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

import pages
from context import Handbook

# Code is matched first and left alone, so a page can show a shortcode in `code`.
SHORTCODE = re.compile(
    r"(?P<code>^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=fence)[ \t]*$|`[^`\n]+`)"
    r"|<!-- md:(?P<name>[a-z][a-z-]*)(?P<args>[^\n]*?) -->",
    re.M | re.S,
)


class ShortcodeError(Exception):
    """A shortcode names something that does not exist; the message names page and line."""


class _Hidden(Exception):
    """The shortcode names an entry an organisation bank hid: it renders as nothing."""


def render(markdown: str, *, page: Page, files: Files, handbook: Handbook) -> str:
    context = _Context(markdown, page, files, handbook)
    body = SHORTCODE.sub(context.replace, markdown)
    return body + context.footnotes()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class _Context:
    """One page's shortcode pass: resolves ids, links and footnotes for that page."""

    def __init__(self, markdown: str, page: Page, files: Files, handbook: Handbook) -> None:
        self.markdown = markdown
        self.page = page
        self.files = files
        self.handbook = handbook
        self.bank = handbook.bank
        self.cited: list[str] = []
        self._match: Match[str] | None = None
        self.handlers: dict[str, Callable[[list[str]], str]] = {
            "quote": self.quote,
            "person": self.person,
            "quotes-for": self.quotes_for,
            "questions": self.questions,
            "cite": self.cite,
            "references": self.references,
            "checklist": self.checklist,
            "toolbar": self.toolbar,
            "grid": self.grid,
            "people": self.people,
        }

    def replace(self, match: Match[str]) -> str:
        if match["code"]:
            return match["code"]
        self._match = match
        name, args = match["name"], match["args"].split()
        handler = self.handlers.get(name)
        if handler is None:
            self.fail(f"unknown shortcode 'md:{name}'", name, sorted(self.handlers))
        try:
            return handler(args)
        except _Hidden:
            return ""

    # Shortcodes ---------------------------------------------------------------

    def quote(self, args: list[str]) -> str:
        (quote_id,) = self.arity(args, "quote", 1)
        quote = self.lookup("quotes", quote_id)
        return self.render("shortcodes/quote.html", quote=quote)

    def person(self, args: list[str]) -> str:
        (person_id,) = self.arity(args, "person", 1)
        return self.render("shortcodes/person.html", person=self.lookup("people", person_id))

    def quotes_for(self, args: list[str]) -> str:
        (tag,) = self.arity(args, "quotes-for", 1)
        if self.bank.get("principles", tag):
            quotes = self.bank.quotes_for(principle=tag)
        elif self.bank.get("stages", tag):
            quotes = self.bank.quotes_for(stage=tag)
        else:
            known = [p.id for p in self.bank.principles] + [s.id for s in self.bank.stages]
            self.fail(f"'{tag}' is neither a principle nor a stage", tag, known)
        return self.render("shortcodes/quotes.html", quotes=quotes)

    def questions(self, args: list[str]) -> str:
        principle_id, *rest = self.arity(args, "questions", 1, 2)
        principle = self.lookup("principles", principle_id)
        stages = [self.lookup("stages", rest[0])] if rest else list(self.bank.stages)
        groups = [(s, self.bank.questions_for(s.id, principle.id)) for s in stages]
        return self.render("shortcodes/questions.md", principle=principle, groups=groups, one_stage=bool(rest))

    def cite(self, args: list[str]) -> str:
        (ref_id,) = self.arity(args, "cite", 1)
        self.lookup("references", ref_id)
        if ref_id not in self.cited:
            self.cited.append(ref_id)
        return f"[^ref-{ref_id}]"

    def footnotes(self) -> str:
        if not self.cited:
            return ""
        refs = [self.bank.get("references", r) for r in self.cited]
        return "\n\n" + self.render("shortcodes/footnotes.md", references=refs)

    def references(self, args: list[str]) -> str:
        self.arity(args, "references", 0)
        return self.render("shortcodes/references.html", references=self.bank.references)

    def checklist(self, args: list[str]) -> str:
        stage_id, *nested = self.arity(args, "checklist", 1, 2)
        if nested and nested != ["nested"]:
            self.fail(f"'md:checklist' takes a stage id and optionally 'nested', not '{nested[0]}'", "", [])
        stage = self.lookup("stages", stage_id)
        groups = [(p, self.bank.questions_for(stage.id, p.id)) for p in self.bank.principles]
        return self.render(
            "shortcodes/checklist.md",
            stage=stage,
            groups=[(p, qs) for p, qs in groups if qs],
            numbers=self.bank.numbers,
            nested=bool(nested),
        )

    def toolbar(self, args: list[str]) -> str:
        (scope,) = self.arity(args, "toolbar", 1)
        stage = None if scope in ("all", "overview") else self.lookup("stages", scope)
        return self.render(
            "shortcodes/toolbar.html",
            stage=stage,
            overview=scope == "overview",
            csv=self.link("questions.csv"),
            json=self.link("questions.json"),
            all_stages=self.link(pages.ALL_STAGES),
        )

    def grid(self, args: list[str]) -> str:
        self.arity(args, "grid", 0)
        return self.render("shortcodes/grid.html", grid=self.bank.grid(), numbers=self.bank.numbers)

    def people(self, args: list[str]) -> str:
        self.arity(args, "people", 0)
        return self.render("shortcodes/people.md", people=self.bank.people)

    # Support ------------------------------------------------------------------

    def render(self, template: str, **context) -> str:
        return self.handbook.render(
            template,
            link=self.link,
            md_link=self.md_link,
            stage_page=pages.stage_page,
            people_page=pages.PEOPLE,
            **context,
        )

    def link(self, src_uri: str, anchor: str = "") -> str:
        """URL of a site file relative to this page, as the browser needs it in raw HTML."""
        file = self.files.get_file_from_path(src_uri)
        if file is None:
            self.fail(f"links to '{src_uri}', which is not part of the site", src_uri, [])
        url = file.url_relative_to(self.page.file)
        return f"{url}#{anchor}" if anchor else url

    def md_link(self, src_uri: str, anchor: str = "") -> str:
        """A Markdown link target relative to this page's source, which MkDocs checks and rewrites."""
        self.link(src_uri)
        path = posixpath.relpath(src_uri, posixpath.dirname(self.page.file.src_uri) or ".")
        return f"{path}#{anchor}" if anchor else path

    def lookup(self, kind: str, entry_id: str):
        entry = self.bank.get(kind, entry_id)
        if entry is None and self.bank.is_hidden(kind, entry_id):
            raise _Hidden
        if entry is None:
            singular = {"people": "person"}.get(kind, kind[:-1])
            known = [e.id for e in getattr(self.bank, kind)]
            self.fail(f"unknown {singular} '{entry_id}'", entry_id, known)
        return entry

    def arity(self, args: list[str], name: str, low: int, high: int | None = None) -> list[str]:
        high = low if high is None else high
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} or {high}"
            self.fail(f"'md:{name}' takes {wanted} argument(s), got {len(args)}", "", [])
        return args

    def fail(self, problem: str, given: str, known: list[str]) -> None:
        match = self._match
        line = self._line(match.start()) if match else 0
        where = f"{self._source_path()}:{line}"
        text = f"{where}: {problem} in '{match.group(0) if match else ''}'"
        close = difflib.get_close_matches(given, known, n=1) if given else []
        if close:
            text += f"; did you mean '{close[0]}'?"
        if known:
            shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
            text += f" Known: {shown}."
        raise ShortcodeError(text)

    def _source_path(self) -> str:
        file = self.page.file
        if file.generated_by or not file.abs_src_path:
            return f"{file.src_uri} (generated from the question bank)"
        path = Path(file.abs_src_path).resolve()
        root = self.handbook.root.resolve()
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else file.src_uri

    def _line(self, offset: int) -> int:
        """Line in the source file; the Markdown we get has its front matter cut off."""
        body = self.markdown.lstrip()
        skipped = len(self.markdown) - len(body)
        source = self.page.file.content_string
        start = source.find(body[:200]) if body else -1
        if start < 0:
            return self.markdown.count("\n", 0, offset) + 1
        return source.count("\n", 0, start) + self.markdown.count("\n", skipped, offset) + 1
