"""MkDocs hooks that turn the question bank into the handbook, in each of its languages.

The path of the data, from `questions.yml` to a printed page:

1. `on_config`   loads the bank files mkdocs.yml lists (`bank.py`: read, check, merge)
                 into one `model.Bank`, in this build's language (`translations.py`), with
                 its strings table (`strings.py`), and gives the theme what it prints;
2. `on_files`    adds the generated pages (`pages.py`, rendered from the templates in
                 `theme_overrides/handbook/pages/`), the downloads and the bank for the
                 browser (`exports.py`) and the browser code (`bundle.py`);
3. `on_page_markdown` expands `<!-- md:... -->` shortcodes on the guidance pages
                 (`shortcodes.py`); generated pages have none;
4. `on_page_content` puts in the HTML parts (`render.py`: question lists, grid, quotes)
                 after Markdown, and `on_post_page` those search must not index;
5. `theme_overrides/main.html` adds the print header and footer, the language switch and
   the browser code, reading only `config.extra.hb` and `page.meta`, so any engine can
   render it;
6. the first language's build runs each other language's (`languages.py`): beside it from
   `on_config`, or after its pages when exporting or on one core (`language_builds.py`); it
   waits for them in `on_post_build`.

State lives on one object, `Handbook`, kept for the life of the process: what outlives a
build (the bank loader and its caches, the template environments), and the builds in
progress (a language's build runs inside the first's). Two more hook files: `publish.py`
swaps the finished site into place; `serve.py` makes `mkdocs serve` show an edit sooner.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

import bank as banks
import bundle
import export
import exports
import languages as langs
import pages
import search
import shape
import shortcodes
import statuses
import strings
import text
import translations
from language_builds import LanguageBuilds
from model import KINDS, Bank, Kind
from problems import HandbookError, Origin, PageError, Problem
from render import Renderer, environment, template_cache

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.hooks.handbook")

# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_startup(*, command: str, dirty: bool) -> None:
    _handbook.command = command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    build = _handbook.begin(config)
    try:
        build.load()
    except HandbookError as e:
        raise PluginError(str(e)) from None
    for problem in build.problems:
        # A strict build stops on these, after reporting them all. Under serve they are notes, so
        # an edit shows at once: the last translation (or the first language's text) stands in.
        log.log(logging.INFO if _handbook.command == "serve" else logging.WARNING, f"translation: {problem}")
    pages.add_stages_to_nav(config, build.bank)
    config.extra["hb"] = build.theme_strings()
    # Material shows its language switch when there is somewhere to switch to (our
    # partials/alternate.html makes it a link to this very page in the other language).
    config.extra["alternate"] = config.extra["hb"]["alternate"] or None
    _handbook.watch(build)
    # The config is whole (publish.py's runs first): the other languages' builds can start.
    build.start_others()
    return config


def on_pre_build(*, config: MkDocsConfig) -> None:
    # A language built in a forked copy waits here, before MkDocs empties its site folder (inside
    # the first language's), until the first language's build has emptied that.
    _handbook.builds[0].others.wait_to_write()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    build = _handbook.current(config)
    # MkDocs has emptied the site folder: the other languages can be built into it from now on.
    build.others.go()
    try:
        build.check_pages()
        generated = pages.generated(build.bank)
        made = {**exports.generate(build.export_data()), **bundle.bundles(build.custom_dir)}
    except HandbookError as e:
        raise PluginError(str(e)) from None
    for src_uri in [*generated, *made]:
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"{config.docs_dir}/{src_uri}: this file is generated by the build; delete or rename it")
    for file in [f for f in files if build.is_not_published(f)]:
        files.remove(file)
    for src_uri, content in made.items():
        files.append(File.generated(config, src_uri, content=content))
    # The generated pages link to each other, so all are files before any is rendered.
    page_files = {src_uri: File.generated(config, src_uri, content="") for src_uri in generated}
    for file in page_files.values():
        files.append(file)
    for src_uri, (template, context) in generated.items():
        try:
            markdown = build.renderer.for_page(page_files[src_uri], files).markdown(template, **context)
        except HandbookError as e:
            raise PluginError(f"theme_overrides/handbook/{template}: {e}") from None
        page_files[src_uri].content_string = markdown
    build.generated = set(page_files)
    build.files = files
    try:
        _check_site_links(build.bank, files)
    except HandbookError as e:
        raise PluginError(str(e)) from None
    return files


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    # Every page has been read and its parts put in: the anchors bank links name exist.
    try:
        _check_site_anchors(_handbook.current(config).bank, files)
    except HandbookError as e:
        raise PluginError(str(e)) from None
    # The theme's templates, compiled once rather than on every build (cache.py).
    env.bytecode_cache = _handbook.theme_cache(env)
    return env


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = _handbook.current(config)
    if page.file.src_uri in build.generated:
        # The front matter gives the title escaped, as the nav shows it; marked safe, so
        # Material's `| e` (the footer links' labels) does not escape it a second time.
        if isinstance(page.meta.get("title"), str):
            page.meta["title"] = Markup(page.meta["title"])
        build.exported(page, markdown, build.renderer.for_page(page.file, files))
        return markdown
    render = build.renderer.for_page(page.file, files)
    try:
        expanded = shortcodes.expand(
            markdown, render=render, where=build.source_path(page.file), source=page.file.content_string
        )
    except HandbookError as e:
        raise PluginError(str(e)) from None
    build.exported(page, expanded, render)
    return expanded


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = _handbook.current(config)
    render = build.renderer.for_page(page.file, files)
    filled = build.renderer.parts.fill(html, render.site_link)
    if filled is not html and page.present_anchor_ids is not None:
        # MkDocs found the page's anchors in its Markdown; the parts add the questions'.
        page.present_anchor_ids.update(_ID.findall(filled))
    return filled


def on_page_context(context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav) -> dict[str, Any]:
    build = _handbook.current(config)
    # The printed page's running header names the page: a CSS string, ready for main.html.
    page.meta["hb_print_title"] = text.css_escape(Markup(page.title or "").striptags())
    # The page in the handbook's other languages: the switch in the header, and hreflang.
    page.meta["hb_alternates"] = build.languages.alternates(page.url, build.language_names)
    page.meta["hb_hreflang"] = build.languages.hreflang(page.url)
    # The browser code it loads: every page's, and its own (bundle.py).
    page.meta["hb_scripts"] = bundle.scripts(
        None if build.instant else page.meta.get("hb_page", ""), page.content or ""
    )
    if build.exporter is not None:
        build.exporter.page_context(page)
    return context


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    # Search has read the page: now the parts it must not index.
    build = _handbook.current(config)
    render = build.renderer.for_page(page.file, build.files)
    return build.renderer.parts.fill(output, render.site_link, unsearched=True)


def on_post_build(*, config: MkDocsConfig) -> None:
    build = _handbook.current(config)
    try:
        if build.exporter is not None:
            codes = [lang.code for lang in build.languages.all]
            build.exporter.post_build(config, build.files, build.languages.current.first, codes)
        if build.languages.current.first:
            build.release()
            try:
                build.others.finish()
            finally:
                # A copy stuck in a serve rebuild: this process's later rebuilds build in turn.
                _handbook.fork_under_serve &= not build.others.gave_up
        else:
            search.add_forms(Path(config.site_dir), build.languages.current.code)
    finally:
        _handbook.end(config)


@event_priority(100)  # first: the other languages' builds end before publishing removes their folder
def on_build_error(*, error: Exception) -> None:
    _handbook.stop_others()
    _handbook.end(None)


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
    _handbook.server = server
    _handbook.watch(None)
    return server


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


@dataclass
class Build:
    """One language's build: what its hooks share, from on_config to on_post_build."""

    handbook: Handbook
    config: MkDocsConfig
    root: Path = Path()
    custom_dir: Path = Path()
    languages: langs.Languages | None = None
    tables: dict[str, strings.Strings] = field(default_factory=dict)
    bank: Bank | None = None
    statuses: tuple[statuses.Status, ...] = ()
    edition: str = ""
    editions: dict[str, str] = field(default_factory=dict)  # the edition as each language words it
    renderer: Renderer | None = None
    bank_paths: tuple[Path, ...] = ()
    read_files: list[Path] = field(default_factory=list)  # what the build read: serve watches them
    problems: list[Problem] = field(default_factory=list)
    generated: set[str] = field(default_factory=set)
    files: Files | None = None
    exporter: export.Exporter | None = None
    others: LanguageBuilds = field(default_factory=lambda: LanguageBuilds({}))  # the first language's only

    @property
    def instant(self) -> bool:
        """Material's instant navigation runs no page's own scripts: then every page has them all."""
        return "navigation.instant" in (self.config.theme.get("features") or [])

    @property
    def strings(self) -> strings.Strings:
        return self.tables[self.languages.current.code]

    @property
    def language_names(self) -> dict[str, str]:
        return {code: table("language.name") for code, table in self.tables.items()}

    def load(self) -> None:
        config = self.config
        self.root = Path(config.config_file_path).parent
        self.custom_dir = Path(config.theme.custom_dir or self.root / "theme_overrides")
        self.languages = langs.configured(config)
        codes = tuple(lang.code for lang in self.languages.all)
        self.tables = self.handbook.tables(codes, self.custom_dir / "locales", self.root)
        self.read_files += [self.custom_dir / "locales" / f"{code}.yml" for code in codes]
        self.bank_paths = tuple(banks.configured_banks(config))
        loader = self.handbook.loader
        first = loader.load(self.bank_paths, self.root, language=self.languages.first.code)
        self.read_files += [*self.bank_paths, shape.BANK_SCHEMA]
        self.statuses = self.handbook.statuses(self.root)
        self.read_files.append(statuses.ANSWERS_SCHEMA)
        current = self.languages.current
        if current.first:
            self.bank = first
            # Under serve the others may be built in forked copies, whose reads serve never hears of:
            # this build watches what they read that it does not (their translations).
            self.read_files += [
                path.with_name(translations.file_for(path.name, lang.code))
                for path in self.bank_paths
                for lang in self.languages.others
            ]
        else:
            self.bank = self._translated(first, current.code)
            where = Origin(f"theme_overrides/locales/{current.code}.yml")
            self.problems += langs.translate_config(config, self.strings.group("config"), where)
        version = str(config.extra.get("version") or "")
        self.editions = {
            code: self.tables[code]("edition.version", version=version)
            if version
            else self.tables[code]("edition.built", date=_build_date(code))
            for code in codes
        }
        self.edition = self.editions[current.code]
        templates = self.custom_dir / "handbook"
        self.read_files.append(templates)
        if config.extra.get(export.EXPORT_TO):
            self.exporter = export.Exporter(Path(config.extra[export.EXPORT_TO]))
        self.renderer = Renderer(
            self.handbook.environment(templates), self.bank, self.edition, self.strings, self.statuses, self.languages
        )

    def start_others(self) -> None:
        """The first language's build starts the others' beside it (language_builds.py), under
        `mkdocs build` and `mkdocs serve`; when exporting, they run in turn after its pages."""
        if not self.languages.current.first:
            return
        from mkdocs.commands.build import build as run_build

        config, hook = self.config, _listed_as(self.config)
        self.others = LanguageBuilds(
            {
                lang.code: (lambda lang=lang: run_build(langs.config_for(config, lang, hook)))
                for lang in self.languages.others
            },
            in_copy=self.handbook.in_copy,
        )
        serving = self.handbook.command == "serve"
        if self.exporter is None and (self.handbook.command == "build" or (serving and self.handbook.fork_under_serve)):
            self.others.start(threaded=serving)

    def _translated(self, first: Bank, code: str) -> Bank:
        files = [(path, _shown(path, self.root)) for path in self.bank_paths]
        self.read_files += [path.with_name(translations.file_for(path.name, code)) for path in self.bank_paths]
        found = translations.read(
            files,
            code,
            self.languages.first.code,
            self.handbook.shape(translations.SCHEMA),
            self.handbook.loader.parsed,
        )
        bank, problems = translations.translate(first, found, text.Inline())
        self.problems += problems
        return bank

    def release(self) -> None:
        """Let go of what this build made and no longer needs (its pages' Markdown and HTML, the
        generated files' contents, the rendered parts) before the next language's build makes its
        own: at 12,000 questions that is 25 MB less at the peak of a two-language build."""
        for file in self.files or ():
            if file.page is not None:
                file.page.markdown = None
                file.page.content = None
            if file.abs_src_path is None and file.generated_by is not None:
                file.content_bytes = b""
        self.files = None
        self.renderer = None

    def exported(self, page: Page, markdown: str, render) -> None:
        """A page's final Markdown, to the export being written (if one is)."""
        if self.exporter is not None:
            parts = self.renderer.parts
            self.exporter.page_markdown(
                page,
                markdown,
                lambda md, transform: parts.fill(md, render.site_link, unsearched=None, transform=transform),
            )

    def check_pages(self) -> None:
        """Every guidance page exists in every language, at the same path."""
        if self.languages.current.first:
            return
        docs = Path(self.config.docs_dir)
        first_docs = docs.parent
        others = [lang.code for lang in self.languages.others]
        missing, extra = langs.missing_pages(first_docs, docs, others)
        code = self.languages.current.code
        problems = []
        for path in missing:
            ours, theirs = _shown(docs / path, self.root), _shown(first_docs / path, self.root)
            problems.append(Problem(Origin(ours), f"is missing: {theirs} has no '{code}' translation", f"write {ours}"))
        for path in extra:
            ours, theirs = _shown(docs / path, self.root), _shown(first_docs / path, self.root)
            problems.append(Problem(Origin(ours), "has no page in the first language", f"delete it, or add {theirs}"))
        if problems:
            raise PageError(problems)

    def is_not_published(self, file: File) -> bool:
        """Files the site must not carry: the browser code's modules (the bundles replace them),
        and in the first language's build the other languages' guidance folders."""
        if bundle.is_source(file, self.custom_dir):
            return True
        if self.languages.current.first:
            top = file.src_uri.split("/", 1)[0]
            return any(top == lang.code for lang in self.languages.others) and bool(file.abs_src_path)
        return False

    def export_data(self) -> exports.Export:
        return exports.Export(
            self.bank,
            self.edition,
            self.strings,
            self.statuses,
            self.languages,
            self.tables,
            self.config.site_name,
            editions=self.editions,
        )

    def theme_strings(self) -> dict[str, Any]:
        """All the theme needs from the build, as plain strings: the printed edition, the print
        header and footer as CSS strings (see text.css_escape), the language switch's texts, and
        the name answers are kept under (the same in every language)."""
        config, t = self.config, self.strings
        credit = str(config.extra.get("source_credit", ""))
        return {
            "edition": self.edition,
            "language": self.languages.current.code,
            "store": self.handbook.store_name(config, self.languages),
            "switch": t("language.switch"),
            "about": t("footer.about"),
            "alternate": [
                {
                    "lang": lang.code,
                    "name": self.language_names[lang.code],
                    "link": langs.root_link(config, self.languages, lang),
                }
                for lang in self.languages.all
                if lang is not self.languages.current
            ],
            "print": {
                "site": text.css_escape(config.site_name),
                "credit": text.css_escape(credit),
                "edition": text.css_escape(self.edition),
                "page": text.css_counter(t("print.page", page="{page}", pages="{pages}")),
            },
        }

    def source_path(self, file: File) -> str:
        if not file.abs_src_path:
            return f"{file.src_uri} (generated)"
        return _shown(Path(file.abs_src_path), self.root)


class Handbook:
    """The hook's state for the life of the process: what outlives a build, and the builds in
    progress, innermost last (another language's build runs inside the first's on_post_build)."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.loader = banks.BankLoader()
        self.builds: list[Build] = []
        self.server: LiveReloadServer | None = None
        self.fork_under_serve = True  # until a copy forked under serve gets stuck
        self._read: set[Path] = set()  # what builds read
        self._watched: set[Path] = set()
        self._environments: dict[Path, jinja2.Environment] = {}
        self._theme_cache: jinja2.BytecodeCache | None = None
        self._shapes: dict[Path, tuple[bytes, shape.Shape]] = {}
        self._statuses: tuple[bytes, tuple[statuses.Status, ...]] | None = None
        self._tables: tuple[tuple, dict[str, strings.Strings]] | None = None

    def begin(self, config: MkDocsConfig) -> Build:
        build = Build(self, config)
        self.builds.append(build)
        return build

    def current(self, config: MkDocsConfig) -> Build:
        for build in reversed(self.builds):
            if build.config is config:
                return build
        raise PluginError("hooks/handbook.py: on_config has not run; list the hook under 'hooks:' in mkdocs.yml")

    def in_copy(self) -> None:
        """This process is now a forked copy that builds one language: it watches nothing (the
        server's watcher belongs to threads the copy does not have)."""
        self.server = None

    def stop_others(self) -> None:
        """A build failed: the other languages' builds that run beside the first end too."""
        for build in self.builds:
            build.others.stop()

    def end(self, config: MkDocsConfig | None) -> None:
        """A build finished (or failed: MkDocs does not say which one, and it is the innermost)."""
        if self.builds and (config is None or self.builds[-1].config is config):
            self.builds.pop()

    def environment(self, folder: Path) -> jinja2.Environment:
        """Our templates' environment: one per process, so serve compiles a template again only
        when its file changes."""
        if folder not in self._environments:
            self._environments[folder] = environment(folder)
        return self._environments[folder]

    def theme_cache(self, env: jinja2.Environment) -> jinja2.BytecodeCache | None:
        if self._theme_cache is None:
            self._theme_cache = template_cache(env, "theme")
        return self._theme_cache

    def shape(self, path: Path) -> shape.Shape:
        """A schema as its file now reads: read again only when its bytes change."""
        raw = path.read_bytes()
        kept = self._shapes.get(path)
        if kept is None or kept[0] != raw:
            kept = self._shapes[path] = (raw, shape.Shape(raw, f"schema/{path.name}"))
        return kept[1]

    def tables(self, codes: tuple[str, ...], folder: Path, root: Path) -> dict[str, strings.Strings]:
        """The strings tables as their files now read: read and checked again only when one's
        bytes change (each language's build needs every table, and serve rebuilds them all)."""
        key = (codes, folder, root, tuple(_bytes(folder / f"{code}.yml") for code in codes))
        if self._tables is None or self._tables[0] != key:
            self._tables = (key, strings.load(codes, folder, root))
        return self._tables[1]

    def statuses(self, root: Path) -> tuple[statuses.Status, ...]:
        raw = statuses.ANSWERS_SCHEMA.read_bytes()
        if self._statuses is None or self._statuses[0] != raw:
            self._statuses = (raw, statuses.read(raw))
        return self._statuses[1]

    def store_name(self, config: MkDocsConfig, languages: langs.Languages) -> str:
        """The name answers are kept under where no address can be (the offline edition): the
        first language's site name, so every language shares one workspace."""
        if languages.current.first:
            return config.site_name
        return self.builds[0].config.site_name if self.builds else config.site_name

    def watch(self, build: Build | None) -> None:
        """Under `mkdocs serve`, every file a build reads is watched, including a bank file or
        a language added to mkdocs.yml while serve runs (MkDocs watches its own files)."""
        if build is not None:
            self._read.update(build.read_files)
        if self.server is None:
            return
        for path in sorted(self._read - self._watched):
            if path.exists():
                self.server.watch(str(path))
                self._watched.add(path)


def _check_site_links(bank: Bank, files: Files) -> None:
    """Bank text may link to a page of the site by its path: that page must exist."""
    problems = [
        Problem(
            entry.origin,
            f"{kind.noun} '{entry.id}' links to '{target}', which is not a page of this site",
            "give the path of a page in the docs folder, such as 'people.md#libby-keck'",
        )
        for kind, entry, target in _site_links(bank)
        if files.get_file_from_path(target.partition("#")[0]) is None
    ]
    if problems:
        raise PageError(problems)


def _check_site_anchors(bank: Bank, files: Files) -> None:
    """...and the part after '#' must be on that page: a heading's or an entry's id."""
    problems = []
    for kind, entry, target in _site_links(bank):
        path, _, anchor = target.partition("#")
        page = files.get_file_from_path(path).page
        known = page.present_anchor_ids if page is not None else None
        if anchor and known is not None and anchor not in known:
            problems.append(
                Problem(
                    entry.origin,
                    f"{kind.noun} '{entry.id}' links to '{target}', but {path} has nothing with the id '{anchor}'",
                    "link to one of its headings or entries (the part after '#' in its address)",
                )
            )
    if problems:
        raise PageError(problems)


def _site_links(bank: Bank) -> Iterator[tuple[Kind, Any, str]]:
    """Each link in bank text to a page of the site: its kind, entry and `page.md#anchor`."""
    for kind in KINDS:
        for entry in bank.entries(kind.section):
            for name in kind.markdown:
                value = getattr(entry, name)
                if value and "](" in value:
                    for target in _SITE_TARGET.findall(str(value.html)):
                        yield kind, entry, target


def _listed_as(config: MkDocsConfig) -> str:
    """This hook file as mkdocs.yml lists it: another language's build lists it the same way, so
    MkDocs gives it this very module (it keeps one per listing), with its state and caches."""
    me = sys.modules[__name__]
    return next((name for name, module in config["hooks"].items() if module is me), __file__)


def _shown(path: Path, root: Path) -> str:
    resolved, top = path.resolve(), root.resolve()
    return resolved.relative_to(top).as_posix() if resolved.is_relative_to(top) else str(path)


def _bytes(path: Path) -> bytes | None:
    """The file's bytes; None if it cannot be read (strings.load then says why)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _build_date(language: str) -> str:
    """The build date in the language's long form, or SOURCE_DATE_EPOCH's for reproducible builds."""
    import babel.dates

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return babel.dates.format_date(when.date(), format="d MMMM y", locale=language)


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

_ID = re.compile(r'\sid="([^"]+)"')
_SITE_TARGET = re.compile(r'href="' + re.escape(text.SITE_LINK) + r'([^"]*)"')
_handbook = Handbook()
