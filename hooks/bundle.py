"""The browser code as the browser gets it: each page loads one file of it.

The code lives in `theme_overrides/assets/js/`, one module a job (the answer model,
storage, the checklist, the partnerships page, printing, ...), as classic scripts
sharing one namespace. The build joins them, in the order they must run, into the files
below, so a page makes one request and its code is one gzip stream: what the size budget
(12 KB gzipped for the workspace) measures. The modules themselves are not published.

The joined code is minified by rjsmin, which takes out comments and whitespace and
renames nothing: what runs reads as written, without a source map.
"""

from __future__ import annotations

from pathlib import Path

import rjsmin
from mkdocs.structure.files import File

# Delivered file -> its modules, in the order they run.
BUNDLES = {
    "assets/handbook.js": ("answers", "store", "ui", "checklist", "partnerships", "retired", "print"),
    "assets/compare.js": ("compare",),
}
SOURCE = "assets/js"


class BundleError(Exception):
    """A module BUNDLES lists is not in the theme overrides."""


def bundles(custom_dir: Path) -> dict[str, str]:
    """Delivered file -> its code: the modules joined, each under a comment naming it, minified."""
    out = {}
    for target, modules in BUNDLES.items():
        parts = []
        for module in modules:
            path = custom_dir / SOURCE / f"{module}.js"
            try:
                code = path.read_text(encoding="utf-8")
            except OSError as e:
                raise BundleError(f"{path}: {e.strerror}; hooks/bundle.py lists '{module}' for {target}") from None
            parts.append(f"/*! {SOURCE}/{module}.js */\n{code}")
        out[target] = rjsmin.jsmin("\n".join(parts), keep_bang_comments=True)
    return out


def is_source(file: File, custom_dir: Path) -> bool:
    """A module of ours (in the theme overrides), which the bundles replace in the built site."""
    folder = (custom_dir / SOURCE).resolve()
    return bool(file.abs_src_path) and Path(file.abs_src_path).resolve().parent == folder
