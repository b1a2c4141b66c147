"""Never leave a half-written or missing site.

`mkdocs build` writes into a staging folder beside `site_dir`, which takes the place
of the old site only once the whole build has succeeded (with --strict, only if
nothing was logged as a warning). On Linux that swap is one atomic step (renameat2
with RENAME_EXCHANGE), so whenever the build is killed, `site_dir` holds the old
site or the new one; the next build clears what was left beside it. Where the
system cannot exchange two folders, the swap is two renames, and a build killed
between them is repaired by the next one, which first puts the old site back.

A hook file of its own (listed in mkdocs.yml), keeping its state on one object.
`mkdocs serve` and `gh-deploy` manage their own folders and are left alone.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_startup(command: str, dirty: bool) -> None:
    _publisher.start(command)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _publisher.stage(config)
    return config


def on_post_build(*, config: MkDocsConfig) -> None:
    _publisher.finish(config)


def on_build_error(*, error: Exception) -> None:
    _publisher.abandon()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


class Publisher:
    """One build's swap: where the site goes, where it is staged, and the warnings logged."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.target: Path | None = None
        self.staging: Path | None = None
        self.warnings = _WarningCounter()

    def start(self, command: str) -> None:
        """Count warnings from the start, as --strict does: another hook's on_config may log one."""
        self.command = command
        if command == "build":
            self.warnings.count = 0
            for name in _ENGINE_LOGGERS:
                logging.getLogger(name).addHandler(self.warnings)

    def stage(self, config: MkDocsConfig) -> None:
        """Point the build at the staging folder, after tidying what a killed build left."""
        if self.command != "build":
            return
        # A site_dir that is a link (to a web server's folder) is published where it points.
        self.target = Path(config.site_dir).resolve()
        if not os.access(self.target.parent, os.W_OK):
            raise PluginError(
                f"{self.target}: the new site is built beside it and swapped in, but its folder "
                f"{self.target.parent} is not writable; build to a folder you can write to, then copy it there"
            )
        self.staging = _beside(self.target, "partial")
        recover(self.target)
        config.site_dir = str(self.staging)

    def finish(self, config: MkDocsConfig) -> None:
        """Swap the finished build in, unless --strict is about to fail it."""
        if self.staging is None or self.target is None:
            return
        self._stop_counting()
        if config.strict and self.warnings.count:
            self.abandon()
            return
        try:
            old = swap(self.staging, self.target)
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
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        self._stop_counting()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _stop_counting(self) -> None:
        for name in _ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(self.warnings)


def recover(target: Path) -> None:
    """Undo what a killed build left: its staging folder, or a site moved aside mid-swap."""
    old = _beside(target, "old")
    if not target.exists() and old.exists():
        old.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(_beside(target, "partial"), ignore_errors=True)


def swap(staging: Path, target: Path) -> Path | None:
    """Put the staged site in the target's place, atomically where the system allows;
    returns where the old site now is, for the caller to remove."""
    if not target.exists():
        staging.rename(target)
        return None
    if exchange(staging, target):
        return staging  # now the old site
    old = _beside(target, "old")
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)
        raise
    return old


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    rename = getattr(_libc(), "renameat2", None)
    if rename is None:
        return False
    if rename(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _beside(target: Path, role: str) -> Path:
    return target.with_name(f".{target.name}.{role}")


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


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
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_publisher = Publisher()
