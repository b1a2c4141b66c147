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

import marshal
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from cache import DiskCache
from problems import Origin, fail

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
        """The line of `path`, or of the nearest enclosing entry that has one (else 1)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def origin(self, path: tuple[str | int, ...]) -> Origin:
        return Origin(self.shown, self.line(path))


def read(path: Path, shown: str, cache: SourceCache | None = None, kind: str = "bank file") -> Source:
    return parse(read_bytes(path, shown, kind), shown, cache)


def read_bytes(path: Path, shown: str, kind: str = "bank file") -> bytes:
    """The file's bytes, or a BankError if it is missing, a folder, not a plain file, unreadable
    or too large. At most MAX_BYTES are read, whatever the file claims its size is. `kind` names
    the file in messages: a bank file, a translation file, a strings table."""
    where = Origin(shown)
    if kind == "bank file":
        missing = "create it or fix its path under extra.question_banks in mkdocs.yml"
        itself = "list the .yml file itself under extra.question_banks"
    else:
        missing = "create it: copy the first language's file and translate it"
        itself = "name the .yml file itself"
    try:
        if path.is_dir():
            fail(where, f"is a folder, not a {kind}", itself)
        with open(path, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                fail(where, "is not a plain file (a device, a pipe or a socket)", "put a .yml file there")
            raw = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        fail(where, f"{kind} not found", missing)
    except OSError as e:
        fail(where, f"cannot be read ({e.strerror})", "check the file's permissions")
    if len(raw) > MAX_BYTES:
        fail(
            where.at(1),
            f"the file is over {MAX_BYTES // 2**20} MB, the most a {kind} may be",
            "split it or check that it is the right file",
        )
    return raw


def parse(raw: bytes, shown: str, cache: SourceCache | None = None) -> Source:
    """The file's data and lines; from `cache` when it holds this very file."""
    cached = cache.get(raw, shown) if cache else None
    if cached is not None:
        return cached
    text = _text(raw, shown)
    builder = _Builder(shown)
    try:
        builder.build(text)
    except yaml.MarkedYAMLError as e:
        line, what, fix = _syntax_problem(e)
        fail(Origin(shown, line), what, fix)
    except yaml.reader.ReaderError as e:
        # libyaml counts its position in bytes; the reader stops at the character's first use.
        line = text.count("\n", 0, max(text.find(chr(e.character)), 0)) + 1
        fail(Origin(shown, line), f"the character U+{e.character:04X} is not allowed in YAML ({e.reason})", "delete it")
    except yaml.YAMLError as e:
        fail(Origin(shown, 1), f"YAML syntax error: {e}", "check the file's indentation and quoting")
    if builder.root is None:
        fail(Origin(shown, 1), "the file is empty", "a bank needs at least 'stages:', 'principles:' or 'questions:'")
    source = Source(shown, builder.root, builder.lines)
    if cache:
        cache.put(raw, source)
    return source


class SourceCache:
    """Files parsed before, by their exact bytes, kept between builds (cache.DiskCache): reading a
    large bank is most of what a rebuild does beyond the floor of hand-written Markdown, and most
    rebuilds follow an edit to a page, not to the bank. Only files that parsed without error are
    kept, as plain data (marshal, which builds values and runs nothing). The key is the file's
    bytes, and the version is this module's own text, so a change to either reads it afresh.
    What comes back is checked for the shape `parse` makes; anything else is a miss."""

    def __init__(self) -> None:
        version = f"{sys.version_info[:2]}-{yaml.__version__}-".encode() + Path(__file__).read_bytes()
        self._disk = DiskCache("parsed", version, keep=MAX_KEPT, max_entry=8 * MAX_BYTES)

    def get(self, raw: bytes, shown: str) -> Source | None:
        payload = self._disk.get(raw)
        if payload is None:
            return None
        try:
            data, lines = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not _sound(data, lines, raw):
            return None
        return Source(shown, data, lines)

    def put(self, raw: bytes, source: Source) -> None:
        try:
            payload = marshal.dumps((source.data, source.lines))
        except ValueError:
            return
        self._disk.put(raw, payload)


def _sound(data: Any, lines: Any, raw: bytes) -> bool:
    """What `parse` makes of these bytes: a line for the top and every key, none past the file's
    end, and at the top the mapping (with the very keys the file starts lines with) or list."""
    if type(data) not in (dict, list, str) or type(lines) is not dict or type(lines.get(())) is not int:
        return False
    last = raw.count(b"\n") + 1
    if not all(type(path) is tuple and type(line) is int and 0 < line <= last for path, line in lines.items()):
        return False
    top = set(_TOP_KEY.findall(raw))
    if type(data) is dict:
        return {key.encode() for key in data if type(key) is str} <= top or (not top and not data)
    return not top


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _text(raw: bytes, shown: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(Origin(shown, 1), "the file is saved as UTF-16", "save it as UTF-8")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        fail(
            Origin(shown, line),
            f"byte 0x{raw[e.start]:02x} at column {column} is not UTF-8 text",
            "save the file as UTF-8 (in VS Code: 'Save with Encoding', then 'UTF-8')",
        )


def _syntax_problem(e: yaml.MarkedYAMLError) -> tuple[int, str, str]:
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
        return line, f"YAML syntax error: {e.context}, never closed", "close it with the matching quote mark or bracket"
    problem = e.problem or e.context or "invalid YAML"
    if "maximum nesting depth" in problem:
        return line, "YAML syntax error: brackets nested too deeply", f"a bank needs at most {MAX_DEPTH} levels"
    return (
        line,
        f"YAML syntax error: {problem}",
        "check the indentation and quoting on this line (text containing ': ' or starting with a quote mark "
        "needs quotes around it)",
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
                        self._fail(
                            event, "the file holds a second YAML document (after '---')", "keep one bank per file"
                        )
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
            self._fail(event, "a key here is a list or mapping", "keys must be plain text, as in 'name: value'")
        self._check_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            self._fail(event, f"entries are nested more than {MAX_DEPTH} levels deep", "a bank needs far fewer")
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
            self._fail(event, f"the key '*{event.anchor}' is an alias", "keys must be plain text")
        if any(frame.anchor == event.anchor for frame in self.stack):
            self._fail(
                event, f"alias '*{event.anchor}' refers to the entry that contains it", "write the entry out instead"
            )
        if event.anchor not in self.anchors:
            self._fail(event, f"alias '*{event.anchor}' names no anchor '&{event.anchor}' above it", "define it first")
        value, size, chars = self.anchors[event.anchor]
        self.repeated += size
        self.repeated_chars += chars
        if self.repeated_chars > MAX_REPEATED_CHARS:
            self._fail(
                event,
                f"aliases repeat more than {MAX_REPEATED_CHARS:,} characters of text",
                "write the text out instead of repeating it with '*' aliases",
            )
        if self.repeated > MAX_REPEATED:
            self._fail(
                event,
                f"aliases repeat more than {MAX_REPEATED:,} entries",
                "write the entries out instead of repeating them with '*' aliases",
            )
        self._place(value, event, size, chars)

    # Support -----------------------------------------------------------------

    def _key(self, frame: _Frame, event: yaml.ScalarEvent) -> None:
        if event.tag is not None and event.tag != "!":
            self._fail(event, f"the key '{event.value}' has a YAML tag", "keys must be plain text")
        line = event.start_mark.line + 1
        name = event.value
        if name == "<<" and not event.style:
            self._fail(event, "merge keys ('<<') are not used in bank files", "write the keys out")
        if name in frame.seen:
            self._fail(
                event,
                f"key '{name}' appears twice in one entry (first at line {frame.seen[name]})",
                "delete one of them",
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
        self._fail(event, f"the YAML tag '{shown}' is not allowed in a bank file", "remove it and write plain text")

    def _fail(self, event: yaml.Event, what: str, fix: str) -> NoReturn:
        fail(Origin(self.shown, event.start_mark.line + 1), what, fix)


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
# A key at the start of a line, unindented: one of the file's top-level keys.
_TOP_KEY = re.compile(rb"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:", re.M)
_NULLS = {"~", "null", "Null", "NULL"}
_BOOLS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
# YAML 1.1 integers and floats, as PyYAML's safe loader reads them.
_NUMBER = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
