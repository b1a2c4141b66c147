"""The last good site always exists: wherever a build is killed, site/ is the old site or the
new one, and the next build clears what was left beside it.

Two ways in: the swap's filesystem steps interrupted one after another (every point the
process could die between two system calls), and real builds killed with SIGKILL at
chosen moments of the build.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

import publish
import swap
from support import copy_project, mkdocs


class Killed(BaseException):
    """The process died here: nothing after this runs, not even `except Exception`."""


def make_site(path: Path, version: str, pages: int = 5) -> None:
    path.mkdir(parents=True)
    for n in range(pages):
        (path / f"page{n}.html").write_text(f"{version} {n}")
    (path / "index.html").write_text(version)


def site_version(path: Path) -> str | None:
    """'old' or 'new' if the folder holds that whole site, else None."""
    if not path.is_dir():
        return None
    version = (path / "index.html").read_text() if (path / "index.html").is_file() else None
    complete = version and all((path / f"page{n}.html").read_text() == f"{version} {n}" for n in range(5))
    return version if complete else None


@pytest.fixture(params=["exchange", "two renames"])
def steps(request, monkeypatch):
    """Count the swap's filesystem steps; `steps.die_at = k` kills the process at the k-th."""

    class Steps:
        die_at: int | None = None
        done = 0

        def step(self) -> None:
            if self.die_at is not None and self.done == self.die_at:
                raise Killed
            self.done += 1

    counter = Steps()
    real_rename, real_rmtree, real_exchange = Path.rename, shutil.rmtree, swap.exchange

    def rename(self, target):
        counter.step()
        return real_rename(self, target)

    def rmtree(path, *args, **kwargs):
        counter.step()
        return real_rmtree(path, *args, **kwargs)

    def exchange(a, b):
        counter.step()
        return real_exchange(a, b) if request.param == "exchange" else False

    monkeypatch.setattr(Path, "rename", rename)
    monkeypatch.setattr(shutil, "rmtree", rmtree)
    monkeypatch.setattr(swap, "exchange", exchange)
    counter.way = request.param
    return counter


def publish_once(staging: Path, target: Path) -> None:
    """What a build does at its end: the swap, then clearing the old site."""
    old = swap.swap(staging, target)
    if old is not None:
        shutil.rmtree(old)


def test_killed_at_any_step_of_the_swap_leaves_a_whole_site(tmp_path, steps):
    target = tmp_path / "site"
    staging = tmp_path / ".site.partial"
    # Count the steps of an uninterrupted swap first.
    make_site(target, "old")
    make_site(staging, "new")
    publish_once(staging, target)
    total = steps.done
    assert total >= 2 and site_version(target) == "new"
    if steps.way == "exchange":
        assert swap.exchange is not None

    for die_at in range(total):
        for path in tmp_path.iterdir():
            shutil.rmtree(path)
        steps.die_at, steps.done = None, 0
        make_site(target, "old")
        make_site(staging, "new")
        steps.die_at = die_at
        with pytest.raises(Killed):
            publish_once(staging, target)
        steps.die_at = None
        if steps.way == "exchange":
            # One atomic step: site/ is never missing.
            assert site_version(target) in ("old", "new"), f"killed at step {die_at}: site is {site_version(target)}"
        # The next build starts by recovering: then site/ holds a whole site, and nothing is left beside it.
        swap.recover(target)
        assert site_version(target) in ("old", "new"), f"killed at step {die_at}: not recovered"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], f"killed at step {die_at}: leftovers"


def test_the_first_build_moves_the_site_into_place(tmp_path):
    staging = tmp_path / ".site.partial"
    make_site(staging, "new")
    publish_once(staging, tmp_path / "site")
    assert site_version(tmp_path / "site") == "new" and not staging.exists()


def test_exchange_is_atomic_on_this_system(tmp_path):
    """Where renameat2 works (Linux), the swap never leaves the site missing."""
    make_site(tmp_path / "a", "old")
    make_site(tmp_path / "b", "new")
    assert swap.exchange(tmp_path / "a", tmp_path / "b") is True
    assert site_version(tmp_path / "a") == "new" and site_version(tmp_path / "b") == "old"


# -----------------------------------------------------------------------------
# Real builds, killed
# -----------------------------------------------------------------------------

KILL_HOOK = """
import os, signal
from mkdocs.plugins import event_priority

@event_priority({priority})
def {event}(*args, **kwargs):
    if {condition}:
        os.kill(os.getpid(), signal.SIGKILL)
    return args[0] if args else None
"""


def with_killer(config: Path, event: str, condition: str, before_publish: bool) -> None:
    """Add a hook that kills the build at `event`, before or after the swap's hook file."""
    # Before or after publish.py's own events, which run first (on_config) and last (on_post_build).
    priority = 200 if before_publish else -200
    (config.parent / "hooks" / "killer.py").write_text(
        KILL_HOOK.format(event=event, condition=condition, priority=priority)
    )
    text = config.read_text()
    hooks = re.search(r"^hooks:\n((?:  - .*\n)+)", text, re.M)
    assert hooks and "hooks/publish.py" in hooks[1]
    listed = hooks[1].splitlines(keepends=True)
    killer = "  - hooks/killer.py\n"
    listed.insert(0 if before_publish else len(listed), killer)
    config.write_text(text.replace(hooks[1], "".join(listed)))


def build_to(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return mkdocs("build", "--strict", "-f", str(config), "-d", str(site), cwd=config.parent)


@pytest.mark.parametrize(
    ("when", "event", "condition", "before_publish", "expect"),
    [
        ("while pages render", "on_page_content", "kwargs['page'].file.src_uri == 'about.md'", False, "old"),
        ("after the build, before the swap", "on_post_build", "True", True, "old"),
        ("just after the swap", "on_post_build", "True", False, "new"),
    ],
)
def test_a_killed_build_keeps_a_whole_site_and_the_next_build_recovers(
    tmp_path, when, event, condition, before_publish, expect
):
    config = copy_project(tmp_path)
    site = tmp_path / "site"
    assert build_to(config, site).returncode == 0
    old = (site / "about" / "index.html").read_text()

    about = tmp_path / "content" / "about.md"
    about.write_text(about.read_text().replace("# About and credits", "# About and credits, new edition"))
    killer_config = config.with_name("mkdocs.killer.yml")
    shutil.copy(config, killer_config)
    with_killer(killer_config, event, condition, before_publish)
    result = build_to(killer_config, site)
    assert result.returncode == -signal.SIGKILL, (when, result.returncode, result.stderr[-500:])

    now = (site / "about" / "index.html").read_text()
    assert (now == old) == (expect == "old"), when
    assert ("new edition" in now) == (expect == "new"), when
    assert (site / "index.html").is_file() and (site / "search" / "search_index.json").is_file()

    # The next build succeeds and clears what the killed one left.
    assert build_to(config, site).returncode == 0
    assert "new edition" in (site / "about" / "index.html").read_text()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_the_killer_hook_really_kills(tmp_path):
    """The control: the process dies at once, with no Python clean-up (so the tests above test a
    kill, not an exception that the hooks could handle)."""
    config = copy_project(tmp_path)
    with_killer(config, "on_config", "True", before_publish=True)
    result = mkdocs("build", "-f", str(config), "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert result.returncode == -signal.SIGKILL
    assert "Traceback" not in result.stderr and not (tmp_path / "site").exists()


# -----------------------------------------------------------------------------
# Where the site goes
# -----------------------------------------------------------------------------


def test_a_site_dir_that_is_a_link_is_published_where_it_points(tmp_path):
    config = copy_project(tmp_path)
    served = tmp_path / "www" / "handbook"
    make_site(served, "old")
    link = tmp_path / "site"
    link.symlink_to(served, target_is_directory=True)
    result = build_to(config, link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == served.resolve(), "the link is left as it was"
    assert (served / "about" / "index.html").is_file() and not (served / "page0.html").exists()
    assert [p.name for p in (tmp_path / "www").iterdir()] == ["handbook"], "nothing left beside it"


WARN_HOOK = """
import logging

def on_config(config):
    logging.getLogger("mkdocs.plugins.warner").warning("a warning before the site is staged")
    return config
"""


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_a_warning_logged_before_staging_still_keeps_the_old_site_under_strict(tmp_path, engine):
    config = copy_project(tmp_path)
    site = tmp_path / "site"
    make_site(site, "old")
    (tmp_path / "hooks" / "warner.py").write_text(WARN_HOOK.replace("mkdocs.plugins", f"{engine}.plugins"))
    text = config.read_text()
    config.write_text(text.replace("hooks:\n", "hooks:\n  - hooks/warner.py\n", 1))
    command = [str(Path(sys.executable).parent / engine), "build", "--strict", "-f", str(config), "-d", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "a warning before the site is staged" in result.stderr
    assert site_version(site) == "old"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]


def built_beside(site: Path) -> tuple[publish.Publisher, SimpleNamespace]:
    """An old site, and a build staged beside it, ready to be swapped in."""
    make_site(site, "old")
    publisher = publish.Publisher()
    publisher.command = "build"
    config = SimpleNamespace(site_dir=str(site), strict=True)
    publisher.stage(config)
    make_site(Path(config.site_dir), "new")
    return publisher, config


@pytest.mark.parametrize(("code", "fix"), [(errno.EBUSY, "mount point"), (errno.EACCES, "not writable")])
def test_a_refused_swap_is_a_clear_error_and_leaves_the_site(tmp_path, monkeypatch, code, fix):
    site = tmp_path / "site"
    publisher, config = built_beside(site)

    def refuse(a, b):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(swap, "exchange", refuse)
    with pytest.raises(PluginError, match=rf"^{re.escape(str(site))}: the new site cannot take its place .*{fix}"):
        publisher.finish(config)
    publisher.abandon(None)
    assert site_version(site) == "old"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_an_old_site_that_cannot_be_cleared_leaves_the_new_one_published(tmp_path, monkeypatch):
    site = tmp_path / "site"
    publisher, config = built_beside(site)
    real = shutil.rmtree

    def stuck(path, ignore_errors=False, **kwargs):
        """A folder in the old site that this user may not delete."""
        if not ignore_errors:
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", stuck)
    publisher.finish(config)
    monkeypatch.setattr(shutil, "rmtree", real)
    assert site_version(site) == "new" and config.site_dir == str(site.resolve())


def test_a_site_dir_in_a_folder_that_is_not_writable_is_a_clear_error(tmp_path, monkeypatch):
    site = tmp_path / "site"
    make_site(site, "old")
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path.resolve())
    publisher = publish.Publisher()
    publisher.command = "build"
    with pytest.raises(PluginError, match=r"its folder .* is not writable; build to a folder you can write to"):
        publisher.stage(SimpleNamespace(site_dir=str(site), strict=True))
    assert site_version(site) == "old"
