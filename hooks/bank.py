"""Loading the question banks a handbook is built from.

`BankLoader.load()` reads each bank file (`yaml_reader`), checks its shape against the
schema (`shape`), merges the files in order (`merge`) and returns the `model.Bank` that
everything else reads. `configured_banks()` checks how mkdocs.yml lists them. Every
mistake is a `BankError` naming the file, the line and the fix.

The loader is kept by the hook for as long as the process runs (`mkdocs serve` rebuilds
with the same one), and keeps what makes rebuilds quick: the files parsed before (on disk,
between builds too), the schema as last read, and the last merged bank, each keyed by the
bytes it was made from, so an edit to a bank file or to the schema takes effect at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shape
import yaml_reader
from merge import Merger
from model import Bank
from problems import BankError, Origin, Problem, fail
from text import Inline


class BankLoader:
    def __init__(self) -> None:
        self.parsed = yaml_reader.SourceCache()
        self._shape: tuple[bytes, shape.Shape] | None = None
        self._merged: tuple[tuple, Bank] | None = None

    def load(self, paths: Sequence[Path], root: Path, language: str = "en") -> Bank:
        """Load and merge bank files in order, written in `language`; raise BankError naming
        every mistake found."""
        shown = [_shown(path, root) for path in paths]
        for n, name in enumerate(shown):
            if name in shown[:n]:
                fail(Origin(name), "is listed twice among the bank files", "list each bank file once")
        files = tuple((name, yaml_reader.read_bytes(path, name)) for path, name in zip(paths, shown, strict=True))
        schema = self.shape(root)
        key = (files, id(schema), language)
        if self._merged is None or self._merged[0] != key:
            self._merged = (key, self._merge(files, schema, language))
        return self._merged[1]

    def shape(self, root: Path) -> shape.Shape:
        """The bank schema as the file now reads: read again only when its bytes change."""
        path = shape.BANK_SCHEMA
        try:
            raw = path.read_bytes()
        except OSError as e:
            fail(Origin(_shown(path, root)), f"cannot be read ({e.strerror})", "restore schema/ from the repository")
        if self._shape is None or self._shape[0] != raw:
            self._shape = (raw, shape.Shape(raw, _shown(path, root)))
        return self._shape[1]

    def _merge(self, files: tuple[tuple[str, bytes], ...], schema: shape.Shape, language: str) -> Bank:
        merger = Merger(Inline())
        for name, raw in files:
            source = yaml_reader.parse(raw, name, self.parsed)
            schema.check(source)
            merger.add(source)
        return merger.bank(language)


def load_bank(path: Path, root: Path | None = None) -> Bank:
    """One bank file, merged on its own (for tests and tools)."""
    return BankLoader().load([path], root or path.parent)


def load_banks(paths: Sequence[Path], root: Path) -> Bank:
    return BankLoader().load(paths, root)


def configured_banks(config: Any) -> list[Path]:
    """The bank files mkdocs.yml lists under extra.question_banks, checked: a list of existing files."""
    config_file = Path(config.config_file_path)
    root = config_file.parent
    listed = config.extra.get("question_banks", ["questions.yml"])
    where = config_line(config_file, "question_banks")
    fix = "list bank files one per line, as in\n  question_banks:\n    - questions.yml\n    - our-questions.yml"
    if not isinstance(listed, list) or not listed:
        fail(where, "extra.question_banks must be a list of one or more bank files", fix)
    paths: list[Path] = []
    problems = []
    for n, item in enumerate(listed, 1):
        if not isinstance(item, str) or not item.strip():
            kind = type(item).__name__ if item is not None else "empty"
            problems.append(Problem(where, f"item {n} of extra.question_banks is {kind}, not a file path", fix))
            continue
        path = root / item
        if path.is_dir():
            what, fix = f"extra.question_banks lists '{item}', which is a folder", "list the .yml file itself"
            problems.append(Problem(where, what, fix))
        elif not path.is_file():
            what = f"extra.question_banks lists '{item}', which does not exist"
            problems.append(Problem(where, what, "create it or fix the path (paths are relative to mkdocs.yml)"))
        elif path.resolve() in [p.resolve() for p in paths]:
            problems.append(Problem(where, f"extra.question_banks lists '{item}' twice", "list each bank file once"))
        else:
            paths.append(path)
    if problems:
        raise BankError(problems)
    return paths


def config_line(config_file: Path, key: str) -> Origin:
    """Where `key:` is set under `extra:` in the config file or a file it inherits ('mkdocs.yml:72')."""
    seen = set()
    path: Path | None = config_file
    while path is not None and path not in seen and path.is_file():
        seen.add(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        found = re.search(rf"^\s+{re.escape(key)}\s*:", text, re.M)
        if found:
            return Origin(path.name, text.count("\n", 0, found.start()) + 1)
        parent = re.search(r"^INHERIT:\s*['\"]?([^'\"\n]+)", text, re.M)
        path = (path.parent / parent[1].strip()) if parent else None
    return Origin(config_file.name)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
