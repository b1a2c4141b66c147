"""The pages in the browser, timed (issue 21, "Sizes"): how soon a long stage page is ready, and
how long the browser's longest task is while people use the stage, compare and partnerships
pages, in headless Chromium (playwright, as the tests drive it).

bench.py builds the handbook (or reuses the site its builds part made) at two bank sizes and calls
`measure`. Each page opens in a fresh browser profile, its site served from 127.0.0.1 by a small
server here. Every page's tasks are watched by a PerformanceObserver for `longtask` entries
(tasks of 50 ms or more on the page's main thread), installed before any of the page's scripts
runs; a page with no such entry had no task over 50 ms. Times are the page's own
(performance.now(), from the start of the navigation). Each page is measured `runs` times, each
in a fresh profile: the figures are the medians, with the worst longest task beside them.

- **Stage page, small bank** (1,200 questions: 400 on a stage page), empty profile: ready when the
  last question of the page has its controls (status, notes, action: checklist.js fills them in
  short tasks, in page order), so every question can be answered. Then status changes, as a
  person makes them (the status list's input event), each timed to the next frame.
- **Large bank** (12,000 questions), with a workspace of PARTNERS partnerships in storage, each
  with answers to ANSWERED questions, the active one with REVIEW_POINTS review points:
  - the stage page (4,000 questions): ready time, then status changes, as above;
  - the compare page: PARTNERS partners' answers files, each answering every question, chosen in
    the file picker; done when each stage's table has the rows it shows at first (compare.js shows
    a long stage a page of rows at a time); then "Show more" on the first stage, SHOW_MORE times,
    each done when its rows are in;
  - the partnerships page: ready when all review points are listed; then "Show what changed"
    from the first review point to now.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import http.server
import json
import re
import statistics
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Chromium as the tests launch it: one list of flags, in tests/support.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import CHROMIUM, CHROMIUM_ARGS

PARTNERS = 8  # partnerships in the workspace; partners' files on the compare page
REVIEW_POINTS = 100  # of the active partnership
ANSWERED = 400  # questions each partnership of the workspace has answered (spread over the bank)
POINT_ANSWERS = 100  # answers in the last review point; the first has one in a hundredth of that
STATUS_CHANGES = 5  # on each stage page
SHOW_MORE = 3  # "Show more" clicks on the compare page's first stage
SETTLE_MS = 500  # waited after a step, so the tasks it set off are counted
TIMEOUT_MS = 300_000  # for any one page to get ready: a hang shows as an error, not a figure
FLOOR = "/__bench/floor"  # a page of the site with the handbook's scripts taken out: Material alone
BLANK = "/__bench/blank"  # a page of the site's origin with no script, to put a workspace in storage
WORKSPACE_KEY = "handbook-workspace:/"  # the site is served at /, as the tests serve it
TAB_KEY = "handbook-tab:/"
STORED_FORMAT = "partnership-handbook-workspace"
ANSWERS_FORMAT = "partnership-handbook-answers"
OLDEST = "1970-01-01T00:00:00.000Z"

# Every long task of the page, from before its first script.
LONG_TASKS = """(() => {
  const tasks = (self.__benchTasks = []);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push([entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {
    self.__benchTasksError = String(error);
  }
})();"""

# The stage page is ready when the last question on it has its controls (filled in page order).
STAGE_READY = """() => {
  const lists = document.getElementsByClassName("hb-checklist");
  const last = lists.length ? lists[lists.length - 1].lastElementChild : null;
  return Boolean(last && last.querySelector("[data-hb-field=status]")) && performance.now();
}"""

STAGE_QUESTIONS = """() => [...document.querySelectorAll(".hb-checklist .hb-question")].map((q) => q.id.slice(2))"""

# A status chosen in a question's list, as a person does it; timed to the next frame drawn.
CHANGE_STATUS = """async ([id, status]) => {
  const select = document.getElementById(`hb-status-${id}`);
  const start = performance.now();
  select.value = status;
  select.dispatchEvent(new Event("input", { bubbles: true }));
  select.dispatchEvent(new Event("change", { bubbles: true }));
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const shown = document.getElementById(`q-${id}`).dataset.hbStatus === status;
  return [start, performance.now() - start, shown];
}"""

COMPARE_READY = """() => document.querySelector('[data-hb-app="compare"] [data-hb-js]:not([hidden])') !== null"""
# When the files were chosen: the file input's change event, before the page's own handler.
WATCH_CHOICE = """() => {
  self.__benchChosen = null;
  document.addEventListener("change", (event) => {
    if (event.target.id === "hb-files" && self.__benchChosen === null) self.__benchChosen = performance.now();
  }, true);
}"""
# Done when every table of the side-by-side view has the rows it says it will hold.
COMPARE_DONE = """() => {
  const side = document.querySelector('[data-hb-app="compare"] .hb-side');
  const bodies = side ? [...side.getElementsByTagName("tbody")] : [];
  const full = bodies.every((body) => body.rows.length === Number(body.dataset.hbRows));
  return bodies.length > 0 && full && [bodies.reduce((n, body) => n + body.rows.length, 0), performance.now()];
}"""
# A "Show more" button of the first stage clicked, when there is one (a short bank has none).
SHOW_MORE_CLICK = """() => {
  const button = document.querySelector('[data-hb-app="compare"] .hb-side [data-hb-more]');
  const start = performance.now();
  button?.click();
  return button ? start : null;
}"""

POINTS_READY = """(n) => {
  const list = document.querySelector('[data-hb-app="partnerships"] .hb-snapshots');
  return Boolean(list && list.children.length >= n) && performance.now();
}"""
SHOW_CHANGES = """() => {
  const form = document.querySelector('[data-hb-app="partnerships"] [data-hb-form=diff]');
  form.querySelector("#hb-from").value = "0";
  form.querySelector("#hb-to").value = "now";
  self.__benchStart = performance.now();
  form.querySelector("button").click();
  return self.__benchStart;
}"""
CHANGES_SHOWN = """() => {
  const diff = document.querySelector('[data-hb-app="partnerships"] .hb-diff');
  return Boolean(diff && diff.childElementCount) && performance.now();
}"""


def measure(small_site: Path, large_site: Path, small: str, large: str, runs: int = 1) -> dict[str, Any]:
    """The figures: for the small bank its stage page, and Material alone on that page (the floor:
    no script of ours); for the large one its stage, compare and partnerships pages. `small` and
    `large` name the banks, for the report."""
    from playwright.sync_api import sync_playwright

    small_bank, large_bank = read_bank(small_site), read_bank(large_site)
    stored = json.dumps(workspace(large_bank))
    files = [partner_file(large_bank, n) for n in range(PARTNERS)]
    with served(small_site) as small_url, served(large_site) as large_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            stage = small_bank["stages"][0]["id"]

            def median(page, *args):
                return _median([page(chromium, *args) for _ in range(runs)])

            figures = {
                "runs": runs,
                "small": {
                    "bank": small,
                    "stage": median(stage_page, f"{small_url}/checklists/{stage}/", small_bank, None),
                    "floor": median(floor_page, f"{small_url}{FLOOR}/checklists/{stage}/"),
                },
                "large": {
                    "bank": large,
                    "partners": PARTNERS,
                    "review_points": REVIEW_POINTS,
                    "workspace_chars": len(stored),
                    "stage": median(stage_page, f"{large_url}/checklists/{stage}/", large_bank, stored),
                    "compare": median(compare_page, f"{large_url}/checklists/compare/", large_bank, files),
                    "partnerships": median(partnerships_page, f"{large_url}/checklists/partnerships/", stored),
                },
            }
        finally:
            chromium.close()
    return figures


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' figures as one: each number the median of the runs', each list the median
    run's (by the longest task), and the worst of each longest task as worst_...."""
    longest = [key for key in results[0] if key.startswith("longest_")]
    ranked = sorted(results, key=lambda figures: max(figures[key] for key in longest))
    combined = dict(ranked[len(ranked) // 2])
    for key, value in results[0].items():
        if isinstance(value, float):
            combined[key] = statistics.median(figures[key] for figures in results)
    for key in longest:
        combined[f"worst_{key.removeprefix('longest_')}"] = max(figures[key] for figures in results)
    return combined


def summary(figures: dict[str, Any]) -> list[str]:
    """The figures as lines of text."""
    small, large = figures["small"], figures["large"]
    s, ls, c, p = small["stage"], large["stage"], large["compare"], large["partnerships"]
    floor = small["floor"]
    return [
        f"browser: medians of {figures['runs']} runs of each page, each in a fresh profile",
        f"browser, {small['bank']}: stage page of {s['questions']:,} questions ready in {s['ready_ms']:.0f} ms;"
        f" longest task {_task(s['longest_load_ms'])} while it loads,"
        f" {_task(s['longest_change_ms'])} in {len(s['change_ms'])} status changes"
        f" (each {_ms_list(s['change_ms'])} ms to the next frame); worst run's longest task"
        f" {_task(max(s['worst_load_ms'], s['worst_change_ms']))}",
        f"browser, {small['bank']}: the same page with Material's scripts alone (the floor, none of ours):"
        f" loaded in {floor['loaded_ms']:.0f} ms, longest task {_task(floor['longest_load_ms'])}",
        f"browser, {large['bank']}, {large['partners']} partnerships, {large['review_points']} review points"
        f" ({large['workspace_chars'] / 1e6:.1f} M characters stored): stage page of {ls['questions']:,} questions"
        f" ready in {ls['ready_ms']:.0f} ms, longest task {_task(ls['longest_load_ms'])} while it loads;"
        f" status change {_ms_list(ls['change_ms'])} ms, longest task {_task(ls['longest_change_ms'])}",
        f"browser, {large['bank']}: compare page, {c['partners']} partners' files ({c['file_mb']:.1f} MB each)"
        f" loaded and each stage's first rows shown in {c['done_ms']:.0f} ms;"
        + (
            f" 'Show more' {len(c['more_ms'])} times ({_ms_list(c['more_ms'])} ms),"
            if c["more_ms"]
            else " no 'Show more',"
        )
        + f" {c['rows']:,} rows then; longest task {_task(c['longest_ms'])}"
        f" ({c['long_tasks']} tasks over 50 ms); the page itself loads with longest task"
        f" {_task(c['longest_load_ms'])}",
        f"browser, {large['bank']}: partnerships page with {p['review_points']} review points ready in"
        f' {p["ready_ms"]:.0f} ms, longest task {_task(p["longest_load_ms"])}; "Show what changed" from the first'
        f" point to now {p['diff_ms']:.0f} ms, longest task {_task(p['longest_diff_ms'])}",
    ]


def _task(ms: float) -> str:
    return f"{ms:.0f} ms" if ms else "none over 50 ms"


def _ms_list(values: list[float]) -> str:
    return " ".join(f"{v:.0f}" for v in values)


# -----------------------------------------------------------------------------
# Pages
# -----------------------------------------------------------------------------


def stage_page(chromium, url: str, bank: dict[str, Any], stored: str | None) -> dict[str, Any]:
    context = chromium.new_context()
    try:
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        if stored is not None:
            put_in_storage(page, url, stored)
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        ready = page.wait_for_function(STAGE_READY, polling="raf", timeout=TIMEOUT_MS).json_value()
        page.wait_for_timeout(SETTLE_MS)
        load = tasks(page)
        ids = page.evaluate(STAGE_QUESTIONS)
        statuses = [s["id"] for s in bank["statuses"]]
        changes, change_tasks = [], []
        for n in range(STATUS_CHANGES):
            qid = ids[(2 * n + 1) * len(ids) // (2 * STATUS_CHANGES)]
            status = statuses[(n % (len(statuses) - 1)) + 1]
            start, took, shown = page.evaluate(CHANGE_STATUS, [qid, status])
            if not shown:
                raise SystemExit(f"bench: the status change of {qid} did not show on {url}")
            page.wait_for_timeout(SETTLE_MS)
            changes.append(took)
            change_tasks += [d for s, d in tasks(page) if s >= start - 1]
        return {
            "questions": len(ids),
            "ready_ms": ready,
            "longest_load_ms": max((d for _, d in load), default=0.0),
            "load_tasks_ms": [d for _, d in load],
            "change_ms": changes,
            "change_median_ms": statistics.median(changes),
            "longest_change_ms": max(change_tasks, default=0.0),
        }
    finally:
        context.close()


def floor_page(chromium, url: str) -> dict[str, Any]:
    """The stage page as Material alone makes it: loaded (its load event), then settled."""
    context = chromium.new_context()
    try:
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        page.wait_for_timeout(SETTLE_MS)
        if page.evaluate("Boolean(self.handbook)"):
            raise SystemExit(f"bench: {url} still runs the handbook's scripts")
        load = tasks(page)
        return {"loaded_ms": loaded, "longest_load_ms": max((d for _, d in load), default=0.0)}
    finally:
        context.close()


def compare_page(chromium, url: str, bank: dict[str, Any], files: list[tuple[str, str]]) -> dict[str, Any]:
    context = chromium.new_context()
    try:
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_function(COMPARE_READY, timeout=TIMEOUT_MS)
        page.wait_for_timeout(SETTLE_MS)
        load = tasks(page)
        page.evaluate(WATCH_CHOICE)
        page.set_input_files(
            "#hb-files",
            files=[{"name": name, "mimeType": "application/json", "buffer": text.encode()} for name, text in files],
        )
        rows, done = page.wait_for_function(COMPARE_DONE, polling=50, timeout=TIMEOUT_MS).json_value()
        chosen = page.evaluate("self.__benchChosen")
        page.wait_for_timeout(2 * SETTLE_MS)  # the "where we differ" sheet fills after the tables
        more_ms = []
        for _ in range(SHOW_MORE):
            start = page.evaluate(SHOW_MORE_CLICK)
            if start is None:
                break
            more_rows, shown = page.wait_for_function(COMPARE_DONE, polling=50, timeout=TIMEOUT_MS).json_value()
            if more_rows <= rows:
                raise SystemExit(f"bench: 'Show more' on {url} showed no more rows")
            rows = more_rows
            more_ms.append(shown - start)
            page.wait_for_timeout(SETTLE_MS)
        loaded = page.evaluate("handbook.compare.partners().length")
        if loaded != len(files):
            raise SystemExit(f"bench: the compare page loaded {loaded} of {len(files)} partners' files")
        work = [d for s, d in tasks(page) if s >= chosen - 1]
        return {
            "partners": len(files),
            "file_mb": statistics.mean(len(text.encode()) for _, text in files) / 1e6,
            "questions": len(bank["questions"]),
            "rows": rows,
            "done_ms": done - chosen,
            "more_ms": more_ms,
            "longest_ms": max(work, default=0.0),
            "long_tasks": len(work),
            "tasks_ms": work,
            "longest_load_ms": max((d for _, d in load), default=0.0),
        }
    finally:
        context.close()


def partnerships_page(chromium, url: str, stored: str) -> dict[str, Any]:
    context = chromium.new_context()
    try:
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        put_in_storage(page, url, stored)
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        ready = page.wait_for_function(POINTS_READY, arg=REVIEW_POINTS, polling="raf", timeout=TIMEOUT_MS)
        ready_ms = ready.json_value()
        page.wait_for_timeout(SETTLE_MS)
        load = tasks(page)
        start = page.evaluate(SHOW_CHANGES)
        shown = page.wait_for_function(CHANGES_SHOWN, polling="raf", timeout=TIMEOUT_MS).json_value()
        page.wait_for_timeout(SETTLE_MS)
        diff = [d for s, d in tasks(page) if s >= start - 1]
        return {
            "review_points": REVIEW_POINTS,
            "ready_ms": ready_ms,
            "longest_load_ms": max((d for _, d in load), default=0.0),
            "load_tasks_ms": [d for _, d in load],
            "diff_ms": shown - start,
            "longest_diff_ms": max(diff, default=0.0),
        }
    finally:
        context.close()


def tasks(page) -> list[tuple[float, float]]:
    """The page's long tasks so far: (start, duration) in ms."""
    error = page.evaluate("self.__benchTasksError || ''")
    if error:
        raise SystemExit(f"bench: this Chromium reports no long tasks ({error})")
    return [tuple(task) for task in page.evaluate("self.__benchTasks")]


def put_in_storage(page, url: str, stored: str) -> None:
    """A workspace in the site's storage, put there from a page of the same origin with no script."""
    origin = url.split("/", 3)
    page.goto("/".join(origin[:3]) + BLANK, timeout=TIMEOUT_MS)
    page.evaluate(
        "([key, tab, value]) => { localStorage.setItem(key, value); sessionStorage.removeItem(tab); }",
        [WORKSPACE_KEY, TAB_KEY, stored],
    )


# -----------------------------------------------------------------------------
# Data: the bank the site carries, a workspace, partners' files
# -----------------------------------------------------------------------------


def read_bank(site: Path) -> dict[str, Any]:
    """The bank as the built pages carry it (assets/bank.js)."""
    source = (site / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.split("=", 1)[1].strip().rstrip(";"))


def _moment(n: int, start: str = "2026-01-05T09:00:00") -> str:
    when = datetime.datetime.fromisoformat(start) + datetime.timedelta(minutes=n)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _answer(question: dict[str, Any], status: str, notes: str, n: int) -> dict[str, Any]:
    return {
        "status": status,
        "notes": notes,
        "action": {"text": "", "owner": "", "due": ""},
        "updated": _moment(n),
        "question": question.get("text", ""),
    }


def workspace(bank: dict[str, Any]) -> dict[str, Any]:
    """A stored workspace (store.js): PARTNERS partnerships, each with answers to ANSWERED questions
    spread over the bank; the first, active, with REVIEW_POINTS review points, the k-th holding the
    first answers in turn (up to POINT_ANSWERS), at statuses that changed from point to point."""
    questions = bank["questions"]
    statuses = [s["id"] for s in bank["statuses"]]
    step = max(1, len(questions) // ANSWERED)
    answered = questions[::step][:ANSWERED]
    partnerships = {}
    for p in range(PARTNERS):
        answers = {
            q["id"]: _answer(q, statuses[(n + p) % len(statuses)], f"Partner {p + 1}: talked through at our board.", n)
            for n, q in enumerate(answered)
        }
        points = []
        if p == 0:
            for k in range(REVIEW_POINTS):
                held = answered[: max(1, (k + 1) * POINT_ANSWERS // REVIEW_POINTS)]
                points.append(
                    {
                        "name": f"Review {k + 1}",
                        "taken": _moment(60 * 24 * k, "2025-01-01T10:00:00"),
                        "answers": {
                            q["id"]: _answer(q, statuses[(n + k) % len(statuses)], f"At review {k + 1}.", n)
                            for n, q in enumerate(held)
                        },
                    }
                )
        partnerships[f"partner-{p + 1}"] = {
            "name": f"Partnership {p + 1}",
            "organisation": f"Organisation {p + 1}",
            "kind": "",
            "sources": [],
            "reviewMonths": 6,
            "reset": OLDEST,
            "answers": answers,
            "snapshots": points,
        }
    return {"format": STORED_FORMAT, "version": 2, "active": "partner-1", "partnerships": partnerships}


def partner_file(bank: dict[str, Any], p: int) -> tuple[str, str]:
    """A partner's answers file as the handbook exports it: every question answered, statuses
    that differ between partners, notes on one in three."""
    statuses = [s["id"] for s in bank["statuses"]]
    answers = {
        q["id"]: _answer(
            q,
            statuses[(n * (p + 1) + p) % len(statuses)],
            f"Organisation {p + 1} on this: we would like to settle it at the next workshop." if n % 3 == 0 else "",
            n,
        )
        for n, q in enumerate(bank["questions"])
    }
    data = {
        "format": ANSWERS_FORMAT,
        "version": 2,
        "handbook": {"title": "Leading successful partnerships", "edition": bank.get("edition", "")},
        "partnership": {"name": "Riverside and Northshire partnership"},
        "organisation": {"name": f"Organisation {p + 1}"},
        "exported": "2026-03-02T10:00:00.000Z",
        "answers": answers,
        "snapshots": [],
    }
    return f"organisation-{p + 1}.json", json.dumps(data, ensure_ascii=False)


# -----------------------------------------------------------------------------
# Serving a built site
# -----------------------------------------------------------------------------


# The handbook's own scripts, as the pages load them (main.html): taken out of the floor's pages.
OUR_SCRIPTS = re.compile(
    r'<script src="[^"]*assets/(?:bank|handbook|workspace|compare|actions|chart)\.js" defer></script>'
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == BLANK:
            return self._send(b"<!doctype html><title>bench</title>")
        if self.path.startswith(f"{FLOOR}/") and not self.path.split("?")[0].endswith("/"):
            self.path = self.path.removeprefix(FLOOR)  # what the floor's page loads: the site's own file
        elif self.path.startswith(f"{FLOOR}/"):
            page = Path(self.directory) / self.path.removeprefix(f"{FLOOR}/").split("?")[0] / "index.html"
            html, found = OUR_SCRIPTS.subn("", page.read_text(encoding="utf-8"))
            if not found:
                raise SystemExit(f"bench: {page} loads none of the handbook's scripts: is main.html changed?")
            return self._send(html.encode())
        super().do_GET()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
