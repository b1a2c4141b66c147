"""The browser code as the browser gets it: each page loads only the bundles it needs.

The code lives in `theme_overrides/assets/js/`, one module a job (the answer model, storage,
the checklist, the partnerships page, printing, ...), as classic scripts sharing one
namespace, `self.handbook`. The build joins them, in the order they must run, into the files
below, so a page makes few requests and each bundle is one gzip stream: `assets/handbook.js`,
on every page, is what the size budget (12 KB gzipped) measures. Code only one page needs is
in that page's bundle; the office formats load only when a user asks for one.

Each module says what it needs in its first line, `// needs: i18n, answers`: those must run
before it, earlier in its bundle or in a bundle every page loads. The build checks this.
The modules themselves are not published. The joined code is minified by rjsmin, which takes
out comments and whitespace and renames nothing: what runs reads as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import rjsmin
from mkdocs.structure.files import File

from problems import Origin, PageError, Problem

SOURCE = "assets/js"
EVERY_PAGE = "*"


@dataclass(frozen=True)
class Bundle:
    modules: tuple[str, ...]
    # The pages (their `hb_page`) that load it: EVERY_PAGE, or none when it loads on demand.
    pages: tuple[str, ...]
    # Markup that needs it on any page: a shortcode puts a checklist or the bar on a guidance page.
    marks: tuple[str, ...] = ()


# Delivered file -> its modules, in the order they run, and the pages that load it.
BUNDLES = {
    "assets/handbook.js": Bundle(("i18n", "answers", "store", "ui", "files", "print", "menu"), (EVERY_PAGE,)),
    # The checklists' answers under each question, the workspace bar and the progress counts.
    "assets/checklists.js": Bundle(
        ("reminders", "checklist"),
        ("stage", "all-stages", "overview"),
        ('class="hb-checklist"', "data-hb-workspace", 'class="hb-grid"'),
    ),
    "assets/workspace.js": Bundle(("record", "reminders", "partnerships", "retired"), ("partnerships", "retired")),
    "assets/compare.js": Bundle(("record", "compare", "agreed"), ("compare",)),
    # The actions register: its list, filters, done ticks, print per owner, CSV and calendar file.
    "assets/actions.js": Bundle(("actions",), ("actions",)),
    # The charts of progress (Your partnerships) and of each partner's statuses (compare).
    "assets/chart.js": Bundle(("chart",), ("partnerships", "compare")),
    # Workbooks and Word documents: loaded only when a user asks for one (files.js's loadOffice).
    "assets/office.js": Bundle(("zip", "workbook", "docx"), ()),
}


def bundles(custom_dir: Path) -> dict[str, str]:
    """Delivered file -> its code: the modules joined, each under a comment naming it, minified."""
    everywhere = [m for bundle in BUNDLES.values() if EVERY_PAGE in bundle.pages for m in bundle.modules]
    out = {}
    problems: list[Problem] = []
    for target, bundle in BUNDLES.items():
        parts = []
        for n, module in enumerate(bundle.modules):
            path = custom_dir / SOURCE / f"{module}.js"
            shown = Origin(f"theme_overrides/{SOURCE}/{module}.js")
            try:
                code = path.read_text(encoding="utf-8")
            except OSError as e:
                what = f"cannot be read ({e.strerror})"
                problems.append(Problem(shown, what, f"restore it: hooks/bundle.py lists it for {target}"))
                continue
            before = set(bundle.modules[:n]) | (set(everywhere) if EVERY_PAGE not in bundle.pages else set())
            fix = "list it earlier in hooks/bundle.py's BUNDLES, or in a bundle every page loads"
            for needed in needs(code):
                if needed not in before:
                    what = f"needs '{needed}', which does not run before it in {target}"
                    problems.append(Problem(shown.at(1), what, fix))
            parts.append(f"/*! {SOURCE}/{module}.js */\n{code}")
        out[target] = rjsmin.jsmin("\n".join(parts), keep_bang_comments=True)
    if problems:
        raise PageError(problems)
    return out


def needs(code: str) -> list[str]:
    """The modules a module's first line says it needs: `// needs: i18n, answers`."""
    first = code.split("\n", 1)[0]
    found = _NEEDS.match(first)
    if not found:
        return []
    return [name.strip() for name in found[1].split(",") if name.strip() and not name.strip().startswith("(")]


def scripts(page: str | None, content: str = "") -> list[str]:
    """The bundles a page loads, in order: every page's, then its own and those its content
    (its HTML) marks it as needing; with page None, every bundle a page loads (Material's instant
    navigation runs no page's scripts on arrival)."""
    return [
        target
        for target, bundle in BUNDLES.items()
        if EVERY_PAGE in bundle.pages
        or (page is None and bool(bundle.pages))
        or (page is not None and (page in bundle.pages or any(mark in content for mark in bundle.marks)))
    ]


def is_source(file: File, custom_dir: Path) -> bool:
    """A module of ours (in the theme overrides), which the bundles replace in the built site."""
    # Only a file listed under the folder's own path can be one: the others skip resolving paths.
    if file.src_uri.rpartition("/")[0] != SOURCE or not file.abs_src_path:
        return False
    return Path(file.abs_src_path).resolve().parent == (custom_dir / SOURCE).resolve()


_NEEDS = re.compile(r"^// needs: (.*)$")
