"""Loading the question banks a handbook is built from.

`load_banks()` reads each bank file (`yaml_reader`), checks its shape against the
schema (`shape`), merges the files in order (`merge`) and returns the `model.Bank`
that everything else reads. `configured_banks()` checks how mkdocs.yml lists them.
Every mistake is a `BankError` naming the file, the line and the fix.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shape
import yaml_reader
from merge import Merger
from model import Bank, BankError

SCHEMA_PATH = shape.SCHEMA_PATH


def load_banks(paths: Sequence[Path], root: Path) -> Bank:
    """Load and merge bank files in order; raise BankError naming every mistake found."""
    shown = [_shown(path, root) for path in paths]
    for n, name in enumerate(shown):
        if name in shown[:n]:
            raise BankError(f"mkdocs.yml: extra.question_banks lists '{name}' twice; list each bank file once")
    files = tuple((name, yaml_reader.read_bytes(path, name)) for path, name in zip(paths, shown, strict=True))
    return _merged(files, SCHEMA_PATH.stat().st_mtime_ns)


def load_bank(path: Path, root: Path | None = None) -> Bank:
    return load_banks([path], root or path.parent)


def configured_banks(config: Any) -> list[Path]:
    """The bank files mkdocs.yml lists under extra.question_banks, checked: a list of existing files."""
    config_file = Path(config.config_file_path)
    root = config_file.parent
    listed = config.extra.get("question_banks", ["questions.yml"])
    where = _config_line(config_file)
    fix = "list bank files one per line, as in\n  question_banks:\n    - questions.yml\n    - our-questions.yml"
    if not isinstance(listed, list) or not listed:
        raise BankError(f"{where}: extra.question_banks must be a list of one or more bank files; {fix}")
    paths: list[Path] = []
    for n, item in enumerate(listed, 1):
        if not isinstance(item, str) or not item.strip():
            raise BankError(
                f"{where}: item {n} of extra.question_banks is {type(item).__name__ if item is not None else 'empty'}, "
                f"not a file path; {fix}"
            )
        path = root / item
        if path.is_dir():
            raise BankError(
                f"{where}: extra.question_banks lists '{item}', which is a folder; list the .yml file itself"
            )
        if not path.is_file():
            raise BankError(
                f"{where}: extra.question_banks lists '{item}', which does not exist; create it or fix the path "
                "(paths are relative to mkdocs.yml)"
            )
        if path.resolve() in [p.resolve() for p in paths]:
            raise BankError(f"{where}: extra.question_banks lists '{item}' twice; list each bank file once")
        paths.append(path)
    return paths


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _merged(files: tuple[tuple[str, bytes], ...], schema_version: int) -> Bank:
    """The merged bank, kept while the files' bytes and the schema stay the same:
    `mkdocs serve` rebuilds for every saved page, and a large bank need not be read again."""
    merger = Merger()
    for name, raw in files:
        source = yaml_reader.parse(raw, name)
        shape.check(source)
        merger.add(source)
    return merger.bank()


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _config_line(config_file: Path) -> str:
    """'mkdocs.yml:72', the line of `question_banks:` in the config file or a file it inherits."""
    seen = set()
    path: Path | None = config_file
    while path is not None and path not in seen and path.is_file():
        seen.add(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"^\s+question_banks\s*:", text, re.M)
        if found:
            return f"{path.name}:{text.count(chr(10), 0, found.start()) + 1}"
        parent = re.search(r"^INHERIT:\s*['\"]?([^'\"\n]+)", text, re.M)
        path = (path.parent / parent[1].strip()) if parent else None
    return config_file.name
