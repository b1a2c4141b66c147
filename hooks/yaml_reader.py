"""Reading one bank file: YAML to plain data, with the line of every key, safely.

Bank files come from many hands, so this reader accepts only what a bank needs:
mappings, lists and text (plus numbers, true/false and empty values, so that the
shape check can say they are not text). Everything else is refused with
`file:line: problem; fix` before it can cost time or memory: tags, keys that are
not text, merge keys, aliases that refer to themselves or repeat too much (entries
or text), nesting deeper than any bank needs, several documents in one file, files
that are not UTF-8 text or are implausibly large.

It builds the data straight from libyaml's parse events: faster than composing
PyYAML nodes, and every limit is checked before anything is expanded.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from model import BankError

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: the same events, more slowly
    from yaml import SafeLoader as _Parser

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    """A bank file's data, and the line of every mapping key and list item in it."""

    shown: str  # the path as messages show it, relative to the project
    data: Any
    lines: dict[DataPath, int]

    def line(self, path: tuple[str | int, ...]) -> int:
        """The line of `path`, or of the nearest enclosing entry that has one."""
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]


def read(path: Path, shown: str) -> Source:
    return parse(read_bytes(path, shown), shown)


def read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, or a BankError if it is missing, a folder, unreadable or too large."""
    try:
        if path.is_dir():
            raise BankError(
                f"{shown}: is a folder, not a bank file; list the .yml file itself under extra.question_banks"
            )
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BankError(
                f"{shown}:1: the file is {size // 2**20} MB; a bank file may be at most {MAX_BYTES // 2**20} MB, "
                "so split it or check that it is the right file"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise BankError(
            f"{shown}: bank file not found; create it or fix its path under extra.question_banks in mkdocs.yml"
        ) from None
    except OSError as e:
        raise BankError(f"{shown}: cannot be read ({e.strerror}); check the file's permissions") from None


def parse(raw: bytes, shown: str) -> Source:
    cached = parsed.get(raw, shown)
    if cached is not None:
        return cached
    text = _text(raw, shown)
    builder = _Builder(shown)
    try:
        builder.build(text)
    except yaml.MarkedYAMLError as e:
        raise BankError(_syntax_message(e, shown)) from None
    except yaml.reader.ReaderError as e:
        # libyaml counts its position in bytes; the reader stops at the character's first use.
        line = text.count("\n", 0, max(text.find(chr(e.character)), 0)) + 1
        raise BankError(
            f"{shown}:{line}: the character U+{e.character:04X} is not allowed in YAML ({e.reason}); delete it"
        ) from None
    except yaml.YAMLError as e:
        raise BankError(f"{shown}:1: YAML syntax error: {e}; check the file's indentation and quoting") from None
    if builder.root is None:
        raise BankError(f"{shown}:1: the file is empty; a bank needs at least 'stages:', 'principles:' or 'questions:'")
    source = Source(shown, builder.root, builder.lines)
    parsed.put(raw, source)
    return source


class ParseCache:
    """Bank files parsed before, by their exact bytes, kept between builds: reading a large
    bank is most of what a rebuild does beyond the floor of hand-written Markdown, and most
    rebuilds follow an edit to a page, not to the bank.

    Only files that parsed without error are kept, as plain data (marshal, which builds
    values and runs nothing), in Jinja's folder for compiled templates: Jinja makes it in
    the system's temporary folder and refuses one that is not the user's own and private.
    Keyed by the file's bytes and this module's own text, so a change to either reads the
    file afresh. Anything unreadable there counts as not kept; the oldest go once there
    are more than MAX_KEPT."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    def get(self, raw: bytes, shown: str) -> Source | None:
        path = self._path(raw)
        try:
            data, lines = marshal.loads(path.read_bytes()) if path else (None, None)
        except (OSError, ValueError, EOFError, TypeError):
            return None
        return Source(shown, data, lines) if isinstance(lines, dict) and data is not None else None

    def put(self, raw: bytes, source: Source) -> None:
        path = self._path(raw)
        if path is None:
            return
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            partial.write_bytes(marshal.dumps((source.data, source.lines)))
            os.replace(partial, path)  # whole or not at all, for a build reading it at the same time
            self._prune(path.parent)
        except (OSError, ValueError):
            partial.unlink(missing_ok=True)

    @staticmethod
    def _prune(folder: Path) -> None:
        """Each edit to a bank keeps a new file: only the most recent few stay."""
        kept = sorted(folder.glob("__handbook_bank_*.marshal"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[MAX_KEPT:]:
            old.unlink(missing_ok=True)

    def _path(self, raw: bytes) -> Path | None:
        if self._folder is None:
            try:
                self._folder = Path(jinja2.FileSystemBytecodeCache().directory)
            except (OSError, RuntimeError):
                return None  # no safe folder: every build reads the bank
        key = hashlib.sha256(_reader_version() + raw).hexdigest()[:40]
        return self._folder / f"__handbook_bank_{key}.marshal"


@functools.cache
def _reader_version() -> bytes:
    return f"{sys.version_info[:2]}-{yaml.__version__}-".encode() + Path(__file__).read_bytes()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _text(raw: bytes, shown: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BankError(f"{shown}:1: the file is saved as UTF-16; save it as UTF-8")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise BankError(
            f"{shown}:{line}: byte 0x{raw[e.start]:02x} at column {column} is not UTF-8 text; save the file "
            "as UTF-8 (in VS Code: 'Save with Encoding', then 'UTF-8')"
        ) from None


def _syntax_message(e: yaml.MarkedYAMLError, shown: str) -> str:
    # An unclosed quote or bracket is found only at the end of the file: point at where it opened.
    unclosed = (
        e.context_mark is not None
        and e.problem_mark is not None
        and e.problem_mark.line > e.context_mark.line
        and (e.context or "").startswith(("while scanning a quoted", "while parsing a flow"))
    )
    mark = e.context_mark if unclosed else (e.problem_mark or e.context_mark)
    line = mark.line + 1 if mark else 1
    if unclosed:
        return (
            f"{shown}:{line}: YAML syntax error: {e.context}, never closed; "
            "close it with the matching quote mark or bracket"
        )
    problem = e.problem or e.context or "invalid YAML"
    if "maximum nesting depth" in problem:
        return f"{shown}:{line}: YAML syntax error: brackets nested too deeply; a bank needs at most {MAX_DEPTH} levels"
    return (
        f"{shown}:{line}: YAML syntax error: {problem}; check the indentation and quoting on this line "
        "(text containing ': ' or starting with a quote mark needs quotes around it)"
    )


class _Frame:
    """An open mapping or list while its events arrive."""

    __slots__ = ("anchor", "chars", "key", "key_line", "path", "seen", "size", "value")

    def __init__(self, value: dict | list, path: DataPath, anchor: str | None) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.key: str | None = None  # a mapping's key waiting for its value
        self.key_line = 0
        self.seen: dict[str, int] = {}  # a mapping's keys so far, with their lines
        self.size = 1  # nodes inside, aliases counted at their full size
        self.chars = 0  # characters of text inside, counted the same way


class _Builder:
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.root: Any = None
        self.lines: dict[DataPath, int] = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # finished anchors: value, size, characters
        self.repeated = 0  # nodes repeated by aliases so far
        self.repeated_chars = 0  # and characters of text: one long text repeated costs as much as many
        self.documents = 0

    def build(self, text: str) -> None:
        parser = _Parser(text)
        try:
            while True:
                event = parser.get_event()
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    self._scalar(event)
                elif kind is yaml.MappingStartEvent:
                    self._open(event, {})
                elif kind is yaml.SequenceStartEvent:
                    self._open(event, [])
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    self._close()
                elif kind is yaml.AliasEvent:
                    self._alias(event)
                elif kind is yaml.DocumentStartEvent:
                    self.documents += 1
                    if self.documents > 1:
                        self._fail(event, "the file holds a second YAML document (after '---'); keep one bank per file")
                elif kind is yaml.StreamEndEvent:
                    return
        finally:
            parser.dispose()

    # Events ------------------------------------------------------------------

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and type(top.value) is dict and top.key is None:
            self._key(top, event)
            return
        self._check_tag(event)
        value = _plain_value(event.value) if not event.style and event.tag is None else event.value
        chars = len(value) if type(value) is str else 0
        if event.anchor:
            self.anchors[event.anchor] = (value, 1, chars)
        self._place(value, event, 1, chars)

    def _open(self, event: yaml.CollectionStartEvent, value: dict | list) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and type(top.value) is dict and top.key is None:
            self._fail(event, "a key here is a list or mapping; keys must be plain text, as in 'name: value'")
        self._check_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            self._fail(event, f"entries are nested more than {MAX_DEPTH} levels deep; a bank needs far fewer")
        path = self._child_path(top)
        self.lines[path] = top.key_line if top is not None and type(top.value) is dict else event.start_mark.line + 1
        self.stack.append(_Frame(value, path, event.anchor))

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.value, frame.size, frame.chars)
        top = self.stack[-1] if self.stack else None
        if top is None:
            self.root = frame.value
        else:
            self._attach(top, frame.value, frame.size, frame.chars)

    def _alias(self, event: yaml.AliasEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and type(top.value) is dict and top.key is None:
            self._fail(event, f"the key '*{event.anchor}' is an alias; keys must be plain text")
        if any(frame.anchor == event.anchor for frame in self.stack):
            self._fail(
                event, f"alias '*{event.anchor}' refers to the entry that contains it; write the entry out instead"
            )
        if event.anchor not in self.anchors:
            self._fail(event, f"alias '*{event.anchor}' names no anchor '&{event.anchor}' above it; define it first")
        value, size, chars = self.anchors[event.anchor]
        self.repeated += size
        self.repeated_chars += chars
        if self.repeated_chars > MAX_REPEATED_CHARS:
            self._fail(
                event,
                f"aliases repeat more than {MAX_REPEATED_CHARS:,} characters of text; write the text out instead "
                "of repeating it with '*' aliases",
            )
        if self.repeated > MAX_REPEATED:
            self._fail(
                event,
                f"aliases repeat more than {MAX_REPEATED:,} entries; write the entries out instead of repeating "
                "them with '*' aliases",
            )
        self._place(value, event, size, chars)

    # Support -----------------------------------------------------------------

    def _key(self, frame: _Frame, event: yaml.ScalarEvent) -> None:
        if event.tag is not None and event.tag != "!":
            self._fail(event, f"the key '{event.value}' has a YAML tag; keys must be plain text")
        line = event.start_mark.line + 1
        name = event.value
        if name == "<<" and not event.style:
            self._fail(event, "merge keys ('<<') are not used in bank files; write the keys out")
        if name in frame.seen:
            self._fail(
                event, f"key '{name}' appears twice in one entry (first at line {frame.seen[name]}); delete one of them"
            )
        frame.seen[name] = line
        frame.key = name
        frame.key_line = line

    def _place(self, value: Any, event: yaml.Event, size: int, chars: int) -> None:
        top = self.stack[-1] if self.stack else None
        if top is None:
            self.root = value
            return
        path = self._child_path(top)
        self.lines[path] = top.key_line if type(top.value) is dict else event.start_mark.line + 1
        self._attach(top, value, size, chars)

    def _attach(self, top: _Frame, value: Any, size: int, chars: int) -> None:
        if type(top.value) is dict:
            top.value[top.key] = value
            top.key = None
        else:
            top.value.append(value)
        top.size += size
        top.chars += chars

    def _child_path(self, top: _Frame | None) -> DataPath:
        if top is None:
            return ()
        if type(top.value) is dict:
            return (*top.path, top.key)
        return (*top.path, len(top.value))

    def _check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag is None or tag == "!" or tag == _STR_TAG:
            return
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        self._fail(event, f"the YAML tag '{shown}' is not allowed in a bank file; remove it and write plain text")

    def _fail(self, event: yaml.Event, problem: str) -> None:
        raise BankError(f"{self.shown}:{event.start_mark.line + 1}: {problem}")


def _plain_value(text: str) -> Any:
    """What YAML 1.1 makes of an unquoted value: text, or a number, true/false or nothing.

    Only the type matters: a bank holds text, and the shape check names the others.
    """
    if not text or text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _NUMBER.fullmatch(text):
        return 0
    return text


# -----------------------------------------------------------------------------
# Data
# -----------------------------------------------------------------------------

MAX_BYTES = 64 * 2**20
MAX_DEPTH = 32
MAX_REPEATED = 10_000
MAX_REPEATED_CHARS = 1_000_000
MAX_KEPT = 16  # parsed bank files kept between builds, most recent first
_STR_TAG = "tag:yaml.org,2002:str"
_NULLS = {"~", "null", "Null", "NULL"}
_BOOLS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
# YAML 1.1 integers and floats, as PyYAML's safe loader reads them.
parsed = ParseCache()
_NUMBER = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
