"""The office formats in the browser, timed: a partnership's answers to every question of a built
handbook written as a workbook (.xlsx) and read back, as the page "Your partnerships" does it
(theme_overrides/assets/js/workbook.js, in assets/office.js), in headless Chromium.

bench.py builds the handbook with a generated bank (1,200 questions) and calls `measure`. Each
run writes the workbook (SpreadsheetML, each part deflated by the browser) and reads it back
(unzipped, parsed, every row matched to its question); the times are the page's own
(performance.now()), from the call to the bytes and from the bytes to the answers, so the
download and the file picker, which a person waits on anyway, are not in them.
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import threading
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run", "--mute-audio"]

# Every question answered: a status, notes with accents and a line break, an action with a due date.
ANSWER_ALL = """() => {
  const model = handbook.answers;
  const answers = model.dictionary();
  handbook.bank.questions.forEach((question, n) => {
    answers[question.id] = {
      status: model.STATUSES[n % model.STATUSES.length],
      notes: `Trafodwyd ${n}: café, naïve, Zoë.\\nA second line, =not a formula`,
      action: { text: `Write it up (${n})`, owner: "Ana", due: "2031-05-01" },
      updated: new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString(),
      question: model.questionText(question.id),
    };
  });
  const result = handbook.store.replace(handbook.store.workspace.active, answers, "bench");
  return result.ok && Object.keys(handbook.store.active().answers).length;
}"""

ROUND_TRIP = """async () => {
  const office = await handbook.files.loadOffice();
  const partnership = handbook.store.active();
  const start = performance.now();
  const bytes = await office.answersWorkbook(partnership, handbook.store.site);
  const written = performance.now();
  const read = await office.readWorkbook(bytes.buffer);
  const done = performance.now();
  const same = Object.keys(partnership.answers).every(
    (id) => read.answers[id] && read.answers[id].notes === partnership.answers[id].notes
      && read.answers[id].updated === partnership.answers[id].updated,
  );
  return { export_ms: written - start, import_ms: done - written, bytes: bytes.length,
           answers: Object.keys(read.answers).length, problems: read.problems.length, same };
}"""


def measure(site: Path, runs: int) -> dict:
    """Median export and import times (seconds) over `runs` round trips, and what was checked."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/checklists/partnerships/")
            page.wait_for_function("self.handbook && handbook.store")
            answered = page.evaluate(ANSWER_ALL)
            results = [page.evaluate(ROUND_TRIP) for _ in range(runs)]
            browser.close()
    finally:
        server.shutdown()
    bad = [r for r in results if r["answers"] != answered or r["problems"] or not r["same"]]
    if not answered or bad:
        raise SystemExit(f"bench: the workbook did not round-trip every answer: {bad[:1] or 'no answers given'}")
    export_s = [r["export_ms"] / 1000 for r in results]
    import_s = [r["import_ms"] / 1000 for r in results]
    total_s = [a + b for a, b in zip(export_s, import_s, strict=True)]
    return {
        "answers": answered,
        "workbook_bytes": results[0]["bytes"],
        "export_s": export_s,
        "import_s": import_s,
        "total_s": total_s,
        "export_median_s": statistics.median(export_s),
        "import_median_s": statistics.median(import_s),
        "total_median_s": statistics.median(total_s),
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
