"""The other languages' builds run beside the first's (hooks/language_builds.py), in processes
of their own where the machine has the cores, and in turn where it has one: the site is the
same either way, a language that fails stops the build with its own error, and a failed build
leaves no process, no staging folder and the old site as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import ROOT, build, copy_project, languages

FIRST, OTHERS = languages()[0], languages()[1:]
CORES = os.sched_getaffinity(0)
BESIDE = "beside the first language, in processes"

pytestmark = pytest.mark.skipif(not OTHERS, reason="the handbook has one language: no other to build")


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
