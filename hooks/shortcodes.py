"""Shortcodes: HTML comments in a guidance page that place parts of the bank on it.

They read cleanly on GitHub (a comment shows nothing), and they are how a page says
anything the bank decides, so that a fork's site reads right without editing our pages:

    <!-- md:quote sellick-must-haves -->     one quote, attributed
    <!-- md:person vicki-sellick -->         a person, linked to the people page
    <!-- md:quotes-for culture -->           every quote tagged with a principle or stage
    <!-- md:questions goals -->              a principle's questions, linked, by stage
    <!-- md:questions goals considering -->  ... at one stage
    <!-- md:cite berge-2008 -->              a numbered footnote with the citation
    <!-- md:references -->                   the whole reference list
    <!-- md:checklist considering -->        a stage's checklist
    <!-- md:toolbar considering -->          print, download and answer tools (or `all`, `overview`)
    <!-- md:grid -->                         every question, principle by stage
    <!-- md:people -->                       everyone, with role and quotes
    <!-- md:stages -->                       a table of the stages: purpose and number of questions
    <!-- md:principles -->                   a table of the principles
    <!-- md:count questions -->              how many, with the noun: `three stages`, `37 questions`
    <!-- md:count questions considering -->  ... at one stage, or for one principle
    <!-- md:stage considering -->            a stage's title, linked to its checklist
    <!-- md:stage-links -->                  every stage's title, linked, in a line
    <!-- md:principle goals -->              a principle's title, linked to its page
    <!-- md:principle-nav goals -->          " · " and links to the previous and next principle's pages
    <!-- md:ids stages -->                   the ids of the stages (or principles), for the fork guide

Anything that looks like a shortcode must be one: an unknown name or id, a wrong
number of arguments, or a comment spelt another way (`<!--md:quote x-->`) fails the
build, naming the page and line. A shortcode that names something an organisation
bank hid renders nothing (a principle's questions: a short note); in a sentence
(`md:stage`, `md:principle`) it renders the title, unlinked. Shortcodes inside code are
shown, not run. Whatever words a shortcode adds are the page's language's (strings.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from re import Match
from typing import Any, NoReturn

import pages
from model import KIND, Bank, Entry, Principle, Stage
from problems import Origin, PageError, Problem
from render import PageRender, RenderError
from text import markdown_literal


class ShortcodeError(PageError):
    """A shortcode that does not parse or names nothing; the message names page and line."""


def expand(markdown: str, *, render: PageRender, where: str, source: str) -> str:
    """The page's Markdown with its shortcodes replaced. `where` names the page in errors
    and `source` is its whole file, front matter included, so that lines count from the top."""
    page = _Page(markdown, render, where, source)
    body = _SCAN.sub(page.replace, markdown)
    return body + page.footnotes()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class _Hidden(Exception):
    """An argument names an entry an organisation bank hid."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry


@dataclass(frozen=True)
class _Shortcode:
    handler: Callable[..., str]
    # One per argument: a bank section ("stages"), or "tag", "scope" or "counted"; "?" marks it optional.
    params: tuple[str, ...] = ()
    # In a sentence, a hidden entry is named in plain text; elsewhere it renders nothing,
    # or the text of this key of the strings table.
    inline: bool = False
    note: str = ""


class _Page:
    """One page's pass: resolves ids and links, and collects its footnotes."""

    def __init__(self, markdown: str, render: PageRender, where: str, source: str) -> None:
        self.markdown = markdown
        self.render = render
        self.bank: Bank = render.renderer.bank
        self.where = where
        self.source = source
        self.cited: list[str] = []
        self.match: Match[str] | None = None

    def replace(self, match: Match[str]) -> str:
        if match["code"]:
            return match["code"]
        self.match = match
        exact = _EXACT.fullmatch(match[0])
        if not exact:
            self.fail(
                "looks like a shortcode but is not written as one",
                fix="write it as '<!-- md:name argument -->': lowercase, one space inside each end",
            )
        name, args = exact["name"], exact["args"].split()
        shortcode = SHORTCODES.get(name)
        if shortcode is None:
            self.fail(f"unknown shortcode 'md:{name}'", given=name, known=sorted(SHORTCODES))
        try:
            values = self.arguments(name, shortcode.params, args)
            return shortcode.handler(self, *values)
        except _Hidden as hidden:
            if shortcode.inline:
                return markdown_literal(_title(hidden.entry))
            return markdown_literal(self.render.renderer.strings(shortcode.note)) if shortcode.note else ""
        except RenderError as e:
            self.fail(e.problems[0].what, fix="link to a page the site has")

    # Shortcodes ---------------------------------------------------------------

    def quote(self, quote) -> str:
        return self.render.part("html/quote.html", quote=quote)

    def person(self, person) -> str:
        return self.render.part("html/person.html", person=person)

    def quotes_for(self, tag: Entry) -> str:
        if isinstance(tag, Principle):
            quotes = self.bank.quotes_for(principle=tag.id)
        else:
            quotes = self.bank.quotes_for(stage=tag.id)
        return self.render.part("html/quotes.html", quotes=quotes, intro="")

    def questions(self, principle, stage=None) -> str:
        stages = [stage] if stage else list(self.bank.stages)
        groups = [(s, self.bank.questions_for(s.id, principle.id)) for s in stages]
        return self.render.part(
            "html/question-links.html", searched=False, principle=principle, groups=groups, one_stage=bool(stage)
        )

    def cite(self, reference) -> str:
        if reference.id not in self.cited:
            self.cited.append(reference.id)
        return f"[^ref-{reference.id}]"

    def footnotes(self) -> str:
        notes = [
            f"[^ref-{ref_id}]: {self.render.part('html/reference.html', ref=self.bank.get('references', ref_id))}"
            for ref_id in self.cited
        ]
        return "\n\n" + "\n\n".join(notes) + "\n" if notes else ""

    def references(self) -> str:
        return self.render.part("html/references.html", references=self.bank.references)

    def checklist(self, stage) -> str:
        return self.render.markdown("parts/checklist.md", stage=stage, level=2)

    def toolbar(self, scope) -> str:
        stage = scope if isinstance(scope, Stage) else None
        return self.render.part("html/toolbar.html", scope="stage" if stage else scope, stage=stage)

    def grid(self) -> str:
        return self.render.part("html/grid.html")

    def people(self) -> str:
        return self.render.markdown("parts/people.md")

    def stages(self) -> str:
        return self.render.part("html/stages.html")

    def principles(self) -> str:
        return self.render.part("html/principles.html")

    def count(self, counted: str, within: Entry | None = None) -> str:
        if counted != "questions" or within is None:
            if within is not None:
                self.fail(f"'md:count {counted}' counts every {KIND[counted].noun}", fix="give no id after it")
            number = len(self.bank.entries(counted))
        elif isinstance(within, Stage):
            number = len(self.bank.questions_for(stage=within.id))
        else:
            number = len(self.bank.questions_for(principle=within.id))
        return markdown_literal(self.t(f"count.{counted}", n=number))

    def stage(self, stage) -> str:
        return f"[{markdown_literal(stage.title)}]({self.render.md_link(pages.stage_page(stage.id))})"

    def stage_links(self) -> str:
        return " · ".join(self.stage(s) for s in self.bank.stages)

    def principle(self, principle) -> str:
        url = self.principle_page(principle)
        return f"[{markdown_literal(principle.title)}]({url})" if url else markdown_literal(principle.title)

    def principle_nav(self, principle) -> str:
        linked = [p for p in self.bank.principles if self.principle_page(p) or p is principle]
        at = linked.index(principle)
        parts = [""]
        if at > 0:
            parts.append(f"{markdown_literal(self.t('principle_nav.previous'))} {self.principle(linked[at - 1])}")
        if at + 1 < len(linked):
            parts.append(f"{markdown_literal(self.t('principle_nav.next'))} {self.principle(linked[at + 1])}")
        return " · ".join(parts) if len(parts) > 1 else ""

    def ids(self, counted: str) -> str:
        if counted not in ("stages", "principles"):
            self.fail(f"'md:ids' lists the ids of stages or principles, not {counted}", fix="write 'md:ids stages'")
        ids = [f"`{e.id}`" for e in self.bank.entries(counted)]
        return self.render.renderer.strings.join(ids, style="or")

    # Support ------------------------------------------------------------------

    def t(self, key: str, **values: Any) -> str:
        return self.render.renderer.strings(key, **values)

    def principle_page(self, principle: Principle) -> str | None:
        """A Markdown link to a principle's guidance page, if the site has one."""
        path = pages.principle_page(principle.id)
        return self.render.md_link(path) if self.render.files.get_file_from_path(path) else None

    def arguments(self, name: str, params: tuple[str, ...], args: list[str]) -> list[Any]:
        required = [p for p in params if not p.endswith("?")]
        if not len(required) <= len(args) <= len(params):
            wanted = str(len(params)) if len(required) == len(params) else f"{len(required)} or {len(params)}"
            self.fail(f"'md:{name}' takes {wanted} argument(s), got {len(args)}", fix="see hooks/shortcodes.py's list")
        values = [self.argument(param.rstrip("?"), arg) for param, arg in zip(params, args, strict=False)]
        hidden = [v for v in values if isinstance(v, _HiddenEntry)]
        if hidden:
            raise _Hidden(hidden[0].entry)
        return values

    def argument(self, param: str, arg: str) -> Any:
        if param == "counted":
            if arg not in KIND:
                self.fail(f"'{arg}' is not something to count", given=arg, known=list(KIND))
            return arg
        if param == "scope" and arg in ("all", "overview"):
            return arg
        sections = {"tag": ("principles", "stages"), "scope": ("stages",), "within": ("stages", "principles")}.get(
            param, (param,)
        )
        for section in sections:
            entry = self.bank.get(section, arg)
            if entry is not None:
                return entry
            if self.bank.is_hidden(section, arg):
                return _HiddenEntry(self.bank.hidden[section, arg])
        nouns = " or ".join(KIND[s].noun for s in sections)
        known = [e.id for s in sections for e in self.bank.entries(s)]
        self.fail(f"unknown {nouns} '{arg}'", given=arg, known=known)

    def fail(self, problem: str, *, given: str = "", known: list[str] | None = None, fix: str = "") -> NoReturn:
        match = self.match
        line = self._line(match.start()) if match else None
        what = f"{problem} in '{match[0] if match else ''}'"
        close = difflib.get_close_matches(given, known or [], n=1) if given else []
        if close:
            fix = f"did you mean '{close[0]}'?"
        if known:
            shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
            fix = f"{fix + ' ' if fix else ''}Known: {shown}."
        raise ShortcodeError(Problem(Origin(self.where, line), what, fix))

    def _line(self, offset: int) -> int:
        """Line in the source file; the Markdown we get has its front matter cut off."""
        body = self.markdown.lstrip()
        skipped = len(self.markdown) - len(body)
        start = self.source.find(body[:200]) if body else -1
        if start < 0:
            return self.markdown.count("\n", 0, offset) + 1
        return self.source.count("\n", 0, start) + self.markdown.count("\n", skipped, offset) + 1


@dataclass(frozen=True)
class _HiddenEntry:
    entry: Entry


def _title(entry: Entry) -> str:
    return getattr(entry, "title", None) or getattr(entry, "name", None) or entry.id


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

SHORTCODES: dict[str, _Shortcode] = {
    "quote": _Shortcode(_Page.quote, ("quotes",)),
    "person": _Shortcode(_Page.person, ("people",)),
    "quotes-for": _Shortcode(_Page.quotes_for, ("tag",)),
    "questions": _Shortcode(_Page.questions, ("principles", "stages?"), note="questions.none_for_principle"),
    "cite": _Shortcode(_Page.cite, ("references",)),
    "references": _Shortcode(_Page.references),
    "checklist": _Shortcode(_Page.checklist, ("stages",)),
    "toolbar": _Shortcode(_Page.toolbar, ("scope",)),
    "grid": _Shortcode(_Page.grid),
    "people": _Shortcode(_Page.people),
    "stages": _Shortcode(_Page.stages),
    "principles": _Shortcode(_Page.principles),
    "count": _Shortcode(_Page.count, ("counted", "within?")),
    "stage": _Shortcode(_Page.stage, ("stages",), inline=True),
    "stage-links": _Shortcode(_Page.stage_links),
    "principle": _Shortcode(_Page.principle, ("principles",), inline=True),
    "principle-nav": _Shortcode(_Page.principle_nav, ("principles",)),
    "ids": _Shortcode(_Page.ids, ("counted",)),
}

# Code first, so a page can show a shortcode in `code` or a fenced block; then anything that
# starts like a shortcode comment, in any spelling, which must then be exactly one.
_SCAN = re.compile(
    r"(?P<code>^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=fence)[ \t]*$|(?P<ticks>`+)[^`\n][^\n]*?(?P=ticks))"
    r"|<!--\s*md\s*:.*?(?:-->|$)",
    re.M | re.S | re.I,
)
_EXACT = re.compile(r"<!-- md:(?P<name>[a-z][a-z-]*)(?P<args>(?: [a-z0-9]+(?:-[a-z0-9]+)*)*) -->")
