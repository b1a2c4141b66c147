"""`mkdocs serve`, quicker: an edit to the bank shows in the browser sooner.

A hook file of its own (listed in mkdocs.yml), keeping its state on one object, `Serve`.

- Watched files are polled every 0.05 s instead of 0.5 s, and a burst of saves is awaited
  0.05 s instead of 0.1 s. Public API: `on_serve` returns a server made with MkDocs' own
  `polling_interval` parameter, watching what MkDocs watches (the docs, the config, the theme
  overrides), and `build_delay` is the server's public setting.
- A rebuild that fails leaves the last good site served, with what went wrong at the top of
  its pages (publish.py), and browsers reload to show it. MkDocs would instead hold every
  request until a rebuild succeeds, so the server seemed to hang: the server's builder is
  ours to give (a constructor parameter), and ours says what failed instead of raising.
- The theme's files are listed once, not on every rebuild: Material ships some 14,000 icons,
  and listing and filtering them is a third of a rebuild of our handbook. MkDocs has no
  setting for this, so serve replaces `Files.add_files_from_theme` for the serve process; the
  list is made again when a file in custom_dir is added, removed or changed. That method is
  private to MkDocs' build, so the replacement is checked at start-up against the engine
  versions it was written for (`TESTED`): another version stops serve with what to check.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.hooks.serve")

# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_startup(*, command: str, dirty: bool) -> None:
    if command == "serve":
        _serve.start()


@event_priority(100)  # first: the other hooks watch their files on the server returned here
def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
    return _serve.quicker(server, config)


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class Serve:
    def __init__(self) -> None:
        self.installed = False
        self._key: tuple | None = None
        self._found: list[tuple[str, str]] = []

    def start(self) -> None:
        check_engine()
        if self.installed:
            return
        original = Files.add_files_from_theme

        def add_files_from_theme(files: Files, env: jinja2.Environment, config: MkDocsConfig) -> None:
            key = self._fingerprint(config)
            if key != self._key:
                listed = Files([])
                original(listed, env, config)
                self._found = [(f.src_uri, f.src_dir) for f in listed]
                self._key = key
            for src_uri, src_dir in self._found:
                # As MkDocs does: a docs file of the same path wins over the theme's.
                if files.get_file_from_path(src_uri) is None:
                    files.append(File(src_uri, src_dir, config.site_dir, config.use_directory_urls))

        Files.add_files_from_theme = add_files_from_theme
        self.installed = True

    @staticmethod
    def quicker(server: LiveReloadServer, config: MkDocsConfig) -> LiveReloadServer:
        """The same server, polling sooner: made afresh (it has not started yet), with the
        paths MkDocs watches, and our theme overrides whatever --watch-theme says."""
        from mkdocs.livereload import LiveReloadServer

        host, port = server.server_address[:2]
        rebuild = server.builder

        def builder() -> None:
            try:
                rebuild()
            except Exception as e:  # MkDocs has logged what failed; the last good site stays
                log.error(f"The last change did not build ({e}): the site as it last built is served, with the error")

        quick = LiveReloadServer(
            builder=builder,
            host=host,
            port=port,
            root=server.root,
            mount_path=server.mount_path,
            polling_interval=POLL_SECONDS,
        )
        quick.error_handler = server.error_handler
        quick.build_delay = BURST_SECONDS
        for path in (config.docs_dir, config.config_file_path, config.theme.custom_dir):
            if path:
                quick.watch(path)
        return quick

    @staticmethod
    def _fingerprint(config: MkDocsConfig) -> tuple:
        """The theme's folders, and every file of custom_dir with its change time (the other
        folders are installed packages, which do not change while serve runs)."""
        custom = config.theme.custom_dir
        stamps: list[tuple[str, int]] = []
        if custom:
            for folder, _, names in os.walk(custom):
                for name in names:
                    path = os.path.join(folder, name)
                    try:
                        stamps.append((path, os.stat(path).st_mtime_ns))
                    except OSError:  # gone since the folder was listed: an editor's temporary file
                        continue
        return (tuple(str(Path(d)) for d in config.theme.dirs), tuple(sorted(stamps)))


def check_engine(name: str | None = None, version: str | None = None) -> None:
    """Stop, saying what to check, if the engine is not a version `Serve.start` was written for."""
    if name is None:
        import mkdocs

        name = "properdocs" if mkdocs.__name__ == "properdocs" else "mkdocs"
        version = mkdocs.__version__
    if TESTED.get(name) != version:
        raise PluginError(
            f"hooks/serve.py: replaces Files.add_files_from_theme, written for {name} {TESTED.get(name, '(none)')}, "
            f"but this is {name} {version}; check that its copy still does what {name}'s own does, then set "
            f"TESTED['{name}'] in hooks/serve.py to '{version}' (or remove serve.py from mkdocs.yml's hooks)"
        )


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

# The engines (as requirements.txt pins them) whose private Files.add_files_from_theme the
# replacement above matches.
TESTED = {"mkdocs": "1.6.1", "properdocs": "1.6.7"}
POLL_SECONDS = 0.05
BURST_SECONDS = 0.05
_serve = Serve()
