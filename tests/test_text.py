"""The one rule for bank text (hooks/text.py): the safe subset of inline Markdown renders,
everything else shows as typed, and each place text lands gets it escaped for that place."""

from __future__ import annotations

import html
import re

import markdown
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import text


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("Plain words, with commas.", "Plain words, with commas."),
        ("Is this *our* vision?", "Is this <em>our</em> vision?"),
        ("**Strong** and _em_ and snake_case_name", "<strong>Strong</strong> and <em>em</em> and snake_case_name"),
        ("Use `code <b>`", "Use <code>code &lt;b&gt;</code>"),
        ("[Q](https://q.health.org.uk)", '<a href="https://q.health.org.uk">Q</a>'),
        ("[mail](mailto:team@example.org)", '<a href="mailto:team@example.org">mail</a>'),
        ("[People](people.md#libby-keck)", f'<a href="{text.SITE_LINK}people.md#libby-keck">People</a>'),
        ("<https://example.org/x>", '<a href="https://example.org/x">https://example.org/x</a>'),
        # Not in the subset: shown as typed.
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[x](vbscript:msgbox)", "[x](vbscript:msgbox)"),
        ("[x](//tracker.example/p)", "[x](//tracker.example/p)"),
        ("[x](../secret.md)", "[x](../secret.md)"),
        ("[x](data:text/html,hi)", "[x](data:text/html,hi)"),
        ("![alt](https://tracker.example/p.png)", "![alt](https://tracker.example/p.png)"),
        ("*x*{: onclick=alert(1) }", "<em>x</em>{: onclick=alert(1) }"),
        ("line  \nbreak", "line break"),
    ],
)
def test_inline_markdown_safe_subset(source, rendered):
    assert text.inline_html(source) == rendered


def test_entities_cannot_smuggle_a_scheme():
    assert "href" not in text.inline_html("[x](&#106;avascript:alert(1))")
    assert "href" not in text.inline_html("[x](java&#x09;script:alert(1))")


def test_plain_text_is_what_a_reader_sees():
    assert text.plain_text("Is *our* [vision](https://x.org) `clear`?") == "Is our vision clear?"
    assert text.plain_text("a <b> & c") == "a <b> & c"


@pytest.mark.parametrize(
    "title", ["A & B", "<script>alert(1)</script>", "*not emphasis* {: #id onclick=x }", "[x](y.md) ## ![i](j)"]
)
def test_markdown_literal_is_shown_exactly_in_a_heading(title):
    md = markdown.Markdown(extensions=["attr_list", "md_in_html", "toc", "footnotes", "abbr", "def_list"])
    out = md.convert(f"## {text.markdown_literal(title)} {{ #fixed }}")
    assert re.fullmatch(r'<h2 id="fixed">[^<]*</h2>', out), out
    assert html.unescape(out[len('<h2 id="fixed">') : -len("</h2>")]) == title


def test_css_escape_holds_nothing_html_or_css_could_act_on():
    escaped = text.css_escape('Q & A "quoted" </style><script>')
    assert re.fullmatch(r"[A-Za-z0-9 \\]*", escaped)
    assert escaped.startswith("Q \\26  A \\22 quoted\\22  ")


def test_yaml_string_round_trips_any_text():
    for value in ['say "hi"', "back\\slash", "\u0085\u2028\x19", "\U0001f600 emoji", "<&>"]:
        assert yaml.safe_load("t: " + text.yaml_string(value))["t"] == value


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_start_a_formula_get_an_apostrophe(cell):
    assert text.csv_cell(cell) == "'" + cell
    assert text.csv_cell("plain") == "plain" and text.csv_cell(3) == 3


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
# ASCII and beyond: Unicode punctuation, symbols and spaces decide what CommonMark makes of a `*`.
@given(st.text(alphabet="ab *.,;:()\"'-?é€«»—“”字\u0301\u00a0\u2003\u3000\t\n", max_size=24))
@example("e\u0301*«b»*")  # a combining accent is not a word character to Python, but is a letter to CommonMark
def test_the_emphasis_shortcut_renders_exactly_as_markdown_it(source):
    """Text whose only markup is *emphasis* skips the parser; where it does, the HTML and the
    plain text are markdown-it's own."""
    source = text.folded(source)
    fast = text._simple_emphasis(source)
    if fast is None:
        return
    assert str(fast) == text._parser().renderInline(source)
    words = "".join(t.content for t in text._parser().parseInline(source)[0].children if t.type == "text")
    assert text.plain_text(source) == words


def test_the_emphasis_shortcut_is_taken_for_our_references():
    from bank import load_bank
    from conftest import ROOT

    emphasised = [r.text for r in load_bank(ROOT / "questions.yml", ROOT).references if "*" in r.text]
    assert emphasised and all(text._simple_emphasis(text.folded(t)) is not None for t in emphasised)


def test_a_no_break_space_is_kept_where_line_breaks_and_tabs_fold():
    """A writer types a no-break space to keep two words together (`5\u00a0years`); spaces,
    tabs and line breaks fold to one space, as Markdown shows them."""
    written = "  Review  after\u00a05\u00a0years,\n\tthen *again*  "
    assert str(text.inline_html(written)) == "Review after\u00a05\u00a0years, then <em>again</em>"
    assert text.plain_text(written) == "Review after\u00a05\u00a0years, then again"
    assert text.attribute(written) == "Review after\u00a05\u00a0years, then *again*"
