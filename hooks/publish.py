"""Never leave a half-written or missing site.

`mkdocs build` (and each rebuild of `mkdocs serve`) writes into a staging folder beside
`site_dir`, which takes the place of the old site only once the whole build, every language
included, has succeeded (with --strict, only if nothing was logged as a warning). The swap is
`swap.py`'s: atomic on Linux, repaired by the next build elsewhere. One build at a time may
publish to a folder: a second waits, saying which process it waits for.

Under `mkdocs serve` a failed rebuild leaves the last good site in place, and its pages say,
at the top, what failed and where; the next good build takes that away. (MkDocs does not
reload the browser after a failed rebuild: reload the page to see the message.)

A hook file of its own (listed in mkdocs.yml), keeping its state on one object, `Publisher`.
`gh-deploy` manages its own folder and is left alone.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import swap

log = logging.getLogger("mkdocs.hooks.publish")

# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_startup(*, command: str, dirty: bool) -> None:
    _publisher.start(command)


@event_priority(100)  # first: every other hook builds into the staging folder
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _publisher.stage(config)
    return config


@event_priority(-100)  # last: after every language has been built into the staging folder
def on_post_build(*, config: MkDocsConfig) -> None:
    _publisher.finish(config)


def on_build_error(*, error: Exception) -> None:
    _publisher.abandon(error)


def on_shutdown() -> None:
    _publisher.stop()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class Publisher:
    """One build's swap: where the site goes, where it is staged, and the warnings logged."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.target: Path | None = None
        self.staging: Path | None = None
        self.lock: swap.Lock | None = None
        self.warnings = _WarningCounter()

    def start(self, command: str) -> None:
        """Count warnings from the start, as --strict does: another hook's on_config may log one."""
        self.command = command
        if command in ("build", "serve"):
            for name in _ENGINE_LOGGERS:
                logging.getLogger(name).addHandler(self.warnings)

    def stage(self, config: MkDocsConfig) -> None:
        """Point the build at the staging folder, after tidying what a killed build left."""
        if self.command not in ("build", "serve"):
            return
        if self.command == "serve":
            self.warnings.reset()  # each rebuild counts its own
        # A site_dir that is a link (to a web server's folder) is published where it points.
        self.target = Path(config.site_dir).resolve()
        if not os.access(self.target.parent, os.W_OK):
            raise PluginError(
                f"{self.target}: the new site is built beside it and swapped in, but its folder "
                f"{self.target.parent} is not writable; build to a folder you can write to, then copy it there"
            )
        if self.lock is None and self.command == "build":  # serve's folder is its own
            self.lock = swap.Lock(self.target, log.info)
            try:
                self.lock.acquire(f"mkdocs {self.command}")
            except TimeoutError as e:
                self.lock = None
                raise PluginError(f"{self.target}: {e}; stop it, or build to another folder with -d") from None
        self.staging = swap.beside(self.target, "partial")
        swap.recover(self.target)
        config.site_dir = str(self.staging)

    def finish(self, config: MkDocsConfig) -> None:
        """Swap the finished build in, unless --strict is about to fail it."""
        if self.staging is None or self.target is None:
            return
        if config.strict and self.warnings.count:
            self.abandon(None)
            return
        try:
            old = swap.swap(self.staging, self.target)
        except OSError as e:
            raise PluginError(
                f"{self.target}: the new site cannot take its place ({e.strerror}); "
                + _SWAP_FIXES.get(e.errno, "check the folder's permissions")
                + f"; {self.target} is as it was"
            ) from None
        config.site_dir = str(self.target)
        self.staging = None
        # The new site is in place: clearing the old one is tidying, which the next build redoes.
        if old is not None:
            swap.remove(old)
        self._done()

    def abandon(self, error: Exception | None) -> None:
        if self.staging is not None:
            swap.remove(self.staging)
            self.staging = None
        if self.command == "serve" and self.target is not None and error is not None:
            _say_on_pages(self.target, "\n".join([*self.warnings.messages, str(error)]))
        self._done()

    def stop(self) -> None:
        for name in _ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(self.warnings)
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _done(self) -> None:
        """A build ends: serve keeps its lock and counter for the next rebuild."""
        if self.command == "build":
            self.stop()


def _say_on_pages(site: Path, what: str) -> None:
    """The last good site, under serve, with what failed at the top of every page."""
    message = html.escape(what.strip() or "the build failed")
    banner = (
        '<div class="hb-build-error" role="alert" style="background:#fde7e7;color:#5c0000;'
        'padding:1em;font:1rem/1.4 monospace;white-space:pre-wrap;border-bottom:3px solid #b00020">'
        f"The last change did not build, so this is the site as it last built:\n{message}</div>"
    )
    for page in site.rglob("*.html"):
        try:
            text = page.read_text(encoding="utf-8")
            text = _BANNER.sub("", text)
            text = _BODY.sub(lambda m: m[0] + banner, text, count=1)
            page.write_text(text, encoding="utf-8")
        except OSError:
            continue


class _WarningCounter(logging.Handler):
    """The warnings a build logs (under serve, the first few are shown on the pages)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.messages: list[str] = []

    def reset(self) -> None:
        self.count = 0
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.messages) < 20:
            self.messages.append(record.getMessage())


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

# What to do when the swap is refused, by the system's reason.
_SWAP_FIXES = {
    errno.EBUSY: "it is a mount point or in use; set site_dir to a folder inside it",
    errno.EXDEV: "it is on another disk than its parent folder; set site_dir to a folder inside it",
    errno.EACCES: "its parent folder is not writable; build to a folder you can write to",
    errno.EPERM: "its parent folder is not writable; build to a folder you can write to",
}
# The loggers a build's warnings come from: MkDocs', or ProperDocs' (its fork) under its own name.
_ENGINE_LOGGERS = ("mkdocs", "properdocs")
_BODY = re.compile(r"<body[^>]*>")
_BANNER = re.compile(r'<div class="hb-build-error".*?</div>', re.S)
_publisher = Publisher()
