"""The pages generated from the bank: one checklist per stage, the overview grid,
all stages for printing, and the people page.

Each is a short Markdown page rendered from `theme_overrides/handbook/pages/`; the
question lists, quotes and grid inside them are shortcodes, so hand-written pages
can place the same parts.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from bank import Bank
from context import Handbook

OVERVIEW = "checklists/index.md"
ALL_STAGES = "checklists/all.md"
PEOPLE = "people.md"


def generate(handbook: Handbook) -> dict[str, str]:
    """Source path -> Markdown of every generated page."""
    bank = handbook.bank
    generated = {
        OVERVIEW: handbook.render("pages/overview.md"),
        ALL_STAGES: handbook.render("pages/all-stages.md"),
        PEOPLE: handbook.render("pages/people.md"),
    }
    for stage in bank.stages:
        generated[stage_page(stage.id)] = handbook.render("pages/stage.md", stage=stage)
    return generated


def stage_page(stage_id: str) -> str:
    return f"checklists/{stage_id}.md"


def add_stages_to_nav(config: MkDocsConfig, bank: Bank) -> None:
    """List each stage's checklist right after the overview in the nav.

    The nav in mkdocs.yml names the overview; the stages come from the bank, so
    a fork's added stage appears without editing mkdocs.yml.
    """
    if not config.nav:
        return
    listed = set(_nav_paths(config.nav))
    stages = [{s.title: stage_page(s.id)} for s in bank.stages if stage_page(s.id) not in listed]
    _insert_after(config.nav, OVERVIEW, stages)


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
