"""The pages made from the bank: a checklist per stage, the overview grid, all stages
for printing, and the people page.

Each is a template in `theme_overrides/handbook/pages/` that includes the same parts
as the shortcodes; its Markdown has no shortcodes left to expand. `PAGES` is the one
list of them, so a stage id that would take one's place is refused.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from model import Bank
from problems import BankError, Problem

OVERVIEW = "checklists/index.md"
ALL_STAGES = "checklists/all.md"
PEOPLE = "people.md"

# Generated page -> its template. A stage's checklist is `stage_page(id)`. The nav in
# mkdocs.yml lists these pages; the stages are added after the overview.
PAGES = {
    OVERVIEW: "pages/overview.md",
    ALL_STAGES: "pages/all-stages.md",
    "checklists/partnerships.md": "pages/partnerships.md",
    "checklists/actions.md": "pages/actions.md",
    "checklists/compare.md": "pages/compare.md",
    "checklists/retired.md": "pages/retired.md",
    PEOPLE: "pages/people.md",
}
STAGE_TEMPLATE = "pages/stage.md"


def stage_page(stage_id: str) -> str:
    """A stage's checklist page: the one rule for where it is (templates use `page_url`)."""
    return f"checklists/{stage_id}.md"


def principle_page(principle_id: str) -> str:
    """A principle's guidance page, when the site has one: `content/principles/<id>.md`."""
    return f"principles/{principle_id}.md"


def generated(bank: Bank) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every generated page: source path -> (template, its context)."""
    pages: dict[str, tuple[str, dict[str, Any]]] = {path: (template, {}) for path, template in PAGES.items()}
    for stage in bank.stages:
        path = stage_page(stage.id)
        if path in pages:
            what = f"stage id '{stage.id}' would replace the generated page {path}"
            raise BankError(Problem(stage.origin, what, "choose another id for the stage"))
        pages[path] = (STAGE_TEMPLATE, {"stage": stage})
    return pages


def add_stages_to_nav(config: MkDocsConfig, bank: Bank) -> None:
    """List each stage's checklist right after the overview in the nav.

    The nav in mkdocs.yml names the overview; the stages come from the bank, so a
    fork's added stage appears without editing mkdocs.yml. They are listed by path:
    the nav shows each page's title, which the page's front matter gives escaped.
    """
    if not config.nav:
        return
    listed = set(_nav_paths(config.nav))
    _insert_after(config.nav, OVERVIEW, [stage_page(s.id) for s in bank.stages if stage_page(s.id) not in listed])


def _nav_paths(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_paths(value)]
    if isinstance(nav, list):
        return [p for item in nav for p in _nav_paths(item)]
    return []


def _insert_after(nav: list[Any], target: str, items: list[Any]) -> bool:
    for i, item in enumerate(nav):
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if value == target:
            nav[i + 1 : i + 1] = items
            return True
        if isinstance(value, list) and _insert_after(value, target, items):
            return True
    return False
