"""Benchmark hook for the plain-Markdown floor: only what the theme's templates read.

`theme_overrides/main.html` prints a header and footer from the `handbook` template global
and the `css_string` filter, both set by `hooks/handbook.py`. The floor build has no handbook
hooks, so this gives the templates the same values (captured from the hooked build), and the
floor's HTML comes out identical to the hooked build's.
"""

from __future__ import annotations

from types import SimpleNamespace

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files


def on_env(env, *, config: MkDocsConfig, files: Files):
    env.globals["handbook"] = SimpleNamespace(**config.extra["bench_handbook"])
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> str:
    """A copy of `hooks/shortcodes.css_string`: importing it would load the hook modules."""
    escaped = "".join(c if c.isalnum() or c in " .,:;/-_()&'@·|" else f"\\{ord(c):x} " for c in str(text))
    return f'"{escaped}"'
