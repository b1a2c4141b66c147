"""Files kept between builds: parsed bank files and compiled templates.

They live in the user's cache folder (platformdirs: `~/.cache/partnerships-handbook/` on
Linux; `HANDBOOK_CACHE_DIR` names another, `HANDBOOK_CACHE=off` keeps nothing). Each
entry is found by a key made of what it stands for and the version of the code that made
it, and it holds a digest of its key and of its contents. An entry is used only if it is
a regular file of the user's own, not too large, and both digests agree: anything else
(corrupt, truncated, planted, a link, a device, a folder, unreadable) is a miss, never an
error, and never read past its size limit. The build then does the work afresh.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import jinja2

MAGIC = b"handbook-cache-1\n"
_DIGEST = 32


class DiskCache:
    """One kind of entry (`namespace`), made by one version of the code (`version`)."""

    def __init__(self, namespace: str, version: bytes, *, keep: int = 64, max_entry: int = 256 * 2**20) -> None:
        self.version = hashlib.sha256(version).digest()
        self.keep = keep
        self.max_entry = max_entry
        self.folder = _folder(namespace)

    def get(self, key: bytes) -> bytes | None:
        """The entry's contents, or None if there is no sound entry for this key."""
        if self.folder is None:
            return None
        name, key_digest = self._name(key)
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size > self.max_entry + 128:
                return None
            with os.fdopen(fd, "rb", closefd=False) as file:
                raw = file.read(self.max_entry + 128 + 1)
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        head = len(MAGIC) + 2 * _DIGEST
        if len(raw) < head or not raw.startswith(MAGIC):
            return None
        stored_key, stored_digest = raw[len(MAGIC) : len(MAGIC) + _DIGEST], raw[len(MAGIC) + _DIGEST : head]
        payload = raw[head:]
        if stored_key != key_digest or hashlib.sha256(payload).digest() != stored_digest:
            return None
        return payload

    def put(self, key: bytes, payload: bytes) -> None:
        """Keep an entry; whole or not at all, for a build reading it at the same moment."""
        if self.folder is None or len(payload) > self.max_entry:
            return
        name, key_digest = self._name(key)
        try:
            fd, partial = tempfile.mkstemp(prefix=".partial-", dir=self.folder)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(MAGIC + key_digest + hashlib.sha256(payload).digest() + payload)
            os.replace(partial, self.folder / name)
        except OSError:
            Path(partial).unlink(missing_ok=True)
            return
        self._prune()

    def _name(self, key: bytes) -> tuple[str, bytes]:
        key_digest = hashlib.sha256(self.version + key).digest()
        return f"{key_digest.hex()[:40]}.bin", key_digest

    def _prune(self) -> None:
        """Each edit to a bank keeps a new entry: only the most recent few stay."""
        try:
            kept = sorted(self.folder.glob("*.bin"), key=lambda p: p.lstat().st_mtime_ns, reverse=True)
            for old in kept[self.keep :]:
                old.unlink(missing_ok=True)
        except OSError:
            pass


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates in a DiskCache: Jinja's own file cache unpickles what it finds,
    so a corrupt entry would stop the build; here only entries whose digests agree reach Jinja."""

    def __init__(self, cache: DiskCache) -> None:
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get(bucket.key.encode())
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # what Jinja cannot read is compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put(bucket.key.encode(), bucket.bytecode_to_string())


def _folder(namespace: str) -> Path | None:
    """The cache's folder, made private to the user; None where there is none to be had."""
    if os.environ.get("HANDBOOK_CACHE", "").lower() in ("off", "0", "no"):
        return None
    base = os.environ.get("HANDBOOK_CACHE_DIR")
    if not base:
        import platformdirs

        base = platformdirs.user_cache_dir("partnerships-handbook", appauthor=False)
    folder = Path(base) / namespace
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    # A folder another user owns or may write to could hold entries planted for us.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return folder
