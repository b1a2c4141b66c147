"""An engine-neutral copy of the handbook: `./run export DIR` (or `python hooks/export.py DIR`).

It runs the real build (MkDocs with the handbook's hooks) and writes what the hooks made
as a plain project that an engine without hooks builds as it is, Zensical included:

    DIR/mkdocs.yml         the config, flat (no INHERIT) and without hooks: the nav with
                           every stage, and `extra.hb`, the strings the theme reads
    DIR/docs/              every page as final Markdown: generated pages written out,
                           shortcodes expanded, HTML parts in place, and in front matter
                           what the theme reads (`hb_print_title`); every other file too:
                           the downloads, assets/bank.js
    DIR/theme_overrides/   the theme overrides, without the templates the hooks render

Links in the HTML parts are written unquoted (`href=../people/#x`): Zensical rewrites
quoted relative links in raw HTML as if they were Markdown links and MkDocs does not,
and neither touches an unquoted one, so the same URL is right in both.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import yaml as mkdocs_yaml

import bundle
import text


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    # MkDocs reports a failed build through its logger, as `mkdocs build` shows it.
    shown = logging.StreamHandler()
    shown.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(shown)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    out = Path(args.dir).resolve()
    config_file = Path(args.config_file).resolve()
    staging: Path | None = None
    try:
        with tempfile.TemporaryDirectory() as scratch:
            config = load_config(str(config_file), site_dir=scratch)
            refused = _refusal(out, config, args.force)
            if refused:
                print(f"export: {refused}", file=sys.stderr)
                return 2
            # Written beside the target, then swapped in: a failed export leaves the last one whole.
            staging = _staging(out)
            exporter = Export(staging)
            config.plugins["handbook-export"] = exporter
            build(config)
        _write_config(config_file, config, staging)
        _copy_theme(config, staging)
        _swap(staging, out)
    except (MkDocsException, Abort) as e:
        print(f"export: {e}\nexport: nothing written; {out} is as it was", file=sys.stderr)
        return 1
    except OSError as e:
        print(
            f"export: cannot write {e.filename or out} ({e.strerror}); choose a folder you can write to; "
            f"{out} is as it was",
            file=sys.stderr,
        )
        return 1
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    print(f"export: {exporter.pages} pages and {exporter.files} other files in {out}")
    return 0


class Export(BasePlugin):
    """Captures each page's final Markdown and writes it, with every other docs file."""

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.docs = out / "docs"
        self.markdown: dict[str, str] = {}
        self.pages = 0
        self.files = 0

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Runs after the handbook's hook: shortcodes are expanded, parts are placeholders.
        build = _handbook(config)
        render = build.renderer.for_page(page.file, files)
        # The engine will read the parts as Markdown: their text made inert, so it shows as written.
        filled = build.renderer.parts.fill(markdown, render.site_link, unsearched=None, transform=text.markdown_inert)
        self.markdown[page.file.src_uri] = _UNQUOTE.sub(r"\1=\2", filled)
        return markdown

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav) -> dict[str, Any]:
        # Runs after the handbook's hook, so page.meta holds what the theme reads.
        # Plain str for YAML: the handbook's hook marks generated titles safe (a Markup).
        plain = {key: str(value) if isinstance(value, str) else value for key, value in page.meta.items()}
        meta = yaml.safe_dump(plain, sort_keys=False, allow_unicode=False, width=1_000_000)
        target = self.docs / page.file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\n{meta}---\n\n{self.markdown.pop(page.file.src_uri)}", encoding="utf-8")
        self.pages += 1
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        for file in self._docs_files:
            target = self.docs / file.src_uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content_bytes)
            self.files += 1

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs_dir = Path(config.docs_dir).resolve()
        self._docs_files = [
            f
            for f in files
            if not f.is_documentation_page()
            and (f.generated_by or (f.abs_src_path and Path(f.abs_src_path).resolve().is_relative_to(docs_dir)))
        ]
        return files


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _handbook(config: MkDocsConfig):
    """The handbook hook's build in progress (hooks/handbook.py, as MkDocs loaded it)."""
    for plugin in config.plugins.values():
        current = getattr(getattr(plugin, "_hooks", None), "current", None)
        if current is not None:
            return current()
    raise SystemExit("export: mkdocs.yml does not list hooks/handbook.py under hooks")


def _write_config(config_file: Path, config: MkDocsConfig, out: Path) -> None:
    """mkdocs.yml for the export: the project's settings as written (INHERIT merged, !ENV
    resolved), minus hooks; the nav and extra as the hooks left them."""
    with open(config_file, encoding="utf-8") as f:
        raw = mkdocs_yaml.yaml_load(f)
    raw.pop("hooks", None)
    raw.pop("INHERIT", None)
    raw["docs_dir"] = "docs"
    raw["site_dir"] = "site"
    theme = dict(raw.get("theme") or {})
    theme["custom_dir"] = "theme_overrides"
    theme.setdefault("variant", "classic")  # Zensical's look closest to Material's; MkDocs ignores it
    raw["theme"] = theme
    raw["nav"] = config.nav
    extra = {key: value for key, value in config.extra.items() if key != "question_banks"}
    raw["extra"] = extra
    header = "# Exported by hooks/export.py from the handbook's build: final Markdown, no hooks.\n"
    text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)
    (out / "mkdocs.yml").write_text(header + text, encoding="utf-8")


def _copy_theme(config: MkDocsConfig, out: Path) -> None:
    """The theme overrides, without what only the hooks read (templates, and the browser
    modules that the bundles in docs/ replace): Zensical would publish those files."""
    custom = Path(config.theme.custom_dir).resolve()
    modules = (custom / bundle.SOURCE).resolve()
    hooks_only = shutil.ignore_patterns("handbook", "__pycache__", "*.py", "*.md")

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(hooks_only(folder, names))
        return skipped | {n for n in names if (Path(folder) / n).resolve() == modules}

    shutil.copytree(custom, out / "theme_overrides", ignore=ignore)


def _refusal(out: Path, config: MkDocsConfig, force: bool) -> str | None:
    """Why `out` must not be written, if it must not: it holds the project's own sources
    (--force would replace them), lies where the next build would read it, or is in use."""
    root = Path(config.config_file_path).resolve().parent
    docs, theme = Path(config.docs_dir).resolve(), Path(config.theme.custom_dir).resolve()
    sources = [Path(config.config_file_path).resolve(), docs, theme]
    sources += [(root / hook).resolve() for hook in config["hooks"]]
    sources += [(root / bank).resolve() for bank in config.extra.get("question_banks") or () if isinstance(bank, str)]
    held = next((p for p in sources if p.is_relative_to(out)), None)
    if held is not None:
        return f"{out} holds the project's {held}; choose a folder outside the project's sources"
    read = next((folder for folder in (docs, theme) if out.is_relative_to(folder)), None)
    if read is not None:
        return f"{out} is inside {read}, which the build reads; choose another folder"
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        return f"{out} is not empty; choose an empty folder or pass --force"
    return None


def _staging(out: Path) -> Path:
    """A folder beside `out`, private while written, with a new folder's usual permissions."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def _swap(staging: Path, out: Path) -> None:
    """Put the finished export at `out`; the previous contents go only once it is there."""
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="the folder to write the project into (empty, or created)")
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", help="the handbook's config (mkdocs.yml)")
    parser.add_argument("--force", action="store_true", help="replace the folder's contents")
    return parser.parse_args(argv)


# A relative link in HTML: quoted, it would be rewritten by Zensical; unquoted, by nobody.
_UNQUOTE = re.compile(r'\b(href|src)="((?![a-z][a-z0-9+.-]*:|//)[^"\s<>`=\']+)"')

if __name__ == "__main__":
    sys.exit(main())
