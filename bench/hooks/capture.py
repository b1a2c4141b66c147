"""Benchmark hook: save every page as the Markdown the handbook hooks produced.

`bench.py` lists it after `hooks/handbook.py` for one untimed build. It writes into
`extra.bench_capture.docs_dir`:

- each page's final Markdown (after every `on_page_markdown`, front matter restored);
- every other file of the docs, the generated `questions.json` / `questions.csv` included;

and to `extra.bench_capture.config` a config that builds that folder as plain docs: the
project's `mkdocs.yml` (theme, extensions, templates) with the nav the hooks made, and only
`floor.py` as a hook instead of the handbook hooks.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# The nav after hooks/handbook.py added the stages; set by on_config.
_nav: Any = None


def _settings(config: MkDocsConfig) -> dict[str, str]:
    return config.extra["bench_capture"]


def _out(config: MkDocsConfig) -> Path:
    return Path(_settings(config)["docs_dir"])


@event_priority(-100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _nav
    _nav = copy.deepcopy(config.nav)
    shutil.rmtree(_out(config), ignore_errors=True)
    _out(config).mkdir(parents=True)
    return config


@event_priority(-100)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    for file in files:
        if not file.is_documentation_page():
            _write(_out(config) / file.src_uri, file.content_bytes)
    return files


@event_priority(-100)
def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    text = markdown
    if page.meta:
        front = yaml.safe_dump(dict(page.meta), sort_keys=False, allow_unicode=True, width=1_000_000)
        text = f"---\n{front}---\n\n{markdown}"
    _write(_out(config) / page.file.src_uri, text.encode("utf-8"))
    return markdown


@event_priority(-100)
def on_env(env, *, config: MkDocsConfig, files: Files):
    handbook = env.globals["handbook"]
    settings = _settings(config)
    floor = {
        "INHERIT": settings["inherit"],
        "docs_dir": str(_out(config)),
        "hooks": [settings["hook"]],
        "nav": _nav,
        "extra": {"bench_handbook": {"edition": handbook.edition, "credit": handbook.credit}},
    }
    # JSON is YAML: MkDocs reads it as a config file.
    Path(settings["config"]).write_text(json.dumps(floor, indent=2, ensure_ascii=False), encoding="utf-8")
    return env


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
