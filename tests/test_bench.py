"""The benchmark (bench/bench.py) runs: a smoke run of every part prints every figure and ratio.

`--smoke` builds the real bank once per variant (handbook warm and cold, one language, floor and
macros peer, every language), times one edit of each bank file under `mkdocs serve`, and opens
the stage, compare and partnerships pages in headless Chromium. Timing decides nothing here:
the run says PASS or FAIL per target, and this test checks only that each figure is printed and
the run exits 0 (a part that breaks stops it with an error)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from support import CHROMIUM, ROOT

pytestmark = pytest.mark.browser  # the browser part needs Chromium

# Every line of figures the run prints, ratios included (the real bank has 37 questions in
# questions.yml today; a fork's has its own number).
FIGURES = [
    r"Bank of \d+ questions \(real bank\), in \d+ languages",
    r"handbook: +wall median +[\d.]+ s",
    r"cold: +wall median +[\d.]+ s",
    r"cold, 1 lang\.: +wall median +[\d.]+ s",
    r"floor: +wall median +[\d.]+ s",
    r"macros: +wall median +[\d.]+ s",
    r"ratios: warm/floor [\d.]+x, cold/floor [\d.]+x, warm/macros [\d.]+x, cold/macros [\d.]+x,"
    r" \d+ languages/1 \(cold\) [\d.]+x, peak memory/floor [\d.]+x",
    r"in CPU time: cold/floor [\d.]+x, cold/macros [\d.]+x",
    r"questions\.yml edit -> /checklists/[\w-]+/ served: [\d. ]+ s, median [\d.]+ s",
    r"browser, .*: stage page of [\d,]+ questions ready in \d+ ms; longest task .* while it loads",
    r"browser, .*: stage page of [\d,]+ questions ready in \d+ ms, longest task .*; status change [\d ]+ ms",
    r"browser, .*: compare page, 8 partners' files .* loaded and each stage's first rows shown in \d+ ms;"
    r" .*[\d,]+ rows then; longest task",
    r"browser, .*: the same page with Material's scripts alone \(the floor, none of ours\): loaded in \d+ ms",
    r"browser, .*: partnerships page with 100 review points ready in \d+ ms, longest task .*;"
    r" \"Show what changed\" .* \d+ ms",
]
# A PASS or FAIL line per target.
TARGETS = [
    r"cold/floor: [\d.]+x, target <= 1\.15x",
    r"handbook/macros: [\d.]+x, target < 1x",
    r"cold/macros: [\d.]+x, target < 1x",
    r"\d+ languages/1 \(cold\): [\d.]+x, target <= 2\.2x",
    r"mkdocs serve: questions\.yml -> .* edit -> page served: [\d.]+ s, target < 0\.4 s",
    r"stage page ready: \d+ ms, target < 1000 ms",
    r"longest task on the stage page: \d+ ms, target <= 100 ms",
    r"longest task, stage page status change: \d+ ms, target <= 200 ms",
    r"longest task, compare page loading the files: \d+ ms, target <= 200 ms",
    r"longest task, partnerships page, 100 review points: \d+ ms, target <= 200 ms",
]


def test_a_smoke_run_prints_every_figure_and_ratio_and_exits_0(tmp_path):
    out = tmp_path / "results.json"
    command = [sys.executable, str(ROOT / "bench" / "bench.py"), "--smoke", "--parts", "builds", "serve", "browser"]
    result = subprocess.run(
        [*command, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "CHROMIUM": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout
    assert result.returncode == 0, output[-3000:] + result.stderr[-3000:]
    for figure in FIGURES:
        assert re.search(figure, output), f"no line matching {figure!r} in:\n{output}"
    targets = output.split("\nTargets\n", 1)[1]
    for target in TARGETS:
        assert re.search(r"(PASS|FAIL)  .*" + target, targets), f"no target line matching {target!r} in:\n{targets}"
    if "cy" in output.split("in 2 languages (", 1)[-1][:20]:
        assert re.search(r"questions\.cy\.yml edit -> /cy/checklists/[\w-]+/ served", output)
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["sizes"][0]["size"] == "real" and figures["browser"]["large"]["partners"] == 8
    assert figures["checks"] and all(check["target"] for check in figures["checks"])
