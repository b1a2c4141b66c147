"""An engine-neutral copy of the handbook: `./run export DIR` (or `python hooks/export.py DIR`).

It runs the real build (MkDocs with the handbook's hooks, every language) and writes what the
hooks made as plain projects that an engine without hooks builds as they are, Zensical
included, one per language:

    DIR/mkdocs.yml         the first language's config, flat (no INHERIT) and without hooks:
                           the nav with every stage, and `extra.hb`, the strings the theme reads
    DIR/docs/              every page as final Markdown: generated pages written out,
                           shortcodes expanded, HTML parts in place, and in front matter what
                           the theme reads (`hb_print_title`, `hb_alternates`); every other
                           file too: the downloads, assets/bank.js, the browser code
    DIR/theme_overrides/   the theme overrides, without the templates the hooks render
    DIR/cy/...             the same for each other language; its site_dir is ../site/cy, so
                           building the first language, then each other, makes one site

Links in the HTML parts are written unquoted (`href=../people/#x`): Zensical rewrites quoted
relative links in raw HTML as if they were Markdown links and MkDocs does not, and neither
touches an unquoted one, so the same URL is right in both.

DIR must be empty, new, or an earlier export (it holds the marker file `.handbook-export`),
and outside the project: an export never replaces anything else. It is written beside DIR and
swapped in whole (`swap.py`), so a failed export leaves the last one as it was.
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
from typing import TYPE_CHECKING, Any

import yaml

import bundle
import swap
import text

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

# Set in the config of a build that exports: the folder the project is written into.
EXPORT_TO = "hb_export_to"
MARKER = ".handbook-export"


def main(argv: list[str] | None = None) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    args = _arguments(argv)
    # MkDocs reports a failed build through its logger, as `mkdocs build` shows it.
    shown = logging.StreamHandler()
    shown.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(shown)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    out = Path(args.dir).absolute()
    config_file = Path(args.config_file).resolve()
    staging = swap.beside(out, "partial")
    lock = swap.Lock(out, lambda message: print(f"export: {message}", file=sys.stderr))
    try:
        refused = _refusal(out, config_file.parent, args.force)
        if refused:
            print(f"export: {refused}", file=sys.stderr)
            return 2
        out.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire("an export")
        swap.recover(out)  # what a killed export left beside the folder
        _fresh(staging)
        with tempfile.TemporaryDirectory() as scratch:
            config = load_config(str(config_file), site_dir=scratch)
            config.extra[EXPORT_TO] = str(staging)
            build(config)
        (staging / MARKER).write_text("Written by hooks/export.py: ./run export replaces this folder.\n")
        old = swap.swap(staging, out)
        if old is not None:
            swap.remove(old)
    except (MkDocsException, Abort) as e:
        print(f"export: {e}\nexport: nothing written; {out} is as it was", file=sys.stderr)
        return 1
    except TimeoutError as e:
        print(f"export: {e}; wait for it, or export to another folder", file=sys.stderr)
        return 1
    except OSError as e:
        where = e.filename or out
        print(
            f"export: cannot write {where} ({e.strerror}); choose a folder you can write to; {out} is as it was",
            file=sys.stderr,
        )
        return 1
    finally:
        swap.remove(staging)
        lock.release()
    pages = sum(1 for _ in out.rglob("*.md"))
    print(f"export: {pages} pages in {out}")
    return 0


class Exporter:
    """One language's build, written as a project: its pages' final Markdown, its other files,
    its config and the theme. Made by the handbook's hook when the config asks for an export."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.docs = out / "docs"
        self._markdown: dict[str, str] = {}

    def page_markdown(self, page: Page, markdown: str, fill) -> None:
        """After the hooks: shortcodes expanded, parts still placeholders, which go in made inert
        (the engine reads them as Markdown: their text shows as written)."""
        filled = fill(markdown, transform=text.markdown_inert)
        self._markdown[page.file.src_uri] = _UNQUOTE.sub(r"\1=\2", filled)

    def page_context(self, page: Page) -> None:
        # page.meta holds what the theme reads. Plain str for YAML: generated titles are Markup.
        plain = {key: _plain(value) for key, value in page.meta.items()}
        meta = yaml.safe_dump(plain, sort_keys=False, allow_unicode=False, width=1_000_000)
        target = self.docs / page.file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\n{meta}---\n\n{self._markdown.pop(page.file.src_uri)}", encoding="utf-8")

    def post_build(self, config: MkDocsConfig, files: Files, first: bool, languages: list[str]) -> None:
        docs_dir = Path(config.docs_dir).resolve()
        for file in files:
            if file.is_documentation_page():
                continue
            if file.generated_by or (file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(docs_dir)):
                target = self.docs / file.src_uri
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.content_bytes)
        self._write_config(config, first, languages)
        self._copy_theme(config)

    def _write_config(self, config: MkDocsConfig, first: bool, languages: list[str]) -> None:
        """mkdocs.yml for the export: the settings as the build used them (INHERIT merged, !ENV
        resolved, translated), minus hooks; the nav and extra as the hooks left them."""
        from mkdocs.utils import yaml as mkdocs_yaml

        with open(config.config_file_path, encoding="utf-8") as f:
            raw = mkdocs_yaml.yaml_load(f)
        raw.pop("hooks", None)
        raw.pop("INHERIT", None)
        for key in ("site_name", "site_description", "copyright", "site_url"):
            if config.get(key) is not None:
                raw[key] = str(config[key])
        raw["docs_dir"] = "docs"
        raw["site_dir"] = "site" if first else f"../site/{config.extra['hb']['language']}"
        theme = dict(raw.get("theme") or {})
        theme["custom_dir"] = "theme_overrides"
        theme["language"] = config.theme["language"]
        theme["palette"] = config.theme.get("palette")
        theme.setdefault("variant", "classic")  # Zensical's look closest to Material's; MkDocs ignores it
        raw["theme"] = theme
        raw["nav"] = config.nav
        raw["extra"] = {key: _plain(value) for key, value in config.extra.items() if key not in _BUILD_ONLY}
        if isinstance(raw.get("markdown_extensions"), list):
            raw["markdown_extensions"] = [
                {name: config.mdx_configs[name]} if name in config.mdx_configs else name
                for name in (
                    next(iter(item)) if isinstance(item, dict) else item for item in raw["markdown_extensions"]
                )
            ]
        order = " then ".join(f"{code}/mkdocs.yml" if n else "mkdocs.yml" for n, code in enumerate(languages))
        header = (
            "# Exported by hooks/export.py from the handbook's build: final Markdown, no hooks.\n"
            f"# One project per language; build {order} to make the whole site.\n"
        )
        body = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)
        (self.out / "mkdocs.yml").write_text(header + body, encoding="utf-8")

    def _copy_theme(self, config: MkDocsConfig) -> None:
        """The theme overrides, without what only the hooks read (templates, strings tables and
        the browser modules that the bundles in docs/ replace): Zensical would publish those."""
        custom = Path(config.theme.custom_dir).resolve()
        modules = (custom / bundle.SOURCE).resolve()
        hooks_only = shutil.ignore_patterns("handbook", "locales", "__pycache__", "*.py", "*.md")

        def ignore(folder: str, names: list[str]) -> set[str]:
            skipped = set(hooks_only(folder, names))
            return skipped | {n for n in names if (Path(folder) / n).resolve() == modules}

        shutil.copytree(custom, self.out / "theme_overrides", ignore=ignore)


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _refusal(out: Path, project: Path, force: bool) -> str | None:
    """Why `out` must not be written, if it must not: it is in the project (whose files --force
    would replace, or whose next build would read it), or it holds something else."""
    resolved = out.resolve()
    if resolved.is_relative_to(project) or project.is_relative_to(resolved):
        return f"{out} is inside the project ({project}) or holds it; choose a folder outside it"
    if resolved.exists() and not resolved.is_dir():
        return f"{out} is a file; choose a folder"
    if resolved.is_dir() and any(resolved.iterdir()):
        if not (resolved / MARKER).is_file():
            return f"{out} is not empty and is not an earlier export; choose an empty folder"
        if not force:
            return f"{out} holds an earlier export; pass --force to replace it"
    return None


def _fresh(folder: Path) -> None:
    """A new staging folder, with a new folder's usual permissions."""
    swap.remove(folder)
    folder.mkdir()
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="the folder to write the project into (empty, new, or an earlier export)")
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", help="the handbook's config (mkdocs.yml)")
    parser.add_argument("--force", action="store_true", help="replace an earlier export in the folder")
    return parser.parse_args(argv)


# What only the build needs: the bank files' list, and the export's own setting.
_BUILD_ONLY = {"question_banks", EXPORT_TO, "hb_language"}
# A relative link in HTML: quoted, it would be rewritten by Zensical; unquoted, by nobody.
_UNQUOTE = re.compile(r'\b(href|src)="((?![a-z][a-z0-9+.-]*:|//)[^"\s<>`=\']+)"')

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
