"""The fork guide (content/add-your-questions.md), followed to the letter.

Its example bank builds; the errors it shows for three mistakes are the build's own,
word for word; and a fork set up as it says (a bank file of its own, one line of
mkdocs.yml) takes our updates with `git merge` and no conflict, whatever else of
mkdocs.yml we change.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from support import ROOT, build, copy_project, languages, translate

GUIDE = (ROOT / "content" / "add-your-questions.md").read_text(encoding="utf-8")
EXAMPLE = re.search(r"```yaml\n(# yaml-language-server: \$schema=schema/question-bank.*?)```", GUIDE, re.S)[1]
# Its Welsh: every text of the example, as the guide gives it.
WELSH = re.search(r"```yaml\n(# yaml-language-server: \$schema=schema/translation.*?)```", GUIDE, re.S)[1]
# The line the guide tells a fork to add, below the comment it names.
COMMENT = '    # Your bank files here, one per line, as "- our-questions.yml".\n'
FORK_LINE = "    - our-questions.yml\n"


def upstream(mkdocs_yml: str) -> str:
    """Our mkdocs.yml, as in a fresh clone: any bank a fork lists below the comment taken out."""
    assert mkdocs_yml.count(COMMENT) == 1, "mkdocs.yml lost the comment the fork guide points at"
    return re.sub(re.escape(COMMENT) + r"(?:    - .*\n)*", lambda _: COMMENT, mkdocs_yml)


def as_fork(mkdocs_yml: str) -> str:
    return upstream(mkdocs_yml).replace(COMMENT, COMMENT + FORK_LINE)


def fork_project(tmp_path: Path, bank: str, welsh: str = WELSH) -> Path:
    config = copy_project(tmp_path)
    (tmp_path / "our-questions.yml").write_text(bank)
    if "cy" in languages():
        (tmp_path / "our-questions.cy.yml").write_text(welsh)
    for code in languages()[1:]:
        if code != "cy":
            translate(tmp_path / "our-questions.yml", code)  # a fork's own further language
    config.write_text(as_fork(config.read_text()))
    return config


def test_the_guides_example_bank_builds(tmp_path):
    config = fork_project(tmp_path, EXAMPLE)
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "checklists" / "delivering" / "index.html").read_text()
    assert "Added by Riverside Community Health NHS Trust" in html


def test_the_errors_the_guide_shows_are_the_builds_own(tmp_path):
    shown = re.search(r"```text\n(ERROR   -  our-questions\.yml:.*?)\n\n", GUIDE, re.S)[1].splitlines()
    broken = (
        EXAMPLE.replace("id: riverside-first-review", "id: shared-values", 1)
        .replace("stage: delivering\n    principle: resourcing", "stage: delivring\n    principle: resourcing")
        .replace("  - other-relationship", "  - other-relationships")
    )
    config = fork_project(tmp_path, broken)
    result = build(config, tmp_path / "site")
    assert result.returncode != 0
    printed = [line for line in result.stderr.splitlines() if "our-questions.yml:" in line]
    assert printed == shown


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_our_updates_merge_into_a_fork_without_conflicts(tmp_path):
    """Upstream changes every line of mkdocs.yml but the four the guide promises to leave alone
    (the list's key, our entry, the comment and the blank line after it); the fork's merge is clean."""
    ours = upstream((ROOT / "mkdocs.yml").read_text())
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "mkdocs.yml").write_text(ours)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "upstream")
    git(repo, "checkout", "-q", "-b", "fork")
    (repo / "mkdocs.yml").write_text(as_fork(ours))
    (repo / "our-questions.yml").write_text(EXAMPLE)
    git(repo, "add", ".")
    assert git(repo, "commit", "-q", "-m", "our questions").returncode == 0

    git(repo, "checkout", "-q", "main")
    lines = ours.splitlines(keepends=True)
    at = lines.index(COMMENT)
    promised = {at - 2, at - 1, at, at + 1}
    assert lines[at - 2].strip() == "question_banks:" and lines[at + 1].strip() == ""
    changed = [line if n in promised else line.rstrip("\n") + "  # changed upstream\n" for n, line in enumerate(lines)]
    (repo / "mkdocs.yml").write_text("".join(changed))
    git(repo, "commit", "-q", "-am", "our update")

    git(repo, "checkout", "-q", "fork")
    merge = git(repo, "merge", "--no-edit", "main")
    assert merge.returncode == 0, merge.stdout + merge.stderr
    merged = (repo / "mkdocs.yml").read_text()
    assert FORK_LINE in merged and merged.count("# changed upstream") == len(lines) - len(promised)
