"""MkDocs hooks that turn the question bank into the handbook.

The path of the data, start to end:

1. `on_config`  loads and validates `questions.yml` (plus organisation banks)
                into a `bank.Bank`, once per build;
2. `on_files`   adds the generated pages (checklists, overview, people) and the
                `questions.json` / `questions.csv` downloads, from `pages.py`;
3. `on_page_markdown` replaces `<!-- md:... -->` shortcodes on every page,
                generated or written by hand, from `shortcodes.py`;
4. the Jinja templates in `theme_overrides/handbook/` render every piece of markup;
5. `theme_overrides/main.html` adds the print header and footer, the CSS and JS.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import jinja2.bccache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

import bank as bank_module
import exports
import pages
import publish
import shortcodes
from context import Handbook
from css import css_string

# Set by on_config for the build in progress; `mkdocs serve` makes a new one per rebuild.
_handbook: Handbook | None = None

# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_startup(command: str, dirty: bool) -> None:
    publish.startup(command)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _handbook
    root = Path(config.config_file_path).parent
    paths = [root / p for p in config.extra.get("question_banks", ["questions.yml"])]
    try:
        bank = bank_module.load_banks(paths, root)
    except bank_module.BankError as e:
        raise PluginError(str(e)) from None
    _handbook = Handbook(
        bank=bank,
        root=root,
        bank_paths=tuple(paths),
        templates=Path(config.theme.custom_dir or root / "theme_overrides") / "handbook",
        version=str(config.extra.get("version") or ""),
        built=_build_date(),
        credit=config.extra.get("source_credit", ""),
    )
    pages.add_stages_to_nav(config, bank)
    publish.stage(config)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    handbook = _current()
    for src_uri, content in {**pages.generate(handbook), **exports.generate(handbook)}.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"{config.docs_dir}/{src_uri}: this page is generated from the question bank; delete or rename the file"
            )
        files.append(File.generated(config, src_uri, content=content))
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    try:
        return shortcodes.render(markdown, page=page, files=files, handbook=_current())
    except shortcodes.ShortcodeError as e:
        raise PluginError(str(e)) from None


def on_env(env, *, config: MkDocsConfig, files: Files):
    # Theme templates (main.html) read the print header and footer from here.
    env.globals["handbook"] = _current()
    env.filters["css_string"] = css_string
    # `mkdocs serve` makes a new theme environment per rebuild; keep the compiled templates.
    env.bytecode_cache = _theme_bytecode
    return env


def on_post_build(*, config: MkDocsConfig) -> None:
    publish.finish(config)


def on_build_error(*, error: Exception) -> None:
    publish.abandon()


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
    handbook = _current()
    for path in (*handbook.bank_paths, handbook.templates.parent, bank_module.SCHEMA_PATH):
        server.watch(str(path))
    _poll_often(server)
    return server


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _current() -> Handbook:
    if _handbook is None:
        raise PluginError("hooks/handbook.py: on_config has not run; list the hook under 'hooks:' in mkdocs.yml")
    return _handbook


def _poll_often(server: LiveReloadServer) -> None:
    """Check watched files every 0.1 s instead of MkDocs's 0.5 s, so an edit shows sooner.

    MkDocs offers no setting for it; the interval lives on watchdog's polling observer
    and its emitters. If a later version moves it, serve simply keeps the default.
    """
    observer = getattr(server, "observer", None)
    for watcher in (observer, *getattr(observer, "emitters", ())):
        if hasattr(watcher, "_timeout"):
            watcher._timeout = SERVE_POLL_SECONDS


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process (keyed by source checksum)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def _build_date() -> str:
    """The build date, or SOURCE_DATE_EPOCH's for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.strftime("%-d %B %Y")


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

SERVE_POLL_SECONDS = 0.1
_theme_bytecode = _MemoryBytecodeCache()
