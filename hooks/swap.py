"""Putting a finished folder in another's place, whole, one writer at a time.

Publishing the site (`publish.py`) and exporting the project (`export.py`) both build into a
staging folder beside the target and swap it in only once it is complete. On Linux the swap
is one atomic step (renameat2 with RENAME_EXCHANGE), so whenever the process is killed the
target holds the old folder or the new one; where the system cannot exchange two folders, it
is two renames, and `recover` repairs a process killed between them.

`Lock` makes sure only one process publishes to a target at a time: two builds started
together (a terminal and an editor's task) would otherwise share the staging folder and
publish a broken site. The second waits for the first, saying which process it waits for.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path


def beside(target: Path, role: str) -> Path:
    """A folder next to the target, for a role: `.site.partial`, `.site.old`, `.site.lock`."""
    return target.with_name(f".{target.name}.{role}")


def recover(target: Path) -> None:
    """Undo what a killed process left: its staging folder, or an old folder moved aside mid-swap."""
    old = beside(target, "old")
    if not target.exists() and old.exists():
        old.rename(target)
    remove(old)
    remove(beside(target, "partial"))


def swap(staging: Path, target: Path) -> Path | None:
    """Put the staged folder in the target's place, atomically where the system allows;
    returns where the old folder now is, for the caller to remove."""
    if not target.exists() and not target.is_symlink():
        staging.rename(target)
        return None
    if exchange(staging, target):
        return staging  # now the old folder
    old = beside(target, "old")
    remove(old)
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


def remove(path: Path) -> None:
    """A folder, a link or a file, gone; what cannot be removed is left for the next run."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


class Lock:
    """One process at a time publishes to `target`. The lock is the system's (flock) on the folder
    the target is in, so nothing is left behind, and the system releases it whenever the process
    ends, however it ends. Who holds it is written beside the target while it does, so another
    process can say what it waits for."""

    def __init__(self, target: Path, say: Callable[[str], None], timeout: float = 900) -> None:
        self.folder = target.parent
        self.holder = beside(target, "publishing")
        self.say = say
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self, what: str) -> None:
        fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read(self.holder) or "another process"
                if not told:
                    self.say(f"waiting for {holder}, which is publishing to {self.folder}, to finish")
                    told = True
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise TimeoutError(f"{holder} has been publishing for {self.timeout:.0f} s") from None
                time.sleep(0.1)
        self._fd = fd
        with contextlib.suppress(OSError):  # it only names who waits for whom
            self.holder.write_text(f"{what} (process {os.getpid()})\n", encoding="utf-8")

    def release(self) -> None:
        if self._fd is not None:
            self.holder.unlink(missing_ok=True)
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:200]
    except OSError:
        return ""


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
