"""The other languages' builds run beside the first's (hooks/language_builds.py), in processes
of their own where the machine has the cores, and in turn where it has one: the site is the
same either way, a language that fails stops the build with its own error, and a failed build
leaves no process, no staging folder and the old site as it was. Forked while other threads
run (serve's), a copy never waits on a lock one of them held, and one that does not report in
time is ended and its language built in the first language's process.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

import language_builds
from language_builds import LanguageBuilds
from support import ROOT, build, copy_project, languages

FIRST, OTHERS = languages()[0], languages()[1:]
CORES = os.sched_getaffinity(0)
BESIDE = "beside the first language, in processes"

needs_others = pytest.mark.skipif(not OTHERS, reason="the handbook has one language: no other to build")
needs_cores = pytest.mark.skipif(len(CORES) < 2, reason="this machine gives the tests one core: nothing is forked")


@needs_others
def test_a_machine_with_more_cores_builds_the_same_site_with_the_languages_side_by_side(tmp_path):
    if len(CORES) < 2:
        pytest.skip("this machine gives the tests one core: the builds can only run in turn")
    side_by_side = build(ROOT / "mkdocs.yml", tmp_path / "side-by-side", "-v")
    assert side_by_side.returncode == 0, side_by_side.stderr
    assert f"building {', '.join(OTHERS)} {BESIDE}" in side_by_side.stderr
    in_turn = build(ROOT / "mkdocs.yml", tmp_path / "in-turn", "-v", cores={min(CORES)})
    assert in_turn.returncode == 0, in_turn.stderr
    assert BESIDE not in in_turn.stderr, "on one core the languages are built one after another"

    made, expected = files_of(tmp_path / "side-by-side"), files_of(tmp_path / "in-turn")
    assert any(path.startswith(f"{code}/") for path in made for code in OTHERS)
    assert sorted(made) == sorted(expected)
    assert [path for path in made if made[path] != expected[path]] == []


@needs_others
@needs_cores
def test_the_copies_write_only_once_the_first_language_has_emptied_the_site_folder(tmp_path):
    """The copies start at the end of the first language's on_config, and MkDocs empties the
    site folder after that: a first language slow to get there sweeps away nothing of theirs."""
    config = copy_project(tmp_path / "project")
    (config.parent / "slow_to_empty.py").write_text(
        "import time\n\n\ndef on_pre_build(config):\n    time.sleep(3)  # the copies would be done by now\n"
    )
    listed = config.read_text(encoding="utf-8")
    assert "  - hooks/serve.py\n" in listed
    config.write_text(listed.replace("  - hooks/serve.py\n", "  - hooks/serve.py\n  - slow_to_empty.py\n"))

    result = build(config, tmp_path / "site", "-v")

    assert result.returncode == 0, result.stderr
    assert f"building {', '.join(OTHERS)} {BESIDE}" in result.stderr
    made = files_of(tmp_path / "site")
    for code in OTHERS:
        assert f"{code}/index.html" in made, f"the {code} pages were swept away"
        assert f"{code}/search/search_index.json" in made, f"the {code} search index was swept away"


@needs_others
@pytest.mark.parametrize("cores", ["all", "one"])
def test_a_page_that_fails_in_each_other_language_is_reported_and_the_old_site_stays(tmp_path, cores):
    """Every other language's build fails on a page of its own: each failure is reported with
    its file and line (none is cut short by another's), and nothing of the build is left."""
    config = copy_project(tmp_path / "project")
    broken = {code: break_a_page(config.parent, f"content/{code}") for code in OTHERS}
    site = old_site(tmp_path)

    result = build(config, site, cores={min(CORES)} if cores == "one" else None)

    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    for code, where in broken.items():
        assert any(where in line and "unknown shortcode" in line for line in result.stderr.splitlines()), (
            f"no report of {code}'s page at {where}:\n{result.stderr}"
        )
    assert "ended unexpectedly" not in result.stderr, result.stderr
    assert_nothing_left(config, site)


@needs_others
def test_a_first_language_page_that_fails_ends_the_builds_beside_it(tmp_path):
    """The first language fails while the others build: they end with it, and nothing of the
    build is left, not even a process still writing."""
    config = copy_project(tmp_path / "project")
    where = break_a_page(config.parent, "content")
    site = old_site(tmp_path)

    result = build(config, site, "-v")

    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert any(where in line and "unknown shortcode" in line for line in result.stderr.splitlines()), result.stderr
    if len(CORES) > 1:
        assert BESIDE in result.stderr, "the other languages were being built beside the first when it failed"
    assert_nothing_left(config, site)


@needs_cores
def test_a_copy_forked_while_another_thread_writes_to_the_terminal_builds_and_reports(tmp_path, monkeypatch):
    """Under serve another thread may be in the middle of writing to stderr when the copy is
    forked: the copy still writes its messages (its log lines included) and reports its end."""
    monkeypatch.setattr(language_builds, "PATIENCE", 10.0)
    read_end, write_end = os.pipe()
    terminal = open(write_end, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    monkeypatch.setattr(sys, "stderr", terminal)
    handler = logging.StreamHandler(terminal)
    logger = logging.getLogger("test.language_builds")
    logger.addHandler(handler)
    # A thread stuck writing to a full pipe holds the stream's lock, as the fork happens.
    writer = threading.Thread(target=lambda: terminal.write("w" * 1_000_000 + "\n"))
    writer.start()
    until(lambda: unread(read_end) >= 65536 or not writer.is_alive(), "the writer to fill the pipe")
    assert writer.is_alive(), "the pipe did not fill: the writer holds no lock"
    built_here = []

    def build_xx() -> None:
        if os.getpid() == parent:
            built_here.append("xx")
            return
        (tmp_path / "xx.txt").write_text("built in the copy")
        sys.stderr.write("the copy writes to the terminal\n")
        logger.warning("the copy logs")

    parent = os.getpid()
    builds = LanguageBuilds({"xx": build_xx})
    try:
        builds.start(threaded=True)
        assert len(builds.running) == 1, "nothing was forked"
        said = bytearray()
        reader = threading.Thread(target=lambda: drain(read_end, said))
        reader.start()
        builds.finish()
        writer.join()
        terminal.close()
        reader.join()
    finally:
        logger.removeHandler(handler)

    assert (tmp_path / "xx.txt").read_text() == "built in the copy"
    assert built_here == [] and not builds.gave_up, "the copy did not report, and was built in this process"
    assert b"the copy writes to the terminal" in said and b"the copy logs" in said, bytes(said[-200:])


@needs_cores
def test_a_copy_that_never_reports_is_ended_and_its_language_built_here(monkeypatch, caplog):
    """A copy stuck for good (on a lock a thread held when it was forked) holds up the rebuild
    only so long: it is ended, its language is built in this process, and the log says so."""
    monkeypatch.setattr(language_builds, "PATIENCE", 1.0)
    built_here = []
    parent = os.getpid()

    def stuck_in_copy() -> None:
        if os.getpid() != parent:
            threading.Event().wait()  # never set: the copy never reports
        built_here.append("xx")

    builds = LanguageBuilds({"xx": stuck_in_copy, "yy": lambda: built_here.append("yy-here")})
    # Another thread runs, as serve's do: only then is the wait bounded.
    serving = threading.Event()
    server = threading.Thread(target=serving.wait)
    server.start()
    try:
        builds.start(threaded=True)
        copies = [run.pid for run in builds.running]
        assert len(copies) == 2, "nothing was forked"
        with caplog.at_level(logging.WARNING, logger=language_builds.log.name):
            # In a thread of its own, so that a wait that is never given up fails this test, not
            # the run: a daemon thread does not hold up the end of the run.
            waiting = threading.Thread(target=builds.finish, daemon=True)
            waiting.start()
            waiting.join(60)
        assert not waiting.is_alive(), "the first language still waits for a copy that never reports"
    finally:
        serving.set()
        server.join()

    assert built_here == ["xx"], "the stuck language is built here, and only that one"
    assert builds.gave_up
    assert "the 'xx' build beside the first language did not finish; building it here instead" in caplog.text
    assert [pid for pid in copies if Path(f"/proc/{pid}").exists()] == [], "a copy is left running"


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def break_a_page(project: Path, folder: str) -> str:
    """Give a guidance page of a language's folder a shortcode no build knows; returns where it
    is, as a report names it."""
    pages = sorted((project / folder).glob("*.md"))
    assert pages, f"no guidance page in {folder}"
    page = pages[0]
    text = page.read_text(encoding="utf-8").rstrip("\n") + "\n\n<!-- md:no-such-shortcode -->\n"
    page.write_text(text, encoding="utf-8")
    line = text.splitlines().index("<!-- md:no-such-shortcode -->") + 1
    return f"{page.relative_to(project).as_posix()}:{line}:"


def old_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the old site", encoding="utf-8")
    return site


def assert_nothing_left(config: Path, site: Path) -> None:
    assert files_of(site) == {"index.html": b"the old site"}, "the old site is as it was"
    assert sorted(path.name for path in site.parent.iterdir()) == sorted(["project", "site"]), "no staging folder"
    assert still_running(config) == [], "no build of the project is still running"


def still_running(config: Path) -> list[str]:
    """The processes whose command line names this project's mkdocs.yml."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:  # it ended while we looked
            continue
        if str(config).encode() in words:
            found.append(entry.name)
    return found


def unread(fd: int) -> int:
    """The bytes waiting in a pipe."""
    return int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)


def drain(fd: int, into: bytearray) -> None:
    while chunk := os.read(fd, 65536):
        into += chunk
    os.close(fd)


def until(condition, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.01)
