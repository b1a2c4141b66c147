"""`mkdocs serve` rebuilds when the bank, a guidance page or a template changes,
and reports a broken bank without stopping."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support import copy_project, project_bank

# Two questions of questions.yml that the site shows as written there (a fork may reword some).
FIRST, SECOND = [q for q in project_bank().questions if q.origin.path == "questions.yml" and not q.adapted_by][:2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except OSError:
        return ""


def _wait_for(url: str, text: str, present: bool = True, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (text in _get(url)) == present:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    config = copy_project(root)
    port = _free_port()
    log = (root / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/partnerships-handbook"
    try:
        assert _wait_for(f"{base}/checklists/{FIRST.stage}/", words(FIRST), timeout=60)
        yield root, base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def words(question) -> str:
    """The start of a question as its page shows it."""
    return " ".join(question.text.plain.split()[:5])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_editing_the_bank_rebuilds_the_checklist(served):
    root, base = served
    _edit(root / "questions.yml", f"text: {FIRST.text}", f"text: Edited while served. {FIRST.text}")
    assert _wait_for(f"{base}/checklists/{FIRST.stage}/", "Edited while served.")


def test_a_broken_bank_is_reported_and_fixing_it_recovers(served):
    root, base = served
    bank = root / "questions.yml"
    good = bank.read_text()
    typo = f"{SECOND.stage}x"
    bank.write_text(good.replace(f"stage: {SECOND.stage}", f"stage: {typo}", 1))
    log = root / "serve.log"
    deadline = time.monotonic() + 20
    while f"names stage '{typo}'" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"names stage '{typo}'" in log.read_text()
    assert "Traceback" not in log.read_text()
    bank.write_text(good.replace(f"text: {SECOND.text}", f"text: Fixed and edited. {SECOND.text}"))
    assert _wait_for(f"{base}/checklists/{SECOND.stage}/", "Fixed and edited.")


def test_editing_a_guidance_page_or_template_rebuilds(served):
    root, base = served
    _edit(root / "content" / "about.md", "# About", "# About this handbook, edited")
    assert _wait_for(base + "/about/", "About this handbook, edited")
    toolbar = root / "theme_overrides" / "handbook" / "html" / "toolbar.html"
    _edit(toolbar, '<p class="hb-toolbar__row">{{', '<p class="hb-toolbar__row">Edited template {{')
    assert _wait_for(f"{base}/checklists/{FIRST.stage}/", "Edited template")
    # The interface's words are in the strings tables: an edit there rebuilds too.
    _edit(root / "theme_overrides" / "locales" / "en.yml", "stage: Print this checklist", "stage: Print me")
    assert _wait_for(f"{base}/checklists/{FIRST.stage}/", "Print me")


def test_a_file_added_to_the_theme_is_served(served):
    """serve.py lists the theme's files once; a change in custom_dir lists them again."""
    root, base = served
    (root / "theme_overrides" / "assets" / "added-while-serving.css").write_text("/* added */\n")
    _edit(root / "content" / "about.md", "# About", "# About, once more")
    assert _wait_for(f"{base}/about/", "About, once more")
    assert _wait_for(f"{base}/assets/added-while-serving.css", "/* added */")


def test_a_file_gone_while_the_theme_is_listed_does_not_stop_a_rebuild(tmp_path):
    """Emacs marks a file being edited with a lock, `.#name`, a link to nothing; other
    editors save through temporary files that are gone a moment later."""
    from types import SimpleNamespace

    import serve

    (tmp_path / "main.html").write_text("{% extends 'base.html' %}")
    (tmp_path / ".#main.html").symlink_to(tmp_path / "user@host.1234")
    config = SimpleNamespace(theme=SimpleNamespace(custom_dir=str(tmp_path), dirs=[str(tmp_path)]))
    _, stamps = serve.Serve._fingerprint(config)
    assert [Path(path).name for path, _ in stamps] == ["main.html"]
