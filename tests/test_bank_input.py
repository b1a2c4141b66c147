"""Malformed banks and configs: every one is a clean `file:line: problem; fix` error.

A bank file comes from many hands. Whatever YAML it holds (tags, odd keys, aliases,
deep nesting, bytes that are not UTF-8), the build stops with the file, the line and
what to do, never a Python traceback, and in bounded time and memory.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import yaml_reader
from bank import load_bank
from model import BankError
from support import BANK_LIST, ROOT, copy_project

GOOD = textwrap.dedent("""\
    stages:
      - id: considering
        title: Considering a partnership
        summary: Before approaching anyone.
    principles:
      - id: goals
        title: Clear and common goals
        summary: A shared vision.
    questions:
      - id: shared-vision
        stage: considering
        principle: goals
        text: What is our vision?
    """)


def error_for(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "questions.yml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    with pytest.raises(BankError) as caught:
        load_bank(path, tmp_path)
    return str(caught.value)


# (name, file content, line, words the message must hold)
CASES = [
    ("complex key", GOOD + "? [a, b]\n: value\n", 14, "keys must be plain text"),
    ("complex key in an entry", GOOD.replace("    text: What", "    ? [x]\n    : y\n    text: What"), 13,
     "keys must be plain text"),
    ("recursive alias", GOOD + "extra: &loop\n  - *loop\n", 15, "refers to the entry that contains it"),
    ("undefined alias", GOOD + "extra: *nowhere\n", 14, "names no anchor '&nowhere' above it; define it first"),
    ("python object tag", GOOD.replace("text: What is our vision?", "text: !!python/object/apply:os.system [ls]"), 13,
     "the YAML tag '!!python/object/apply:os.system' is not allowed"),
    ("python name tag", GOOD.replace("text: What is our vision?", "text: !!python/name:os.system ''"), 13,
     "is not allowed in a bank file; remove it"),
    ("unknown local tag", GOOD.replace("text: What is our vision?", "text: !shout What is our vision?"), 13,
     "the YAML tag '!shout' is not allowed"),
    ("int tag on text", GOOD.replace("text: What is our vision?", "text: !!int abc"), 13,
     "the YAML tag '!!int' is not allowed"),
    ("binary tag", GOOD.replace("text: What is our vision?", "text: !!binary aGVsbG8="), 13,
     "'!!binary' is not allowed"),
    ("set tag", GOOD + "hide: !!set {a, b}\n", 14, "'!!set' is not allowed"),
    ("merge key", GOOD.replace("    text: What", "    <<: {text: x}\n    text: What"), 13, "merge keys ('<<')"),
    ("tagged key", GOOD.replace("    text: What", "    !!str text: What"), 13, "has a YAML tag"),
    ("two documents", GOOD + "---\nstages: []\n", 14, "second YAML document"),
    ("deep nesting", GOOD + "extra:\n  " + "- " * 40 + "x\n", 15, "nested more than 32 levels"),
    ("deep flow nesting", GOOD + "extra: " + "[" * 2000 + "]" * 2000 + "\n", 14, "YAML syntax error"),
    ("number as text", GOOD.replace("text: What is our vision?", "text: 12"), 13, "must be text, not a number"),
    ("yes as text", GOOD.replace("text: What is our vision?", "text: yes"), 13, "must be text, not true/false"),
    ("nothing as text", GOOD.replace("text: What is our vision?", "text:"), 13, "must be text, not nothing"),
    ("tab indentation", GOOD.replace("    text: What", "\ttext: What"), 13, "YAML syntax error"),
    ("control character", GOOD.replace("What is our", "What \x07is our"), 13, "the character U+0007 is not allowed"),
    ("control character after accented text", GOOD.replace("Before approaching anyone.", "Réunion — prévue. " * 50)
     .replace("What is our", "What \x07is our"), 13, "the character U+0007 is not allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "line", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_yaml_names_file_line_and_fix(tmp_path, content, line, words):
    message = error_for(tmp_path, content)
    assert message.startswith(f"questions.yml:{line}: "), message
    assert words in message, message
    assert ";" in message.split("\n")[0], f"no fix given: {message}"


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    # 464 bytes that PyYAML would expand into 9^9 strings.
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[n]
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    bomb = GOOD + "extra:\n" + "\n".join("  " + line for line in lines) + "\n"
    message = error_for(tmp_path, bomb)
    assert re.match(r"questions\.yml:1[0-9]: aliases repeat more than 10,000 entries; write the entries out", message)


def test_one_long_text_repeated_by_aliases_is_refused(tmp_path):
    # Under 200 KB on disk; repeated, 2 GB of text to render.
    long = "x" * 200_000
    bomb = GOOD + f"extra:\n  text: &long {long}\n  copies:\n" + "    - *long\n" * 10_000
    message = error_for(tmp_path, bomb)
    assert message.startswith("questions.yml:"), message
    assert "aliases repeat more than 1,000,000 characters of text; write the text out" in message


def test_a_few_aliases_are_fine_until_the_shape_check(tmp_path):
    """Aliases are YAML; within the limit they load, and the schema judges the result."""
    text = GOOD.replace("  - id: goals", "  - &goal\n    id: goals") + "extra: *goal\n"
    message = error_for(tmp_path, text)
    assert re.match(r"questions\.yml:\d+: the file has unknown key 'extra'", message), message


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (GOOD.encode().replace(b"What is", b"What \xe9 is"), 13, "byte 0xe9 at column 16 is not UTF-8 text; save"),
        (GOOD.encode("utf-16"), 1, "the file is saved as UTF-16; save it as UTF-8"),
        (b"\xef\xbb\xbf" + GOOD.encode(), None, None),  # a UTF-8 byte-order mark is fine
    ],
    ids=["latin-1 byte", "utf-16", "utf-8 bom"],
)
def test_encodings(tmp_path, raw, line, words):
    if line is None:
        (tmp_path / "questions.yml").write_bytes(raw)
        assert load_bank(tmp_path / "questions.yml", tmp_path).questions[0].text == "What is our vision?"
        return
    message = error_for(tmp_path, raw)
    assert message.startswith(f"questions.yml:{line}: {words}"), message


def test_empty_and_missing_files(tmp_path):
    assert error_for(tmp_path, "").startswith("questions.yml:1: the file is empty")
    assert error_for(tmp_path, "# only a comment\n").startswith("questions.yml:1: the file is empty")
    folder = tmp_path / "folder.yml"
    folder.mkdir()
    with pytest.raises(BankError, match=r"folder\.yml: is a folder, not a bank file; list the \.yml file itself"):
        load_bank(folder, tmp_path)


# -----------------------------------------------------------------------------
# Through a real build: exit status, no traceback, bounded time and memory
# -----------------------------------------------------------------------------

MEMORY_LIMIT = 1024 * 2**20  # far above a normal build's ~100 MB; the alias bomb would need gigabytes


def build_limited(config: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(config.parent / "site")],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


def set_banks(config: Path, banks: str) -> None:
    text = config.read_text()
    assert BANK_LIST.search(text)
    config.write_text(BANK_LIST.sub(lambda _: f"  question_banks:{banks}\n", text, count=1))


CONFIG_CASES = [
    ("a folder", "\n    - content", "extra.question_banks lists 'content', which is a folder"),
    ("a number", "\n    - 12", "item 1 of extra.question_banks is int, not a file path"),
    ("not a list", " questions.yml", "extra.question_banks must be a list of one or more bank files"),
    ("an empty list", " []", "extra.question_banks must be a list of one or more bank files"),
    (
        "a missing file",
        "\n    - questions.yml\n    - nowhere.yml",
        "extra.question_banks lists 'nowhere.yml', which does not exist",
    ),
    ("a file twice", "\n    - questions.yml\n    - questions.yml", "extra.question_banks lists 'questions.yml' twice"),
]


@pytest.mark.parametrize(("banks", "words"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_question_banks_setting_must_list_existing_files(tmp_path, banks, words):
    config = copy_project(tmp_path)
    set_banks(config, banks)
    result = build_limited(config)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert re.search(r"mkdocs\.yml:\d+: " + re.escape(words), result.stderr), result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    "case", ["alias bomb", "recursive alias", "python object tag", "complex key", "deep nesting", "latin-1 byte"]
)
def test_hostile_yaml_fails_the_build_cleanly(tmp_path, case):
    config = copy_project(tmp_path)
    if case == "alias bomb":
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [f"{n}: &{n} [{','.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
        content = (ROOT / "questions.yml").read_text() + "bomb:\n" + "".join(f"  {line}\n" for line in lines)
    elif case == "latin-1 byte":
        content = (ROOT / "questions.yml").read_bytes().replace(b"vision", b"visi\xf3n", 1)
    else:
        content = dict((c[0], c[1]) for c in CASES)[case].replace(GOOD, (ROOT / "questions.yml").read_text())
    bank = tmp_path / "questions.yml"
    bank.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = build_limited(config)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    assert re.search(r"questions\.yml:\d+: .+; .+", result.stderr), result.stderr
    assert not (tmp_path / "site").exists()


# -----------------------------------------------------------------------------
# Parsed files kept between builds
# -----------------------------------------------------------------------------


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """The reader's cache of parsed files, in a cache folder of this test's own."""
    monkeypatch.setenv("HANDBOOK_CACHE_DIR", str(tmp_path / "cache"))
    return yaml_reader.SourceCache()


def entries(cache: yaml_reader.SourceCache) -> list:
    return sorted(cache._disk.folder.glob("*.bin"))


def test_a_file_parsed_before_reads_the_same_from_the_cache(kept):
    first = yaml_reader.parse(GOOD.encode(), "questions.yml", kept)
    assert len(entries(kept)) == 1
    again = yaml_reader.parse(GOOD.encode(), "org.yml", kept)
    assert (again.shown, again.data, again.lines) == ("org.yml", first.data, first.lines)
    # Its lines still lead an error to the right place.
    assert again.line(("questions", 0, "text")) == 13


def test_the_cache_lives_in_the_users_cache_folder_made_private(tmp_path, monkeypatch):
    monkeypatch.delenv("HANDBOOK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = yaml_reader.SourceCache()
    yaml_reader.parse(GOOD.encode(), "questions.yml", cache)
    folder = tmp_path / "xdg" / "partnerships-handbook" / "parsed"
    assert len(list(folder.glob("*.bin"))) == 1
    assert folder.stat().st_mode & 0o077 == 0, "other users cannot read or plant entries"
    monkeypatch.setenv("HANDBOOK_CACHE", "off")
    off = yaml_reader.SourceCache()
    yaml_reader.parse(GOOD.replace("our vision", "the vision").encode(), "questions.yml", off)
    assert len(list(folder.glob("*.bin"))) == 1, "HANDBOOK_CACHE=off keeps nothing"


def test_an_edited_file_is_read_afresh_and_bad_files_are_never_kept(kept):
    yaml_reader.parse(GOOD.encode(), "questions.yml", kept)
    edited = yaml_reader.parse(GOOD.replace("What is our vision?", "What do we share?").encode(), "questions.yml", kept)
    assert edited.data["questions"][0]["text"] == "What do we share?"
    with pytest.raises(BankError, match=r"^questions\.yml:13: "):
        yaml_reader.parse(GOOD.replace("text: What", "text: !!int What").encode(), "questions.yml", kept)
    assert len(entries(kept)) == 2


def unsound_entries(good_entry: bytes, other_entry: bytes):
    """(label, what to put in place of an entry) for every way an entry can be wrong."""
    import cache as disk

    head = len(disk.MAGIC) + 64
    key_digest, payload = good_entry[len(disk.MAGIC) : len(disk.MAGIC) + 32], good_entry[head:]

    def sealed(data: bytes) -> bytes:  # a well-formed entry for this key, holding `data`
        return disk.MAGIC + key_digest + hashlib.sha256(data).digest() + data

    return [
        ("truncated", good_entry[: len(good_entry) // 2]),
        ("corrupt", good_entry[:-10] + b"\x00" * 10),
        ("empty", b""),
        ("another key's entry", other_entry),
        ("not marshal data", sealed(b"\x00not marshal data")),
        ("a list where the data goes", sealed(marshal.dumps((["not", "a bank"], {(): 1})))),
        ("lines with no top", sealed(marshal.dumps(({"stages": []}, {("stages",): 1})))),
        ("lines that are not lines", sealed(marshal.dumps(({"stages": []}, {(): "x"})))),
        ("huge", sealed(payload) + b"x" * (9 * 64 * 2**20)),
    ]


@pytest.mark.parametrize("case", range(9))
def test_an_unsound_cache_entry_is_a_miss_never_data(kept, case):
    yaml_reader.parse(GOOD.replace("our vision", "another").encode(), "questions.yml", kept)
    other_entry = entries(kept)[0].read_bytes()
    entries(kept)[0].unlink()
    yaml_reader.parse(GOOD.encode(), "questions.yml", kept)
    [entry] = entries(kept)
    label, bad = unsound_entries(entry.read_bytes(), other_entry)[case]
    entry.write_bytes(bad)
    # In a process of its own, with a deadline: an entry must never make the reader hang.
    code = (
        "import sys; sys.path.insert(0, 'hooks'); import yaml_reader;"
        f"s = yaml_reader.parse({GOOD.encode()!r}, 'questions.yml', yaml_reader.SourceCache());"
        "print(s.data['questions'][0]['id'], s.line(('questions', 0, 'text')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{label}: {result.stderr}"
    assert result.stdout.split() == ["shared-vision", "13"], label


@pytest.mark.parametrize("planted", ["link to /dev/zero", "folder", "fifo", "unreadable"])
def test_what_is_planted_in_place_of_an_entry_is_read_past(kept, planted):
    yaml_reader.parse(GOOD.encode(), "questions.yml", kept)
    [entry] = entries(kept)
    entry.unlink()
    if planted == "link to /dev/zero":
        entry.symlink_to("/dev/zero")
    elif planted == "folder":
        entry.mkdir()
    elif planted == "fifo":
        os.mkfifo(entry)
    else:
        entry.write_bytes(b"x")
        entry.chmod(0)
    source = yaml_reader.parse(GOOD.encode(), "questions.yml", kept)
    assert source.data["questions"][0]["id"] == "shared-vision"


def test_only_the_most_recent_parsed_files_are_kept(kept):
    for n in range(yaml_reader.MAX_KEPT + 5):
        yaml_reader.parse(GOOD.replace("What is our vision?", f"Vision, edit {n}?").encode(), "questions.yml", kept)
    assert len(entries(kept)) == yaml_reader.MAX_KEPT
    latest = yaml_reader.parse(
        GOOD.replace("What is our vision?", f"Vision, edit {yaml_reader.MAX_KEPT + 4}?").encode(), "q.yml", kept
    )
    assert latest.data["questions"][0]["text"].endswith(f"edit {yaml_reader.MAX_KEPT + 4}?")
