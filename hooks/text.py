"""The one rule for text from a bank: it is data, never code.

Bank text reaches many places: page HTML, Markdown headings, page titles and meta
tags, the printed header and footer, downloads. Each has one function here, and
nothing else puts bank text anywhere:

- `Markdown` marks the fields that may hold inline Markdown (`model.KINDS` says
  which). Only a safe subset renders: emphasis, strong, `code`, and links to
  `http(s):`, `mailto:` or another page of the site (its Markdown path from the
  docs folder, such as `people.md#libby-keck`). Everything else (raw HTML,
  images, attribute lists, other URL schemes) is shown literally, as typed.
- Every other field is plain text, escaped wherever it lands.

The subset is parsed by markdown-it-py, a CommonMark parser built for untrusted
input, with only the inline rules above switched on and its link check replaced
by ours.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


class Markdown(str):
    """Bank text that may hold the safe subset of inline Markdown, as written, with its HTML and
    its plain words made once, when the bank is read (`Inline.markdown`).

    Jinja (with autoescape) shows it as its HTML; everywhere else it is the text as written,
    which is what the downloads keep. `plain` is the words a reader sees, without markup: for
    the browser's data and printed titles.
    """

    html: Markup
    plain: str

    def __new__(cls, source: str, html: Markup, plain: str) -> Markdown:
        value = super().__new__(cls, source)
        value.html = html
        value.plain = plain
        return value

    def __html__(self) -> str:
        return self.html


class Inline:
    """Makes `Markdown` values. One per bank load: it builds the parser only if some text needs it
    (most bank text is plain), and makes each distinct text once."""

    def __init__(self) -> None:
        self._parser: MarkdownIt | None = None
        self._made: dict[str, Markdown] = {}

    def markdown(self, source: str) -> Markdown:
        made = self._made.get(source)
        if made is None:
            made = self._made[source] = Markdown(source, self._html(source), self._plain(source))
        return made

    def _html(self, source: str) -> Markup:
        """Safe HTML. Links to site pages carry `SITE_LINK` + their docs path; the page they land
        on turns that into a relative URL."""
        text = folded(source)
        if not _MARKUP.search(text):
            return escape(text)
        simple = _simple_emphasis(text)
        if simple is not None:
            return simple
        return Markup(self._parse().renderInline(text))

    def _plain(self, source: str) -> str:
        text = folded(source)
        if not _MARKUP.search(text):
            return text
        if _simple_emphasis(text) is not None:
            return _EMPHASIS.sub(r"\1", text)
        words: list[str] = []
        for token in self._parse().parseInline(text)[0].children or ():
            if token.type in ("text", "code_inline"):
                words.append(token.content)
            elif token.type == "image":
                words.append(_literal_image(token))
        return "".join(words)

    def _parse(self) -> MarkdownIt:
        if self._parser is None:
            self._parser = _parser()
        return self._parser


def inline_html(source: str) -> Markup:
    """The HTML of one text, for tools and tests; a build makes its Markdown with one `Inline`."""
    return Inline().markdown(source).html


def plain_text(source: str) -> str:
    return Inline().markdown(source).plain


def markdown_literal(text: str) -> str:
    """Plain text for a Markdown heading or link text: shown exactly as written.

    ASCII punctuation becomes numeric character references, so Markdown and its
    extensions (attribute lists, emphasis, links, raw HTML) find nothing to act on.
    """
    return "".join(_MD_ESCAPES.get(c, c) for c in folded(text))


def markdown_inert(html: str) -> str:
    """HTML made by our templates, to stand in Markdown that an engine renders as it is
    (the export): in its text, every character Markdown or an extension reads as syntax
    becomes a character reference, so a reference's `[x](javascript:...)`, shown as text
    on our site, stays text there too. Tags and character references are left as they are."""
    return _INERT.sub(lambda m: m[0] if len(m[0]) > 1 else f"&#{ord(m[0])};", html)


def attribute(text: str) -> str:
    """Plain text as HTML-escaped text for templates that print it unescaped, such as
    MkDocs' and Material's (page titles, nav labels, meta descriptions)."""
    return html.escape(folded(text), quote=True)


def css_escape(text: str) -> str:
    """Plain text for a CSS string, written between double quotes by a template.

    Only letters, digits and spaces stay as they are; everything else is a CSS hex
    escape. So the result holds nothing that HTML escaping or a `</style>` could
    change, and reads the same whether the template engine escapes it or not.
    """
    return "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} " for c in str(text))


def css_counter(text: str) -> str:
    """'Page {page} of {pages}' as the value of a CSS `content`: the words as CSS strings, the
    placeholders as the page counters, as the printed footer shows them."""
    parts = []
    for n, piece in enumerate(re.split(r"\{(page|pages)\}", text)):
        if n % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(f'"{css_escape(piece)}"')
    return " ".join(parts)


def yaml_string(text: str) -> str:
    """A YAML double-quoted string holding exactly `text`, in printable ASCII."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif " " <= c <= "~":
            out.append(c)
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def folded(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space, as Markdown shows them; a
    no-break space is kept, since a writer types it to keep two words together."""
    if "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text:
        return text.strip(" ")  # most bank text: no run to fold, and a regex pass is 20 times slower
    return _SPACES.sub(" ", text).strip(" ")


def _simple_emphasis(text: str) -> Markup | None:
    """The HTML markdown-it makes of text whose only markup is *emphasis* around plain
    words (as in most references), without loading it: a small build then needs no parser.
    None when the text holds anything else, or a `*` beside a character beyond ASCII,
    whose Unicode class decides what CommonMark makes of it. tests/test_text.py checks
    the two agree."""
    if _NOT_EMPHASIS.search(text) or _EMPHASIS.sub("", text).count("*") or _STAR_BESIDE_UNICODE.search(text):
        return None
    out, at = [], 0
    for match in _EMPHASIS.finditer(text):
        out += [_escape_like_markdown_it(text[at : match.start()]), f"<em>{_escape_like_markdown_it(match[1])}</em>"]
        at = match.end()
    out.append(_escape_like_markdown_it(text[at:]))
    return Markup("".join(out))


def _escape_like_markdown_it(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _parser() -> MarkdownIt:
    # Imported on first use: most bank text is plain and never needs the parser.
    from markdown_it import MarkdownIt

    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["escape", "backticks", "emphasis", "link", "autolink", "entity", "image"])
    parser.validateLink = _allowed_link
    parser.normalizeLink = lambda url: url  # our check already allows only plain addresses
    parser.add_render_rule("link_open", _render_link_open)
    parser.add_render_rule("image", lambda renderer, tokens, i, options, env: str(escape(_literal_image(tokens[i]))))
    return parser


def _allowed_link(url: str) -> bool:
    return bool(_WEB_LINK.fullmatch(url) or _SITE_LINK.fullmatch(url))


def _render_link_open(renderer, tokens: list[Token], i: int, options, env) -> str:
    token = tokens[i]
    href = str(token.attrGet("href") or "")
    if _SITE_LINK.fullmatch(href):
        href = SITE_LINK + href
    title = token.attrGet("title")
    return f'<a href="{escape(href)}"' + (f' title="{escape(title)}"' if title else "") + ">"


def _literal_image(token: Token) -> str:
    """An image is not allowed: show what was written."""
    title = token.attrGet("title")
    return f"![{token.content}]({token.attrGet('src') or ''}" + (f' "{title}"' if title else "") + ")"


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

# Characters that could start inline Markdown or an entity; text without them is plain.
_MARKUP = re.compile(r"[*_`\[\]<>&\\!]")
# *Emphasis* that CommonMark reads as such whatever surrounds it: opening after a space,
# punctuation or the start, closing before one or the end, no space just inside, no * within.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?![\s*])([^*]*?[^\s*])\*(?![\w*])")
_NOT_EMPHASIS = re.compile(r"[_`\[\]<>&\\!]")
_STAR_BESIDE_UNICODE = re.compile(r"[^\x00-\x7f]\*|\*[^\x00-\x7f]")
_SPACES = re.compile(r"[ \t\r\n]+")
# Web and mail addresses: no spaces, quotes or angle brackets.
_WEB_LINK = re.compile(r"(?:https?://[^\s\"'<>`]+|mailto:[^\s\"'<>`/:]+@[^\s\"'<>`]+)", re.I)
# Another page of the site by its Markdown path from the docs folder, e.g. `people.md#augst`.
_SITE_LINK = re.compile(r"(?!\.)[A-Za-z0-9_.-]+(?:/(?!\.)[A-Za-z0-9_.-]+)*\.md(?:#[A-Za-z0-9_-]+)?")
# Prefix of a site link in rendered HTML, replaced per page by a relative URL.
SITE_LINK = "hb-site:"
# What Markdown or an extension could act on inside a heading or link text.
_MD_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()<>#!&|"}
# In HTML text: a tag or a character reference (kept), or a character of Markdown syntax.
_INERT = re.compile(r"<[^>]*>|&#?\w+;|[\\`*_{}\[\]()#!|~=^:+\-.$@]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
