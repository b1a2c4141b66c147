"""Benchmark hook for the plain-Markdown floor: only what the theme's templates read.

`theme_overrides/main.html` prints a header and footer from the `handbook` template global
and the `css_string` filter, both set by `hooks/handbook.py`. The floor build has no handbook
hooks, so this gives the templates the same values (captured from the hooked build), and the
floor's HTML comes out identical to the hooked build's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

# This file runs from the project copy's _bench/, beside the copy's hooks/. hooks/css.py
# imports nothing, so the floor pays for none of the handbook's imports.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
from css import css_string


def on_env(env, *, config: MkDocsConfig, files: Files):
    env.globals["handbook"] = SimpleNamespace(**config.extra["bench_handbook"])
    env.filters["css_string"] = css_string
    return env
