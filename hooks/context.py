"""What every hook module shares for one build: the bank and the templates that render it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup, escape

from bank import Bank


@dataclass
class Handbook:
    bank: Bank
    root: Path
    bank_paths: tuple[Path, ...]
    templates: Path
    version: str  # extra.version in mkdocs.yml; may be empty
    built: str  # the build date
    credit: str = ""
    env: jinja2.Environment = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["inline_markdown"] = _InlineMarkdown()
        self.env.globals["bank"] = self.bank

    @property
    def edition(self) -> str:
        """What the printed footer and the downloads say this copy is."""
        return f"Version {self.version}" if self.version else f"Built {self.built}"

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)


class _InlineMarkdown:
    """Bank text -> HTML: inline Markdown only; raw HTML is escaped, so it shows as text.

    Each text appears on three pages (its stage, all stages, the overview), and
    most contain no Markdown at all: convert each text once, and plain text not at all.
    """

    # Starts with a letter, holds nothing Markdown would act on, ends without a space.
    _PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ,.?!'()/:;‘’–—-]*[A-Za-z0-9,.?!'()/:;‘’–—-])?")

    def __init__(self) -> None:
        self._md = markdown.Markdown(output_format="html")
        self._done: dict[str, Markup] = {}

    def __call__(self, text: str) -> Markup:
        html = self._done.get(text)
        if html is None:
            html = self._done[text] = Markup(escape(text)) if self._PLAIN.fullmatch(text) else self._convert(text)
        return html

    def _convert(self, text: str) -> Markup:
        html = self._md.reset().convert(str(escape(text)))
        if html.startswith("<p>") and html.endswith("</p>"):
            html = html[3:-4]
        return Markup(html.replace("\n", " "))
