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

from conftest import copy_project


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
        assert _wait_for(base + "/checklists/considering/", "What vision and mission", timeout=60)
        yield root, base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_editing_the_bank_rebuilds_the_checklist(served):
    root, base = served
    _edit(root / "questions.yml", "What vision and mission do we hold", "What purpose and mission do we hold")
    assert _wait_for(base + "/checklists/considering/", "What purpose and mission do we hold")


def test_a_broken_bank_is_reported_and_fixing_it_recovers(served):
    root, base = served
    bank = root / "questions.yml"
    good = bank.read_text()
    bank.write_text(good.replace("stage: approaching", "stage: aproaching", 1))
    log = root / "serve.log"
    deadline = time.monotonic() + 20
    while "names stage 'aproaching'" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "names stage 'aproaching'" in log.read_text()
    bank.write_text(good.replace("How strongly are we committed", "How firmly are we committed"))
    assert _wait_for(base + "/checklists/approaching/", "How firmly are we committed")


def test_editing_a_guidance_page_or_template_rebuilds(served):
    root, base = served
    _edit(root / "content" / "about.md", "# About", "# About this handbook, edited")
    assert _wait_for(base + "/about/", "About this handbook, edited")
    _edit(root / "theme_overrides" / "handbook" / "shortcodes" / "toolbar.html", "Print this checklist", "Print me")
    assert _wait_for(base + "/checklists/considering/", "Print me")
