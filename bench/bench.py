"""Build-time benchmark for the handbook: prints figures, ratios and targets.

Run it with `./run bench` (or `.venv/bin/python bench/bench.py --help`). It measures:

1. the real handbook (`mkdocs.yml` at the repository root): wall time of
   `mkdocs build --strict`, median of several runs;
2. generated banks of 1,200 and 12,000 questions, each built twice, alternately: with the
   handbook hooks ("hooked"), and as the same pages written out as static Markdown built
   with the same theme, extensions and templates but without the hooks ("floor"); the
   ratio hooked/floor is the hooks' overhead;
3. `mkdocs serve`: time from writing an edit to `questions.yml` until the served stage page
   shows the edit.

Everything runs in temporary copies of the project; the real files are never changed. The
exit status is 1 when a target is missed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import filecmp
import importlib.metadata
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# What a build needs; the benchmark copies these into a temporary project.
PROJECT_PARTS = ("content", "theme_overrides", "hooks", "schema", "mkdocs.yml", "questions.yml")

TARGET_REAL_BUILD_S = 1.5
TARGET_FLOOR_RATIO = 1.25
TARGET_RATIO_AT = 12_000
TARGET_SERVE_S = 1.0

BUILD_TIMEOUT_S = 900
SERVE_READY_TIMEOUT_S = 120
EDIT_TIMEOUT_S = 30


@dataclass
class Timing:
    """One build: wall time (what the targets are about) and the CPU time it used (user + system),
    which other processes on the machine disturb less."""

    wall: float
    cpu: float


@dataclass
class Check:
    name: str
    value: float
    unit: str  # "s": a time that must stay under target; "x": a ratio that must not exceed it
    target: float
    passed: bool

    def line(self) -> str:
        shown = f"{self.value:.2f} s" if self.unit == "s" else f"{self.value:.3f}x"
        limit = f"< {self.target:g} s" if self.unit == "s" else f"<= {self.target:g}x"
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {shown}, target {limit}"


@dataclass
class Report:
    machine: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, value: float, unit: str, target: float) -> Check:
        check = Check(name, value, unit, target, value < target if unit == "s" else value <= target)
        self.checks.append(check)
        print(f"  {check.line()}")
        return check


# -----------------------------------------------------------------------------
# Main
# -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    report = Report()
    with _work_dir(args.keep) as work:
        print(f"Handbook build benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
        report.machine = machine()
        _print_machine(report.machine)
        _warn_if_busy()
        if "real" in args.parts:
            bench_real_build(report, work, args.runs)
        if "banks" in args.parts:
            for size in args.sizes:
                runs = args.runs if size < 5_000 else args.large_runs
                bench_generated_bank(report, work, size, runs)
        if "serve" in args.parts:
            bench_serve(report, work, args.edits)
    report.machine["load average after"] = _loadavg()
    _print_summary(report)
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    print(f"\nResults saved to {(out / 'results.json').relative_to(ROOT)}")
    return 0 if all(c.passed for c in report.checks) else 1


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("real", "banks", "serve"),
        default=["real", "banks", "serve"],
        help="what to measure (default: all three)",
    )
    parser.add_argument("--runs", type=int, default=5, help="builds per median, small sites (default 5)")
    parser.add_argument("--large-runs", type=int, default=3, help="builds per median, 12,000 questions (default 3)")
    parser.add_argument("--edits", type=int, default=7, help="questions.yml edits timed under mkdocs serve (default 7)")
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[1_200, 12_000], help="generated bank sizes (default 1200 12000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects in bench/out/work")
    return parser.parse_args(argv)


@contextlib.contextmanager
def _work_dir(keep: bool) -> Iterator[Path]:
    if keep:
        work = BENCH / "out" / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        yield Path(tmp)


# -----------------------------------------------------------------------------
# Machine
# -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.date.today().isoformat(),
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu model": model,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "mkdocs": importlib.metadata.version("mkdocs"),
        "mkdocs-material": importlib.metadata.version("mkdocs-material"),
        "markdown": importlib.metadata.version("markdown"),
        "jinja2": importlib.metadata.version("jinja2"),
        "load average before": _loadavg(),
    }


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _warn_if_busy() -> None:
    load, cpus = os.getloadavg()[0], len(os.sched_getaffinity(0))
    if load > cpus / 2:
        print(
            f"  WARNING: load average {load:.1f} on {cpus} CPUs: other processes compete for the CPU, so wall times"
            " run high; compare CPU times, or run again on a quiet machine."
        )


def _print_machine(info: dict[str, str]) -> None:
    print("\nMachine")
    for key, value in info.items():
        print(f"  {key + ':':<22}{value}")


# -----------------------------------------------------------------------------
# 1. The real handbook
# -----------------------------------------------------------------------------


def bench_real_build(report: Report, work: Path, runs: int) -> None:
    questions = len(yaml.safe_load((ROOT / "questions.yml").read_text(encoding="utf-8"))["questions"])
    print(f"\n1. Real handbook ({questions} questions): mkdocs build --strict, median of {runs}")
    # Build the real config into a temporary site_dir, so site/ is left alone.
    timings = [build(ROOT / "mkdocs.yml", work / "real-site") for _ in range(runs)]
    summary = _summarise("build", timings)
    report.figures["real_build"] = {"questions": questions, **summary}
    report.check("real handbook build", summary["wall_median_s"], "s", TARGET_REAL_BUILD_S)


# -----------------------------------------------------------------------------
# 2. Generated banks against the plain-Markdown floor
# -----------------------------------------------------------------------------


def bench_generated_bank(report: Report, work: Path, size: int, runs: int) -> None:
    print(f"\n2. Generated bank of {size:,} questions: hooked build vs plain-Markdown floor, median of {runs}")
    project = copy_project(work / f"bank-{size}")
    (project / "questions.yml").write_text(synthetic_bank(ROOT / "questions.yml", size), encoding="utf-8")
    floor_config = capture_floor(project)
    floor_pages = list((project / "floor-docs").rglob("*.md"))
    megabytes = sum(p.stat().st_size for p in floor_pages) / 1e6
    print(f"  floor: {len(floor_pages)} pages, {megabytes:.1f} MB of Markdown")

    hooked_runs, floor_runs = [], []
    for _ in range(runs):  # alternate, so drift in machine load hits both alike
        hooked_runs.append(build(project / "mkdocs.yml", project / "site-hooked"))
        floor_runs.append(build(floor_config, project / "site-floor"))
    differing = compare_sites(project / "site-hooked", project / "site-floor")
    if differing:
        print(f"  WARNING: {len(differing)} built files differ between hooked and floor: {', '.join(differing[:5])}")
    else:
        print("  the floor's site is identical to the hooked site (gzip files aside)")
    hooked = _summarise("hooked", hooked_runs)
    floor = _summarise("floor", floor_runs)
    ratio = hooked["wall_median_s"] / floor["wall_median_s"]
    cpu_ratio = hooked["cpu_median_s"] / floor["cpu_median_s"]
    report.figures[f"bank_{size}"] = {
        "hooked": hooked,
        "floor": floor,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "floor_pages": len(floor_pages),
        "floor_markdown_mb": round(megabytes, 2),
        "differing_files": differing,
    }
    if size == TARGET_RATIO_AT:
        report.check(f"hooked/floor at {size:,} questions", ratio, "x", TARGET_FLOOR_RATIO)
    else:
        print(f"  hooked/floor: {ratio:.3f}x   (no target here: {TARGET_FLOOR_RATIO}x is set at {TARGET_RATIO_AT:,})")
    print(f"  hooked/floor in CPU time: {cpu_ratio:.3f}x")


def synthetic_bank(source: Path, size: int) -> str:
    """The real bank with `size` questions: the real ones repeated in turn, so the questions keep
    the real spread over the 3 stages x 4 principles, their text lengths and hints."""
    bank = yaml.safe_load(source.read_text(encoding="utf-8"))
    real = bank["questions"]
    questions = []
    for n in range(size):
        question = dict(real[n % len(real)])
        round_ = n // len(real) + 1
        question["id"] = f"{question['id']}-{round_}"
        question["text"] = f"Round {round_}: {question['text']}"
        questions.append(question)
    bank["questions"] = questions
    return yaml.safe_dump(bank, sort_keys=False, allow_unicode=True, width=1_000_000)


def capture_floor(project: Path) -> Path:
    """Build once with the hooks plus bench/hooks/capture.py; return the floor's config."""
    floor_config = project / "mkdocs-floor.yml"
    capture_config = project / "mkdocs-capture.yml"
    settings = {
        "docs_dir": str(project / "floor-docs"),
        "config": str(floor_config),
        "inherit": "mkdocs.yml",
        "hook": "_bench/floor.py",
    }
    capture = {
        "INHERIT": "mkdocs.yml",
        "hooks": ["hooks/handbook.py", "_bench/capture.py"],
        "extra": {"bench_capture": settings},
    }
    capture_config.write_text(json.dumps(capture, indent=2), encoding="utf-8")
    build(capture_config, project / "site-capture")
    if not floor_config.exists():
        raise SystemExit(f"bench: the capture build wrote no {floor_config}")
    return floor_config


def compare_sites(a: Path, b: Path) -> list[str]:
    """Files (relative paths) that differ or exist in one site only.

    Gzip files differ by their timestamp, so they are skipped. The sitemap and search index list
    pages in file order, where the hooks' generated pages come last: they are compared sorted.
    """
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file() and p.suffix != ".gz"}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file() and p.suffix != ".gz"}
    differing = sorted(files_a ^ files_b)
    for rel in sorted(files_a & files_b):
        if rel == "sitemap.xml":
            same = _sitemap_urls(a / rel) == _sitemap_urls(b / rel)
        elif rel == "search/search_index.json":
            same = _search_docs(a / rel) == _search_docs(b / rel)
        else:
            same = filecmp.cmp(a / rel, b / rel, shallow=False)
        if not same:
            differing.append(rel)
    return differing


def _sitemap_urls(path: Path) -> list[str]:
    return sorted(re.findall(r"<url>.*?</url>", path.read_text(encoding="utf-8"), flags=re.DOTALL))


def _search_docs(path: Path) -> tuple[Any, list[str]]:
    index = json.loads(path.read_text(encoding="utf-8"))
    return index["config"], sorted(json.dumps(doc, sort_keys=True) for doc in index["docs"])


# -----------------------------------------------------------------------------
# 3. mkdocs serve: edit to rebuilt page
# -----------------------------------------------------------------------------


def bench_serve(report: Report, work: Path, edits: int) -> None:
    print(f"\n3. mkdocs serve: questions.yml edit -> stage page served with the edit, median of {edits}")
    project = copy_project(work / "serve")
    bank_path = project / "questions.yml"
    original = bank_path.read_text(encoding="utf-8")
    first = yaml.safe_load(original)["questions"][0]
    line_no = _text_line(original, first["id"])
    lines = original.splitlines(keepends=True)
    rng = random.Random(0)
    latencies = []
    with serve(project, _free_port()) as (process, log_path):
        url = _served_url(process, log_path) + f"checklists/{first['stage']}/"
        _wait_until_served(url, log_path)
        for n in range(1, edits + 1):
            # A random pause, so edits do not fall in step with the server's 0.5 s file polling.
            time.sleep(rng.uniform(0.3, 0.8))
            marker = f"Bench edit {n} {rng.randrange(16**8):08x}"
            edited = [*lines[:line_no], lines[line_no].rstrip("\n") + f" {marker}\n", *lines[line_no + 1 :]]
            start = time.perf_counter()
            bank_path.write_text("".join(edited), encoding="utf-8")
            latencies.append(_wait_for_text(url, marker, start, log_path))
    rebuilds = _rebuild_times(log_path)[1:]  # the first is the initial build
    print(f"  edit -> page served: {_fmt_runs(latencies)} s")
    median = statistics.median(latencies)
    report.figures["serve_edit"] = {"median_s": median, "runs_s": latencies, "rebuild_s": rebuilds}
    if rebuilds:
        rebuild = statistics.median(rebuilds)
        print(f"  rebuilds MkDocs logged (it drops repeats): {_fmt_runs(rebuilds)} s, median {rebuild:.2f} s")
        print("  the rest is noticing the change: the hooks make the server poll every 0.1 s; it then waits 0.1 s")
    report.check("questions.yml edit -> page rebuilt", median, "s", TARGET_SERVE_S)


@contextlib.contextmanager
def serve(project: Path, port: int) -> Iterator[tuple[subprocess.Popen, Path]]:
    """Run `mkdocs serve` (with livereload, as `./run serve` does) until the block ends."""
    log_path = project / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_mkdocs(), "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
            cwd=project,
            env=_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process, log_path
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # Our own session (start_new_session): its group id is the server's pid.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _rebuild_times(log_path: Path) -> list[float]:
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return [float(t) for t in re.findall(r"Documentation built in ([0-9.]+) seconds", text)]


def _text_line(bank_text: str, question_id: str) -> int:
    """Index of the `text:` line of the question with this id."""
    lines = bank_text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == f"- id: {question_id}")
    return next(n for n in range(start + 1, len(lines)) if lines[n].strip().startswith("text:"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=EDIT_TIMEOUT_S) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _served_url(process: subprocess.Popen, log_path: Path) -> str:
    """The site's address, from the server's log (its path follows site_url in mkdocs.yml)."""
    deadline = time.monotonic() + SERVE_READY_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "Serving on " in line:
                url = line.split("Serving on ", 1)[1].split()[0]
                return url if url.endswith("/") else url + "/"
        time.sleep(0.1)
    raise SystemExit(f"bench: mkdocs serve did not start (waited up to {SERVE_READY_TIMEOUT_S} s)\n{_tail(log_path)}")


def _wait_until_served(url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVE_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if _fetch(url) is not None:
            return
        time.sleep(0.1)
    raise SystemExit(f"bench: mkdocs serve did not serve {url} within {SERVE_READY_TIMEOUT_S} s\n{_tail(log_path)}")


def _wait_for_text(url: str, text: str, start: float, log_path: Path) -> float:
    # The server holds requests while it rebuilds, so the first page with the text is the rebuilt one.
    while time.perf_counter() - start < EDIT_TIMEOUT_S:
        page = _fetch(url)
        if page is not None and text in page:
            return time.perf_counter() - start
        time.sleep(0.01)
    raise SystemExit(f"bench: '{text}' did not appear on {url} within {EDIT_TIMEOUT_S} s\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def copy_project(target: Path) -> Path:
    """A temporary copy of what a build needs, plus the benchmark's hooks under _bench/."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__")
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        else:
            shutil.copy2(source, target / part)
    shutil.copytree(BENCH / "hooks", target / "_bench", ignore=ignore)
    return target


def build(config: Path, site_dir: Path) -> Timing:
    """One `mkdocs build --strict`, Python start-up included, as a user runs it."""
    command = [*_mkdocs(), "build", "--strict", "--quiet", "-f", str(config), "-d", str(site_dir)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timing(wall, cpu)


def _mkdocs() -> list[str]:
    script = Path(sys.executable).parent / "mkdocs"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mkdocs"]


def _env() -> dict[str, str]:
    # As ./run sets them; no bytecode written next to the real hooks/ either.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _fmt_runs(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


def _summarise(label: str, timings: list[Timing]) -> dict[str, Any]:
    walls, cpus = [t.wall for t in timings], [t.cpu for t in timings]
    summary = {
        "wall_median_s": statistics.median(walls),
        "cpu_median_s": statistics.median(cpus),
        "wall_runs_s": walls,
        "cpu_runs_s": cpus,
    }
    print(
        f"  {label + ':':<8}wall {_fmt_runs(walls)} s, median {summary['wall_median_s']:.2f} s"
        f"   (CPU median {summary['cpu_median_s']:.2f} s)"
    )
    return summary


def _print_summary(report: Report) -> None:
    print("\nSummary")
    for check in report.checks:
        print(f"  {check.line()}")


if __name__ == "__main__":
    sys.exit(main())
