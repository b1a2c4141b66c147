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

from support import bank_files, copy_project, languages, project_bank, translate

# Questions of questions.yml that the site shows as written there (a fork may reword some);
# each test edits its own.
FIRST, SECOND, THIRD, FOURTH = [
    q for q in project_bank().questions if q.origin.path == "questions.yml" and not q.adapted_by
][:4]


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
    # The server still answers: the last good site, with what went wrong at the top of the page.
    page = f"{base}/checklists/{SECOND.stage}/"
    assert _wait_for(page, "The last change did not build")
    shown = _get(page)
    assert words(SECOND) in shown and f"names stage &#x27;{typo}&#x27;" in shown
    for code in languages()[1:]:
        assert _wait_for(f"{base}/{code}/checklists/{SECOND.stage}/", "The last change did not build"), code
    bank.write_text(good.replace(f"text: {SECOND.text}", f"text: Fixed and edited. {SECOND.text}"))
    assert _wait_for(page, "Fixed and edited.")
    assert "The last change did not build" not in _get(page)


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


def test_editing_a_translation_rebuilds_that_languages_page(served):
    """Another language may be built in a forked copy, whose reads serve never hears of: its
    translation files are watched all the same."""
    import yaml

    from translations import file_for

    root, base = served
    others = languages()[1:]
    if not others:
        pytest.skip("the handbook has one language: no translation to edit")
    for code in others:
        path = root / file_for("questions.yml", code)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["questions"][FOURTH.id]["text"][code] = f"Edited in {code} while served. " + str(
            data["questions"][FOURTH.id]["text"][code]
        )
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert _wait_for(f"{base}/{code}/checklists/{FOURTH.stage}/", f"Edited in {code} while served."), code


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


def test_a_schema_edit_takes_effect_on_the_next_rebuild(served):
    """The schema is read again when it changes. A key a fork's schema starts to allow,
    which nothing in the handbook reads, is then reported as unused rather than unknown."""
    root, base = served
    schema = root / "schema" / "question-bank.schema.json"
    bank = root / "questions.yml"
    original = schema.read_text()
    _edit(bank, f"text: {THIRD.text}", f"colour: green\n    text: Coloured. {THIRD.text}")
    log = root / "serve.log"
    assert _wait_for_log(log, "unknown key 'colour'")
    allowed = original.replace(
        '"stage": {\n            "description": "Id of a stage."',
        '"colour": {"type": "string"},\n          "stage": {\n            "description": "Id of a stage."',
        1,
    )
    assert allowed != original
    schema.write_text(allowed)
    assert _wait_for_log(log, "has key 'colour', which the schema allows but the handbook does not use")
    assert "Traceback" not in log.read_text()
    _edit(bank, "colour: green\n    ", "")
    assert _wait_for(f"{base}/checklists/{THIRD.stage}/", "Coloured.")


def _wait_for_log(log: Path, text: str, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    return text in log.read_text()


def test_a_bank_file_listed_while_serving_is_watched(served):
    root, base = served
    # A bank file of its own, beside any a fork lists already (ours is "our-questions.yml").
    name = "riverside-questions.yml"
    assert name not in bank_files()
    ours = root / name
    ours.write_text(
        "organisation:\n  name: Riverside\nquestions:\n  - id: riverside-added\n"
        f"    stage: {FIRST.stage}\n    principle: {FIRST.principle}\n    text: Added while served?\n"
    )
    for code in languages()[1:]:
        translate(ours, code)
    config = root / "mkdocs.yml"
    _edit(
        config,
        '    # Your bank files here, one per line, as "- our-questions.yml".\n',
        f'    # Your bank files here, one per line, as "- our-questions.yml".\n    - {name}\n',
    )
    assert _wait_for(f"{base}/checklists/{FIRST.stage}/", "Added while served?")
    # The new file is watched: an edit to it alone rebuilds.
    _edit(ours, "Added while served?", "Edited in the new file?")
    assert _wait_for(f"{base}/checklists/{FIRST.stage}/", "Edited in the new file?")


def test_serve_stops_with_what_to_check_when_the_engine_is_not_the_version_it_knows():
    """serve.py replaces a method private to MkDocs' build: only for the versions it was checked
    against; the pinned ones pass, any other stops serve with a message saying what to check."""
    import mkdocs
    from mkdocs.exceptions import PluginError

    import serve

    serve.check_engine()  # the pinned engine
    assert serve.TESTED["mkdocs"] == mkdocs.__version__
    with pytest.raises(PluginError, match=r"written for mkdocs 1\.6\.1, but this is mkdocs 1\.7\.0; check that"):
        serve.check_engine("mkdocs", "1.7.0")
    with pytest.raises(PluginError, match=r"TESTED\['properdocs'\]"):
        serve.check_engine("properdocs", "9.9")


def test_serve_polls_sooner_through_the_servers_public_settings(tmp_path):
    from types import SimpleNamespace

    from mkdocs.livereload import LiveReloadServer

    import serve

    built = []

    def failing():
        built.append(1)
        raise RuntimeError("a broken bank")

    original = LiveReloadServer(builder=failing, host="127.0.0.1", port=0, root=str(tmp_path))
    config = SimpleNamespace(docs_dir=str(tmp_path), config_file_path=None, theme=SimpleNamespace(custom_dir=None))
    quick = serve.Serve.quicker(original, config)
    assert quick.observer.timeout == serve.POLL_SECONDS and quick.build_delay == serve.BURST_SECONDS
    assert quick.root == original.root
    # A rebuild that fails does not raise: MkDocs would then hold every request until one succeeds.
    quick.builder()
    assert built == [1]
