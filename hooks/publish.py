"""Never leave a half-written site: `mkdocs build` writes into a sibling folder,
which replaces `site_dir` only once the whole build has succeeded (with
`--strict`, only when it logged no warning). A failed build leaves the last
good site where it was.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_command: str | None = None
_target: Path | None = None
_staging: Path | None = None
_warnings = _WarningCounter()


def startup(command: str) -> None:
    global _command
    _command = command


def stage(config: MkDocsConfig) -> None:
    """Point the build at a staging folder (only for `mkdocs build`: serve and gh-deploy manage their own)."""
    global _target, _staging
    if _command != "build":
        return
    _target = Path(config.site_dir)
    _staging = _target.with_name(f".{_target.name}.partial")
    shutil.rmtree(_staging, ignore_errors=True)
    config.site_dir = str(_staging)
    _warnings.count = 0
    logging.getLogger("mkdocs").addHandler(_warnings)


def finish(config: MkDocsConfig) -> None:
    """Swap the finished build in, unless --strict is about to fail it."""
    global _staging
    if _staging is None or _target is None:
        return
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if config.strict and _warnings.count:
        abandon()
        return
    old = _target.with_name(f".{_target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if _target.exists():
        _target.rename(old)
    _staging.rename(_target)
    shutil.rmtree(old, ignore_errors=True)
    config.site_dir = str(_target)
    _staging = None


def abandon() -> None:
    global _staging
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if _staging is not None:
        shutil.rmtree(_staging, ignore_errors=True)
        _staging = None
