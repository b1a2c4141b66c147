"""Build benchmark: the handbook against what a user would otherwise use, in the same run.

Run it with `./run bench` (or `python bench/bench.py --help`). For each bank size (the real
`questions.yml`, then generated banks of 1,200 and 12,000 questions) it builds three projects
from the same bank, alternately, with `python -m mkdocs build --strict --quiet`:

- handbook: a temporary copy of this project (its hooks, theme overrides and content);
- floor: the same checklists written by hand as plain Markdown task lists, one page per stage,
  plus the guidance pages, built by the same MkDocs and Material with no hooks;
- macros: the floor, except that each stage page is a mkdocs-macros-plugin template that loops
  over the YAML bank at build time.

It prints median wall time, CPU time and peak memory per variant, the ratios handbook/floor and
handbook/macros, and the latency of `mkdocs serve` from an edit of `questions.yml` to the page
showing it; then PASS or FAIL per target. Exit status 1 when a target is missed. Everything runs
in temporary projects; the real files are never changed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import importlib.metadata
import io
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import browser  # bench/browser.py, beside this file
import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"

# Targets. A ratio is the handbook's median wall time over the other variant's, every variant
# built in every language the handbook has (mkdocs.yml extra.languages).
TARGET_COLD_FLOOR_RATIO = 1.15  # issue 20: cold build at most 1.15x the hand-written floor, every size
TARGET_MACROS_RATIO = 1.0  # issue 20: faster than the macros peer at every size, warm and cold (strictly below)
TARGET_SERVE_S = 0.4  # issue 20: mkdocs serve, a bank edit to the page served, strictly below
TARGET_MEMORY_RATIO = 1.5  # issue 20: peak memory at most 1.5x the floor's ...
MEMORY_FROM = 12_000  # ... judged at banks of this many questions and more
TARGET_LANGUAGES_RATIO = 2.2  # issue 17: every language's build at most 2.2x the first language's alone
TARGET_READY_MS = 1000  # issue 21: a stage page of the 1,200-question bank ready, strictly below
TARGET_TASK_MS = 100  # issue 21: ... and no task over 100 ms there
TARGET_LARGE_TASK_MS = 200  # issue 21: no task over 200 ms at 12,000 questions, 8 partners, 100 review points
TARGET_OFFICE_S = 2.0  # the browser: 1,200 answers written as a workbook and read back, strictly below
OFFICE_QUESTIONS = 1_200

# "handbook" is built as a user rebuilds it on their own machine, where the hooks keep parsed
# banks and compiled templates between builds (hooks/cache.py); "cold" is the same project on a
# machine that has never built it (an empty cache folder, as on a fresh CI runner or GitHub
# Pages publish); "one" is "cold" with the first language alone (extra.languages: [en]). The
# floor and the macros peer are one project per language (as Material recommends), each
# language's built in turn: their figures are the sum of those builds.
VARIANTS = ("handbook", "cold", "one", "floor", "macros")
LABELS = {"one": "cold, 1 lang."}
DEFAULT_SIZES = ("real", 1_200, 12_000)
BROWSER_SIZES = (1_200, 12_000)  # issue 21: a stage page ready at 1,200; no long task at 12,000
BROWSER_RUNS = 3  # runs of each browser page: its figures are the medians
LARGE_BANK = 5_000  # sizes from here on use --large-runs
# Not copied into the handbook's temporary project: they play no part in a build.
NOT_COPIED = ("tests/", "bench/", ".github/")
# The theme settings the floor and macros projects share with the handbook (no custom_dir).
SHARED_THEME_KEYS = ("name", "language", "font", "palette", "features")

BUILD_TIMEOUT_S = 900
SERVE_READY_TIMEOUT_S = 120
EDIT_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


# -----------------------------------------------------------------------------
# Results
# -----------------------------------------------------------------------------


@dataclass
class Build:
    """One build, as the operating system accounted for the mkdocs process."""

    wall_s: float
    cpu_s: float  # user + system
    peak_rss_kib: int  # ru_maxrss of that one process


@dataclass
class VariantFigures:
    # Per run: the variant's builds added up (one per language for the floor and the macros
    # peer; wall and CPU time summed, the largest peak memory).
    builds: list[Build]
    wall_median_s: float
    cpu_median_s: float
    peak_rss_median_mb: float  # MB = 10^6 bytes
    # What the build made: HTML pages (404 pages aside) and their size, to read the ratios by.
    html_pages: int
    html_mb: float
    # The floor and the macros peer: the first language's build alone (median wall time).
    first_language_wall_median_s: float | None = None

    @classmethod
    def of(cls, runs: list[list[Build]], site: Path) -> VariantFigures:
        builds = [_added_up(parts) for parts in runs]
        pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
        return cls(
            builds=builds,
            wall_median_s=statistics.median(b.wall_s for b in builds),
            cpu_median_s=statistics.median(b.cpu_s for b in builds),
            peak_rss_median_mb=statistics.median(b.peak_rss_kib for b in builds) * 1024 / 1e6,
            html_pages=len(pages),
            html_mb=sum(p.stat().st_size for p in pages) / 1e6,
            first_language_wall_median_s=statistics.median(r[0].wall_s for r in runs) if len(runs[0]) > 1 else None,
        )


def _added_up(parts: list[Build]) -> Build:
    return Build(
        wall_s=sum(b.wall_s for b in parts),
        cpu_s=sum(b.cpu_s for b in parts),
        peak_rss_kib=max(b.peak_rss_kib for b in parts),
    )


@dataclass
class SizeFigures:
    size: str  # "real" or the generated bank's question count
    questions: int
    runs: int
    languages: list[str]
    variants: dict[str, VariantFigures]
    handbook_floor: float
    cold_floor: float
    handbook_macros: float
    cold_macros: float
    languages_ratio: float  # every language's cold build over the first language's alone
    memory_ratio: float  # the handbook's peak memory (the larger of warm and cold) over the floor's
    cold_floor_cpu: float
    cold_macros_cpu: float
    languages_ratio_cpu: float
    macros_html_same_as_floor: bool


@dataclass
class ServeFigures:
    what: str  # the file edited and the page waited for
    median_s: float
    runs_s: list[float]
    rebuild_s: list[float]


@dataclass
class Check:
    name: str
    value: float
    unit: str  # "s" or "x" (a ratio)
    op: str  # "<" or "<="
    target: float
    passed: bool

    def line(self) -> str:
        shown = {"s": f"{self.value:.2f} s", "ms": f"{self.value:.0f} ms"}.get(self.unit, f"{self.value:.3f}x")
        limit = f"{self.target:g} {self.unit}" if self.unit in ("s", "ms") else f"{self.target:g}x"
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {shown}, target {self.op} {limit}"


@dataclass
class Report:
    started: str = ""
    command: str = ""
    source: str = ""  # what was measured: the working tree, or a commit
    machine: dict[str, str] = field(default_factory=dict)
    sizes: list[SizeFigures] = field(default_factory=list)
    serve: list[ServeFigures] = field(default_factory=list)
    browser: dict[str, Any] | None = None  # bench/browser.py's figures
    office: dict[str, Any] | None = None  # bench/office.py's figures
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, value: float, unit: str, op: str, target: float) -> None:
        passed = value < target if op == "<" else value <= target
        check = Check(name, value, unit, op, target, passed)
        self.checks.append(check)
        print(f"  {check.line()}")


@dataclass
class Project:
    """A temporary MkDocs project of one variant: what to build and where."""

    variant: str
    root: Path
    config: Path
    cold: bool = False  # built with an empty cache folder, as on a machine that never built it
    cache: Path | None = None  # the cache folder kept between its builds (HANDBOOK_CACHE_DIR)
    # Each other language's project, built after this one into a folder of its site (the floor
    # and the macros peer: one project per language): (config, site folder).
    others: list[tuple[Path, Path]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # what it builds; each other under site/<code>/

    @property
    def site(self) -> Path:
        return self.root / "site"

    def language_site(self, code: str) -> Path:
        return self.site if code == self.languages[0] else self.site / code

    def build(self) -> list[Build]:
        """One build of each of its languages, in turn."""
        builds = [build(self.config, self.site, cold=self.cold, cache=self.cache)]
        for config, site in self.others:
            builds.append(build(config, site, cold=self.cold, cache=self.cache))
        return builds


# -----------------------------------------------------------------------------
# Main
# -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    report = Report(
        started=f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        command=shlex.join([Path(sys.executable).name, "bench/bench.py", *(sys.argv[1:] if argv is None else argv)]),
    )
    print(f"Handbook build benchmark, {report.started}")
    report.machine = machine()
    _print_machine(report.machine)
    _warn_if_busy()
    if args.smoke:
        print("  Smoke run (--smoke): one build of each variant, the real bank only; timing decides nothing here")
    with _work_dir(args.keep) as work:
        # Every build's cache (parsed banks, compiled templates) in this run's folders, never the user's.
        os.environ["HANDBOOK_CACHE_DIR"] = str(work / "cache")
        # One snapshot for the whole run: later edits to the repository do not mix into it.
        source, report.source = snapshot(work / "source", args.ref)
        print(f"\nProject measured: {report.source}")
        sites: dict[str | int, Path] = {}  # a handbook built at each bank size, for the browser part
        if "builds" in args.parts:
            for size in args.sizes:
                runs = args.large_runs if size != "real" and size >= LARGE_BANK else args.runs
                sites[size] = bench_size(report, work, source, size, runs)
        if "serve" in args.parts:
            bench_serve(report, work, source, args.edits)
        if "browser" in args.parts:
            bench_browser(report, work, source, sites, args.browser_sizes, args.browser_runs)
        if "office" in args.parts:
            bench_office(report, work, source, args.runs)
    report.machine["load average after"] = _loadavg()
    _print_summary(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    print(f"\nResults saved to {_shown(args.out)}")
    if args.smoke:
        print("Smoke run: every part ran; the targets above are not judged (exit 0)")
        return 0
    return 0 if all(c.passed for c in report.checks) else 1


def _shown(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT) else str(path)


def _size(text: str) -> str | int:
    if text == "real":
        return text
    size = int(text.replace(",", "").replace("_", ""))
    if size < 1:
        raise argparse.ArgumentTypeError("a bank size is 'real' or a positive number of questions")
    return size


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("builds", "serve", "browser", "office"),
        default=["builds", "serve", "browser", "office"],
        help="builds: handbook vs floor vs macros at each size; serve: edit-to-page latency; browser: stage,"
        " compare and partnerships pages in headless Chromium (bench/browser.py); office: a workbook"
        f" of {OFFICE_QUESTIONS:,} answers written and read back in the browser (default: all)",
    )
    parser.add_argument(
        "--sizes",
        type=_size,
        nargs="+",
        default=list(DEFAULT_SIZES),
        metavar="SIZE",
        help="bank sizes: 'real' (questions.yml as it is) or a number of questions (default: real 1200 12000)",
    )
    parser.add_argument(
        "--runs", type=int, default=5, help=f"builds per variant for banks under {LARGE_BANK:,} questions (default 5)"
    )
    parser.add_argument(
        "--large-runs", type=int, default=3, help=f"builds per variant from {LARGE_BANK:,} questions on (default 3)"
    )
    parser.add_argument("--edits", type=int, default=7, help="questions.yml edits timed under mkdocs serve (default 7)")
    parser.add_argument(
        "--ref",
        metavar="COMMIT",
        help="measure the project as committed at COMMIT (e.g. HEAD) instead of the working tree",
    )
    parser.add_argument(
        "--browser-sizes",
        type=_size,
        nargs=2,
        default=list(BROWSER_SIZES),
        metavar=("SMALL", "LARGE"),
        help="the browser part's banks: the stage page's readiness on SMALL, the long tasks at LARGE"
        f" questions with {browser.PARTNERS} partners and {browser.REVIEW_POINTS} review points"
        f" (default: {BROWSER_SIZES[0]} {BROWSER_SIZES[1]})",
    )
    parser.add_argument(
        "--browser-runs",
        type=int,
        default=BROWSER_RUNS,
        metavar="N",
        help="runs of each page in the browser part, each in a fresh profile; medians reported"
        f" (default: {BROWSER_RUNS})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary projects in bench/out/work/ for inspection"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write the figures (default bench/out/results.json)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a quick run that only shows every part works: the real bank alone (builds and browser), one build of"
        " each variant, one serve edit of each file; prints every figure, judges no target, exits 0 unless a part"
        " breaks (tests/test_bench.py)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        given = set(argv if argv is not None else sys.argv[1:])
        if "--sizes" not in given:
            args.sizes = ["real"]
        if "--browser-sizes" not in given:
            args.browser_sizes = ["real", "real"]
        args.runs = args.large_runs = args.edits = args.browser_runs = 1
    if args.out is None:
        args.out = OUT / ("smoke-results.json" if args.smoke else "results.json")
    if min(args.runs, args.large_runs, args.edits, args.browser_runs) < 1:
        parser.error("--runs, --large-runs, --edits and --browser-runs must be at least 1")
    return args


@contextlib.contextmanager
def _work_dir(keep: bool) -> Iterator[Path]:
    if keep:
        work = OUT / "work"
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
        **{name: _version(name) for name in ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "markdown")},
        "load average before": _loadavg(),
    }


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


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
# Builds: handbook, hand-written floor and macros peer, alternately
# -----------------------------------------------------------------------------


def bench_size(report: Report, work: Path, source: Path, size: str | int, runs: int) -> Path:
    """Every variant at one bank size; the handbook's site, for the browser part."""
    settings = read_config(source / "mkdocs.yml")
    codes = languages(settings)
    real_text = (source / "questions.yml").read_text(encoding="utf-8")
    bank_text = real_text if size == "real" else synthetic_bank(real_text, size)
    bank = yaml.safe_load(bank_text)
    questions = len(bank["questions"])
    name = f"{questions} questions (real bank)" if size == "real" else f"{questions:,} questions (generated)"
    in_languages = f"in {len(codes)} languages ({', '.join(codes)})"
    print(f"\nBank of {name}, {in_languages}: {runs} builds of each variant, alternately")
    base = work / f"bank-{size}"
    handbook = make_handbook(base / "handbook", source, bank_text)
    handbook.cache = base / "cache"
    banks = {code: language_bank(bank, handbook.root, codes[0], code) for code in codes}
    projects = {
        "handbook": handbook,
        "cold": Project("cold", handbook.root, handbook.config, cold=True, languages=handbook.languages),
        "one": make_handbook(base / "one", source, bank_text, codes[:1], cold=True),
        "floor": make_floor(base / "floor", source, banks, settings),
        "macros": make_macros(base / "macros", source, handbook.root, bank_text, banks, settings),
    }
    # The warm build is a rebuild: a first, untimed build fills its cache.
    handbook.build()
    builds: dict[str, list[list[Build]]] = {variant: [] for variant in VARIANTS}
    for run in range(1, runs + 1):
        # Interleaved, so a change in machine load hits them alike.
        for variant in VARIANTS:
            project = projects[variant]
            builds[variant].append(project.build())
            if run == 1:
                verify(project, {code: banks[code] for code in project.languages})
        line = "   ".join(f"{LABELS.get(v, v)} {sum(b.wall_s for b in builds[v][-1]):.2f} s" for v in VARIANTS)
        print(f"  run {run}: {line}")
    same_html = _same_stage_html(projects["floor"], projects["macros"], banks)
    print(
        f"  checked: every stage page of every language holds every question in each variant; the macros"
        f" stage pages {'render the same HTML as' if same_html else 'differ from'} the floor's"
    )

    figures = {variant: VariantFigures.of(builds[variant], projects[variant].site) for variant in VARIANTS}
    hb, cold, one, floor, macros = (figures[v] for v in VARIANTS)
    result = SizeFigures(
        size=str(size),
        questions=questions,
        runs=runs,
        languages=list(codes),
        variants=figures,
        handbook_floor=hb.wall_median_s / floor.wall_median_s,
        cold_floor=cold.wall_median_s / floor.wall_median_s,
        handbook_macros=hb.wall_median_s / macros.wall_median_s,
        cold_macros=cold.wall_median_s / macros.wall_median_s,
        languages_ratio=cold.wall_median_s / one.wall_median_s,
        memory_ratio=max(hb.peak_rss_median_mb, cold.peak_rss_median_mb) / floor.peak_rss_median_mb,
        cold_floor_cpu=cold.cpu_median_s / floor.cpu_median_s,
        cold_macros_cpu=cold.cpu_median_s / macros.cpu_median_s,
        languages_ratio_cpu=cold.cpu_median_s / one.cpu_median_s,
        macros_html_same_as_floor=same_html,
    )
    report.sizes.append(result)
    for variant, f in figures.items():
        first = f" ({codes[0]} alone {f.first_language_wall_median_s:.2f} s)" if f.first_language_wall_median_s else ""
        print(
            f"  {LABELS.get(variant, variant) + ':':<15}wall median {f.wall_median_s:6.2f} s{first:<18}"
            f" CPU median {f.cpu_median_s:6.2f} s   peak memory median {f.peak_rss_median_mb:4.0f} MB"
            f"   site: {f.html_pages} pages, {f.html_mb:.1f} MB HTML"
        )
    print(
        f"  ratios: warm/floor {result.handbook_floor:.3f}x, cold/floor {result.cold_floor:.3f}x,"
        f" warm/macros {result.handbook_macros:.3f}x, cold/macros {result.cold_macros:.3f}x,"
        f" {len(codes)} languages/1 (cold) {result.languages_ratio:.3f}x,"
        f" peak memory/floor {result.memory_ratio:.3f}x"
    )
    print(
        f"  in CPU time: cold/floor {result.cold_floor_cpu:.3f}x, cold/macros {result.cold_macros_cpu:.3f}x,"
        f" {len(codes)} languages/1 {result.languages_ratio_cpu:.3f}x"
    )
    report.check(f"{name}: cold/floor", result.cold_floor, "x", "<=", TARGET_COLD_FLOOR_RATIO)
    report.check(f"{name}: handbook/macros", result.handbook_macros, "x", "<", TARGET_MACROS_RATIO)
    report.check(f"{name}: cold/macros", result.cold_macros, "x", "<", TARGET_MACROS_RATIO)
    if len(codes) > 1:
        what = f"{name}: {len(codes)} languages/1 (cold)"
        report.check(what, result.languages_ratio, "x", "<=", TARGET_LANGUAGES_RATIO)
    if questions >= MEMORY_FROM:
        report.check(f"{name}: peak memory/floor", result.memory_ratio, "x", "<=", TARGET_MEMORY_RATIO)
    return handbook.site


def languages(settings: dict[str, Any]) -> list[str]:
    """The handbook's languages as mkdocs.yml lists them (extra.languages), the first the bank's own."""
    listed = (settings.get("extra") or {}).get("languages")
    theme = settings.get("theme")
    default = (theme.get("language") if isinstance(theme, dict) else None) or "en"
    return [str(code) for code in listed] if isinstance(listed, list) and listed else [default]


def synthetic_bank(real_text: str, size: int) -> str:
    """The real bank with `size` questions: the real ones repeated in turn, so the questions keep
    the real spread over stages x principles, their text lengths and hints. Stages, principles,
    people, quotes and references are kept as they are."""
    bank = yaml.safe_load(real_text)
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


# The translated fields of each section (hooks/model.py KINDS: `translated`).
TRANSLATED = {
    "stages": ("title", "summary"),
    "principles": ("title", "summary"),
    "questions": ("text", "hint"),
    "people": ("role", "bio"),
    "quotes": ("text",),
}
# "Round <n>: " in a generated bank's question text, in each language the benchmark knows.
ROUND = {"cy": "Rownd {n}: "}


def synthetic_translation(bank_text: str, real_translation: str | None, first: str, language: str) -> str:
    """The translation file (hooks/translations.py format) of a bank made by synthetic_bank, so
    the strict build of every language passes: each generated question's translation is the real
    one of the question it repeats, with its round in front ("Rownd 3: ..."); stages, principles,
    people and quotes keep the real translation file's entries. A field the real file does not
    translate (or with no real file for the language) gets its text as it is, as tests do
    (tests/support.py translate())."""
    bank = yaml.safe_load(bank_text)
    real = (yaml.safe_load(real_translation) if real_translation else None) or {}
    out: dict[str, Any] = {"language": language}
    for section, names in TRANSLATED.items():
        known = real.get(section) or {}
        entries: dict[str, Any] = {}
        for entry in bank.get(section) or ():
            base_id, round_ = entry["id"], ""
            if section == "questions":
                base_id, _, number = entry["id"].rpartition("-")
                round_ = ROUND.get(language, "Round {n}: ").format(n=number)
            fields = {}
            for name in names:
                text = entry.get(name)
                if not isinstance(text, str) or not text.strip():
                    continue
                given = (known.get(base_id) or {}).get(name)
                words = given.get(language) if isinstance(given, dict) else None
                if not isinstance(words, str):
                    words = text
                elif name == "text":
                    words = round_ + words
                fields[name] = {first: text, language: words}
            if fields:
                entries[entry["id"]] = fields
        if entries:
            out[section] = entries
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=1_000_000)


def read_config(path: Path) -> dict[str, Any]:
    """A MkDocs config file, read as MkDocs reads it (!ENV tags, INHERIT)."""
    from mkdocs.utils.yaml import yaml_load  # imported here: only the build part needs MkDocs

    with path.open("rb") as f:
        return yaml_load(f)


# --- handbook ----------------------------------------------------------------


def make_handbook(
    target: Path, source: Path, bank_text: str, codes: list[str] | None = None, cold: bool = False
) -> Project:
    """A copy of the project with this bank as its only bank file, in all its languages or in
    `codes` alone. A generated bank gets a translation file for each other language
    (synthetic_translation), as the strict build of that language needs."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    settings = read_config(target / "mkdocs.yml")
    every = languages(settings)
    real_text = (source / "questions.yml").read_text(encoding="utf-8")
    (target / "questions.yml").write_text(bank_text, encoding="utf-8")
    for code in every[1:]:
        path = target / f"questions.{code}.yml"
        if bank_text != real_text:
            real = path.read_text(encoding="utf-8") if path.is_file() else None
            path.write_text(synthetic_translation(bank_text, real, every[0], code), encoding="utf-8")
    extra: dict[str, Any] = {}
    if codes is not None and codes != every:
        extra["languages"] = list(codes)
        docs = target / settings.get("docs_dir", "docs")
        for code in set(every) - set(codes):
            # A language's guidance pages are in a folder of its own; without the language they are not pages.
            shutil.rmtree(docs / code, ignore_errors=True)
    config = _single_bank_config(target, extra)
    return Project("handbook", target, config, cold=cold, languages=list(codes or every))


def snapshot(target: Path, ref: str | None) -> tuple[Path, str]:
    """The project's files, from the working tree or from a commit, except tests, benchmark and CI.

    The files are what git lists, not a list of folders: whatever mkdocs.yml needs (hook files,
    templates, schema) comes along. From the working tree that is what git tracks plus new files
    it does not ignore, as they are on disk now."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if ref:
        commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
        with tarfile.open(fileobj=io.BytesIO(_git("archive", "--format=tar", commit))) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and not m.name.startswith(NOT_COPIED)]
            # The "data" filter (Python 3.11.4 on) refuses links and paths outside target.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(target, members=members, **safe)
        return target, f"commit {commit} ({ref})"
    if not _in_git():
        return _copy_tree(target), "working tree (not a git checkout: every file but .gitignore's)"
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard").decode("utf-8")
    for rel in sorted(set(filter(None, listed.split("\0")))):
        source = ROOT / rel
        # A tracked file deleted in the working tree is not part of the project any more.
        if rel.startswith(NOT_COPIED) or not source.is_file():
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / rel)
    head = _git("rev-parse", "HEAD").decode().strip()
    changed = _git("status", "--porcelain", "--untracked-files=normal").decode().splitlines()
    return target, f"working tree at {head}" + (f" with {len(changed)} uncommitted changes" if changed else "")


def _in_git() -> bool:
    """A copy made without git (the fork run's, an unpacked archive) has no history to list from."""
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--show-toplevel"], capture_output=True, timeout=120)
    return found.returncode == 0 and Path(found.stdout.decode().strip()).resolve() == ROOT.resolve()


def _copy_tree(target: Path) -> Path:
    """The project's files as they are on disk, leaving out what .gitignore names (built sites,
    environments, caches), read from the file itself so the two never disagree."""
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for folder, folders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT).as_posix()
        here = "" if here == "." else here + "/"
        # Pruned in place, so os.walk never goes into .git, .venv or node_modules.
        folders[:] = [
            name
            for name in folders
            if name != ".git" and name not in ignored and not (here + name + "/").startswith(NOT_COPIED)
        ]
        for name in files:
            source = Path(folder) / name
            if name in ignored or source.is_symlink():
                continue
            (target / here).mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / here / name)
    return target


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True, timeout=120).stdout


def _single_bank_config(project: Path, extra: dict[str, Any] | None = None) -> Path:
    """The config to build: mkdocs.yml itself when it lists questions.yml alone (or no banks) and
    nothing else is to change; otherwise a config inheriting it that lists only questions.yml
    (so the bank under test is the whole bank) and sets `extra` (such as fewer languages)."""
    config = project / "mkdocs.yml"
    banks = (read_config(config).get("extra") or {}).get("question_banks")
    if (banks is None or banks == ["questions.yml"]) and not extra:
        return config
    wrapper = project / "mkdocs-bench.yml"
    settings = {**(extra or {}), "question_banks": ["questions.yml"]}
    wrapper.write_text(yaml.safe_dump({"INHERIT": "mkdocs.yml", "extra": settings}), encoding="utf-8")
    return wrapper


# --- floor and macros --------------------------------------------------------


def make_floor(target: Path, source: Path, banks: dict[str, dict[str, Any]], settings: dict[str, Any]) -> Project:
    """What a user writes by hand: one Markdown task list per stage, plus the guidance pages; one
    project per language, each other language's site in a folder of the first's (site/cy/)."""
    shutil.rmtree(target, ignore_errors=True)
    configs = []
    for code, bank in banks.items():
        folder = _language_folder(target, banks, code)
        docs = _plain_project(folder, source, settings, code, list(banks))
        for stage in bank["stages"]:
            _write(docs / "checklists" / f"{stage['id']}.md", stage_markdown(bank, stage))
        configs.append(_write_config(folder, source, bank, settings, [_search_plugin(settings)], code))
    return _language_project("floor", target, configs, list(banks))


def _language_folder(target: Path, banks: dict[str, Any], code: str) -> Path:
    return target if code == next(iter(banks)) else target / "languages" / code


def _language_project(variant: str, target: Path, configs: list[Path], codes: list[str]) -> Project:
    others = [(config, target / "site" / code) for config, code in zip(configs[1:], codes[1:], strict=True)]
    return Project(variant, target, configs[0], others=others, languages=codes)


def language_bank(bank: dict[str, Any], project: Path, first: str, code: str) -> dict[str, Any]:
    """The bank as a reader of `code` sees it: its stages', principles' and questions' words from
    the translation file beside questions.yml in the handbook's project (where it has them)."""
    if code == first:
        return bank
    path = project / f"questions.{code}.yml"
    translation = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}

    def words(section: str, entry: dict[str, Any], name: str) -> Any:
        given = ((translation.get(section) or {}).get(entry["id"]) or {}).get(name)
        return given.get(code, entry.get(name)) if isinstance(given, dict) else entry.get(name)

    out = dict(bank)
    for section, names in (("stages", ("title",)), ("principles", ("title",)), ("questions", ("text",))):
        out[section] = [{**entry, **{n: words(section, entry, n) for n in names}} for entry in bank[section]]
    return out


def stage_markdown(bank: dict[str, Any], stage: dict[str, Any]) -> str:
    lines = [f"# {stage['title']}", ""]
    for principle in bank["principles"]:
        questions = [q for q in bank["questions"] if q["stage"] == stage["id"] and q["principle"] == principle["id"]]
        if questions:
            lines += [f"## {principle['title']}", "", *(f"- [ ] {q['text']}" for q in questions), ""]
    return "\n".join(lines)


# The macros peer's stage page: Jinja run by mkdocs-macros at build time over the variables it
# loaded from questions.yml (`include_yaml`), giving the floor's Markdown. Whitespace control
# (`{%-`, `-%}`) keeps the list tight, as a hand-written one. In another language the words come
# from the bank's translation file, loaded as the variable `translation` ({{ words(...) }}).
MACROS_STAGE_PAGE = """\
---
render_macros: true
stage_id: {stage_id}
---
{{%- set stage = stages | selectattr("id", "equalto", stage_id) | first %}}
# {{{{ {stage_title} }}}}
{{% for principle in principles %}}
{{%- set items = questions | selectattr("stage", "equalto", stage_id)
                           | selectattr("principle", "equalto", principle.id) | list %}}
{{%- if items %}}

## {{{{ {principle_title} }}}}

{{% for question in items -%}}
- [ ] {{{{ {question_text} }}}}
{{% endfor %}}
{{%- endif %}}
{{%- endfor %}}
"""
# What the template shows, in the bank's own language and through the translation file.
MACROS_WORDS = {"stage_title": "stage.title", "principle_title": "principle.title", "question_text": "question.text"}
MACROS_TRANSLATED = {
    "stage_title": "translation.stages[stage.id].title.{code}",
    "principle_title": "translation.principles[principle.id].title.{code}",
    "question_text": "translation.questions[question.id].text.{code}",
}


def make_macros(
    target: Path,
    source: Path,
    handbook: Path,
    bank_text: str,
    banks: dict[str, dict[str, Any]],
    settings: dict[str, Any],
) -> Project:
    """The floor, but each stage page a mkdocs-macros template that reads the bank at build time
    (and, in another language, the bank's translation file beside it)."""
    shutil.rmtree(target, ignore_errors=True)
    configs = []
    first = next(iter(banks))
    for code, bank in banks.items():
        folder = _language_folder(target, banks, code)
        docs = _plain_project(folder, source, settings, code, list(banks))
        (folder / "questions.yml").write_text(bank_text, encoding="utf-8")
        include: list[Any] = ["questions.yml"]
        words = MACROS_WORDS
        if code != first:
            translation = f"questions.{code}.yml"
            shutil.copyfile(handbook / translation, folder / translation)
            include.append({"translation": translation})
            words = {key: value.format(code=code) for key, value in MACROS_TRANSLATED.items()}
        for stage in bank["stages"]:
            page = MACROS_STAGE_PAGE.format(stage_id=stage["id"], **words)
            _write(docs / "checklists" / f"{stage['id']}.md", page)
        macros = {
            "macros": {
                "include_yaml": include,
                # Only the stage pages are templates (`render_macros: true` in their front matter): the
                # guidance pages may hold `{#` (attr_list ids) or `{{` that are not Jinja.
                "render_by_default": False,
                # A template error must fail the build, not be printed into the page.
                "on_error_fail": True,
                "on_undefined": "strict",
            }
        }
        configs.append(_write_config(folder, source, bank, settings, [_search_plugin(settings), macros], code))
    return _language_project("macros", target, configs, list(banks))


def _plain_project(target: Path, source: Path, settings: dict[str, Any], code: str, codes: list[str]) -> Path:
    """A project folder with the handbook's guidance pages in this language, as they are."""
    docs = target / "docs"
    content = _content(source, settings)
    for page in guidance_pages(source, settings, code, codes):
        _write(docs / page, (content / _language_path(page, code, codes)).read_text(encoding="utf-8"))
    return docs


def _content(source: Path, settings: dict[str, Any]) -> Path:
    return source / settings.get("docs_dir", "docs")


def _language_path(page: str, code: str, codes: list[str]) -> str:
    return page if code == codes[0] else f"{code}/{page}"


def guidance_pages(source: Path, settings: dict[str, Any], code: str, codes: list[str]) -> list[str]:
    """Every *.md of a language's guidance: under content/ for the first language (other
    languages' folders left out), under content/<code>/ for another; paths within that folder."""
    content = _content(source, settings)
    folder = content if code == codes[0] else content / code
    pages = (p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
    return sorted(p for p in pages if code != codes[0] or p.split("/", 1)[0] not in codes[1:])


def _labels(source: Path, settings: dict[str, Any], code: str) -> dict[str, Any]:
    """The language's words for mkdocs.yml's texts: the `config` group of its strings table
    (theme_overrides/locales/<code>.yml), as the handbook uses it; {} for the first language."""
    theme = settings.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    path = source / (custom or "theme_overrides") / "locales" / f"{code}.yml"
    if code == languages(settings)[0] or not path.is_file():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}


def _write_config(
    target: Path, source: Path, bank: dict[str, Any], settings: dict[str, Any], plugins: list[Any], code: str
) -> Path:
    theme = settings.get("theme", "material")
    theme = {"name": theme} if isinstance(theme, str) else theme
    extensions = list(settings.get("markdown_extensions") or [])
    if not any(_entry_name(e) == "pymdownx.tasklist" for e in extensions):
        extensions.append("pymdownx.tasklist")
    labels = _labels(source, settings, code)
    codes = languages(settings)
    config = {
        "site_name": labels.get("site_name", settings.get("site_name", "Handbook")),
        "docs_dir": "docs",
        "strict": True,
        "theme": {**{key: theme[key] for key in SHARED_THEME_KEYS if key in theme}, "language": code},
        "plugins": plugins,
        "markdown_extensions": extensions,
        # The guidance pages link to pages only the handbook generates (overview, all stages,
        # people); here those links are reported at info level, so --strict does not stop on them.
        "validation": {"links": {"not_found": "info"}},
        "nav": floor_nav(guidance_pages(source, settings, code, codes), bank, labels.get("nav") or {}),
    }
    path = target / "mkdocs.yml"
    # yaml.dump (not safe_dump): extension options may hold Python objects (!!python/name tags).
    path.write_text(yaml.dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def floor_nav(pages: list[str], bank: dict[str, Any], labels: dict[str, str]) -> list[Any]:
    """The guidance pages (index.md first, a section per folder), then a Checklists section with
    the stage pages in bank order; section names in the language (labels: mkdocs.yml's nav
    labels in it)."""
    return [
        *_folder_nav(pages, "", labels),
        {labels.get("Checklists", "Checklists"): [{s["title"]: f"checklists/{s['id']}.md"} for s in bank["stages"]]},
    ]


def _folder_nav(pages: list[str], folder: str, labels: dict[str, str]) -> list[Any]:
    prefix = f"{folder}/" if folder else ""
    here = [p for p in pages if p.startswith(prefix) and "/" not in p[len(prefix) :]]
    here.sort(key=lambda p: (p != f"{prefix}index.md", p))
    subfolders = sorted({p[len(prefix) :].split("/")[0] for p in pages if p.startswith(prefix)} - {""})
    nav: list[Any] = list(here)
    for sub in subfolders:
        path = f"{prefix}{sub}"
        if any(p.startswith(path + "/") for p in pages):
            name = sub.replace("-", " ").capitalize()
            nav.append({labels.get(name, name): _folder_nav(pages, path, labels)})
    return nav


def _search_plugin(settings: dict[str, Any]) -> Any:
    """The project's search plugin entry (with its options, if any)."""
    return next((p for p in settings.get("plugins") or [] if _entry_name(p) == "search"), "search")


def _entry_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


# --- checks ------------------------------------------------------------------


def verify(project: Project, banks: dict[str, dict[str, Any]]) -> None:
    """A benchmark of a broken build is worthless: stop unless every stage page of every language
    holds every question."""
    problems = []
    for code, bank in banks.items():
        for stage in bank["stages"]:
            expected = [q for q in bank["questions"] if q["stage"] == stage["id"]]
            page = _stage_page(project.language_site(code), stage["id"])
            if page is None:
                problems.append(f"no page for stage {stage['id']} in {code}")
                continue
            html = page.read_text(encoding="utf-8")
            if project.variant in ("handbook", "cold", "one"):
                missing = [q["id"] for q in expected if f'id="q-{q["id"]}"' not in html]
                if missing:
                    problems.append(f"{page}: {len(missing)} of {len(expected)} questions missing, first {missing[0]}")
                if f'lang="{code}"' not in html[:2000]:
                    problems.append(f"{page}: not in {code}")
            else:
                # Count in the article only: Material's header and nav hold checkboxes of their own.
                boxes = _article(html).count('type="checkbox"')
                if boxes != len(expected):
                    problems.append(f"{page}: {boxes} task-list checkboxes, expected {len(expected)}")
    if problems:
        raise SystemExit(f"bench: the {project.variant} build is wrong:\n  " + "\n  ".join(problems))


def _stage_page(site: Path, stage_id: str) -> Path | None:
    for candidate in (site / "checklists" / stage_id / "index.html", site / "checklists" / f"{stage_id}.html"):
        if candidate.is_file():
            return candidate
    return None


def _article(html: str) -> str:
    match = re.search(r"<article\b.*?</article>", html, flags=re.DOTALL)
    return match.group(0) if match else ""


def _same_stage_html(floor: Project, macros: Project, banks: dict[str, dict[str, Any]]) -> bool:
    """Whether the macros peer rendered the floor's stage pages (it should: the same Markdown)."""
    for code, bank in banks.items():
        for stage in bank["stages"]:
            pages = [_stage_page(p.language_site(code), stage["id"]) for p in (floor, macros)]
            # Whitespace aside: Material's templates lay out a page with front matter a little differently.
            articles = {" ".join(_article(p.read_text(encoding="utf-8")).split()) for p in pages if p}
            if None in pages or len(articles) != 1:
                return False
    return True


# -----------------------------------------------------------------------------
# The browser: stage, compare and partnerships pages (bench/browser.py)
# -----------------------------------------------------------------------------


def bench_browser(
    report: Report, work: Path, source: Path, sites: dict[str | int, Path], sizes: list[str | int], runs: int
) -> None:
    small, large = sizes
    names = {size: _bank_name(source, size) for size in sizes}
    print(
        f"\nThe browser (headless Chromium): a stage page of the {names[small]} bank; the stage, compare and"
        f" partnerships pages of the {names[large]} bank, {browser.PARTNERS} partners, {browser.REVIEW_POINTS}"
        " review points"
    )

    def site(size: str | int) -> Path:
        if size not in sites:
            real_text = (source / "questions.yml").read_text(encoding="utf-8")
            bank_text = real_text if size == "real" else synthetic_bank(real_text, size)
            project = make_handbook(work / f"browser-{size}", source, bank_text)
            build(project.config, project.site)
            sites[size] = project.site
        return sites[size]

    figures = browser.measure(site(small), site(large), names[small], names[large], runs)
    report.browser = figures
    for line in browser.summary(figures):
        print(f"  {line}")
    s, ls, c, pp = (figures["small"]["stage"], *(figures["large"][k] for k in ("stage", "compare", "partnerships")))
    small_name, large_name = names[small], f"{names[large]}, {browser.PARTNERS} partners"
    report.check(f"browser, {small_name}: stage page ready", s["ready_ms"], "ms", "<", TARGET_READY_MS)
    longest = max(s["longest_load_ms"], s["longest_change_ms"])
    report.check(f"browser, {small_name}: longest task on the stage page", longest, "ms", "<=", TARGET_TASK_MS)
    what = f"browser, {large_name}: longest task"
    report.check(f"{what}, stage page status change", ls["longest_change_ms"], "ms", "<=", TARGET_LARGE_TASK_MS)
    report.check(f"{what}, compare page loading the files", c["longest_ms"], "ms", "<=", TARGET_LARGE_TASK_MS)
    longest = max(pp["longest_load_ms"], pp["longest_diff_ms"])
    points = f"partnerships page, {browser.REVIEW_POINTS} review points"
    report.check(f"{what}, {points}", longest, "ms", "<=", TARGET_LARGE_TASK_MS)


def _bank_name(source: Path, size: str | int) -> str:
    if size == "real":
        questions = len(yaml.safe_load((source / "questions.yml").read_text(encoding="utf-8"))["questions"])
        return f"{questions}-question (real)"
    return f"{size:,}-question"


# -----------------------------------------------------------------------------
# The browser: a workbook of 1,200 answers written and read back
# -----------------------------------------------------------------------------


def bench_office(report: Report, work: Path, source: Path, runs: int) -> None:
    import office  # bench/office.py, beside this file

    print(f"\nThe browser: {OFFICE_QUESTIONS:,} answers written as a workbook and read back, median of {runs}")
    real_text = (source / "questions.yml").read_text(encoding="utf-8")
    project = make_handbook(work / "office", source, synthetic_bank(real_text, OFFICE_QUESTIONS))
    build(project.config, project.site)
    figures = office.measure(project.site, runs)
    report.office = figures
    print(f"  {figures['answers']:,} answers, a workbook of {figures['workbook_bytes'] / 1000:.0f} kB")
    print(f"  export: {_fmt_runs(figures['export_s'])} s, median {figures['export_median_s']:.2f} s")
    print(f"  import: {_fmt_runs(figures['import_s'])} s, median {figures['import_median_s']:.2f} s")
    name = f"{OFFICE_QUESTIONS:,} answers: workbook export + import in the browser"
    report.check(name, figures["total_median_s"], "s", "<", TARGET_OFFICE_S)


# -----------------------------------------------------------------------------
# mkdocs serve: edit to rebuilt page
# -----------------------------------------------------------------------------


def bench_serve(report: Report, work: Path, source: Path, edits: int) -> None:
    """Edit to page served under `mkdocs serve`: the bank's text of a question (its stage page in
    the first language), and, in turn with it, that question's words in each other language's
    translation file (its stage page in that language)."""
    project = make_handbook(work / "serve", source, (source / "questions.yml").read_text(encoding="utf-8"))
    codes = project.languages
    first = yaml.safe_load((project.root / "questions.yml").read_text(encoding="utf-8"))["questions"][0]
    files = [("questions.yml", "", lambda text: _text_line(text, first["id"]))]
    for code in codes[1:]:
        if (project.root / f"questions.{code}.yml").is_file():
            find = functools.partial(_translation_line, question_id=first["id"], code=code)
            files.append((f"questions.{code}.yml", f"{code}/", find))
    print(
        f"\nmkdocs serve: an edit -> the stage page served with it, median of {edits} per file,"
        f" in turn: {', '.join(name for name, _, _ in files)}"
    )
    originals = {name: (project.root / name).read_text(encoding="utf-8") for name, _, _ in files}
    rng = random.Random(0)
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in files}
    with serve(project, _free_port()) as (process, log_path):
        base = _served_url(process, log_path)
        _wait_until_served(base + f"checklists/{first['stage']}/", log_path)
        for n in range(1, edits + 1):
            for name, prefix, find in files:
                # A random pause, so edits do not fall in step with the server's file polling.
                time.sleep(rng.uniform(0.3, 0.8))
                marker = f"Bench edit {n} {rng.randrange(16**8):08x}"
                lines = originals[name].splitlines(keepends=True)
                at = find(originals[name])
                lines[at] = lines[at].rstrip("\n") + f" {marker}\n"
                url = base + f"{prefix}checklists/{first['stage']}/"
                start = time.perf_counter()
                (project.root / name).write_text("".join(lines), encoding="utf-8")
                latencies[name].append(_wait_for_text(url, marker, start, log_path))
    rebuilds = _rebuild_times(log_path)[1:]  # the first is the initial build
    for name, prefix, _ in files:
        median = statistics.median(latencies[name])
        page = f"/{prefix}checklists/{first['stage']}/"
        print(f"  {name} edit -> {page} served: {_fmt_runs(latencies[name])} s, median {median:.2f} s")
        report.serve.append(ServeFigures(f"{name} -> {page}", median, latencies[name], rebuilds))
    if rebuilds:
        # A language built in a forked copy logs its own line, before the first language's.
        print(f"  builds MkDocs logged (it drops repeats; each copy its own): {_fmt_runs(rebuilds)} s")
    for figures in report.serve:
        report.check(f"mkdocs serve: {figures.what} edit -> page served", figures.median_s, "s", "<", TARGET_SERVE_S)


def _translation_line(text: str, question_id: str, code: str) -> int:
    """Index of the `<code>:` line of the question's text in a translation file."""
    lines = text.splitlines()
    section = next(n for n, line in enumerate(lines) if line.rstrip() == "questions:")
    entry = next(n for n in range(section + 1, len(lines)) if lines[n].strip() == f"{question_id}:")
    field = next(n for n in range(entry + 1, len(lines)) if lines[n].strip() == "text:")
    return next(n for n in range(field + 1, len(lines)) if lines[n].strip().startswith(f"{code}:"))


@contextlib.contextmanager
def serve(project: Project, port: int) -> Iterator[tuple[subprocess.Popen, Path]]:
    """Run `mkdocs serve` (with livereload, as `./run serve` does) until the block ends."""
    log_path = project.root / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_mkdocs(), "serve", "-f", str(project.config), "-a", f"127.0.0.1:{port}"],
            cwd=project.root,
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
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # Our own session (start_new_session): its group id is the server's pid.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


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


def build(config: Path, site_dir: Path, cold: bool = False, cache: Path | None = None) -> Build:
    """One `python -m mkdocs build --strict --quiet`: start-up and imports count, as for a user.

    Started through bench/measure.py, a small process of its own, which starts the build with
    subprocess.Popen and reaps it with os.wait4: the rusage is the build process's own (CPU time,
    peak resident memory), not inflated by this process's memory (see measure.py)."""
    command = [*_mkdocs(), "build", "--strict", "--quiet", "-f", str(config), "-d", str(site_dir)]
    log_path = config.parent / f"build-{site_dir.name}.log"
    launcher = [sys.executable, str(BENCH / "measure.py"), str(BUILD_TIMEOUT_S), str(log_path), str(config.parent)]
    with tempfile.TemporaryDirectory() as fresh:
        # Cold: an empty cache folder of its own (hooks/cache.py), and an empty temporary folder,
        # so nothing parsed or compiled by an earlier build is found.
        env = _env()
        if cold:
            env.update(HANDBOOK_CACHE_DIR=str(Path(fresh) / "cache"), TMPDIR=fresh)
        elif cache is not None:
            env["HANDBOOK_CACHE_DIR"] = str(cache)
        result = subprocess.run(
            [*launcher, "--", *command], env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S + 60
        )
    if result.returncode != 0:
        raise SystemExit(f"bench: bench/measure.py failed:\n{result.stdout}{result.stderr}")
    measured = json.loads(result.stdout)
    if measured["exit"] != 0:
        reason = f"killed after {BUILD_TIMEOUT_S} s" if measured["exit"] < 0 else f"exit {measured['exit']}"
        raise SystemExit(f"bench: {shlex.join(command)} failed ({reason}):\n{_tail(log_path)}")
    return Build(wall_s=measured["wall_s"], cpu_s=measured["cpu_s"], peak_rss_kib=measured["peak_rss_kib"])


def _mkdocs() -> list[str]:
    return [sys.executable, "-m", "mkdocs"]


def _env() -> dict[str, str]:
    # As ./run sets it.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _fmt_runs(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


def _print_summary(report: Report) -> None:
    print("\nSummary: median wall time (runs), median peak memory; every variant in every language")
    if report.sizes:
        header = "".join(f"{LABELS.get(v, v):<21}" for v in VARIANTS)
        ratios = ("warm/floor", "cold/floor", "warm/macros", "cold/macros", "langs/1", "memory/floor")
        print(f"  {'Questions':<18}{header}" + "".join(f"{r:<13}" for r in ratios))
        for s in report.sizes:
            label = f"{s.questions} (real bank)" if s.size == "real" else f"{s.questions:,}"
            cells = "".join(
                f"{f'{f.wall_median_s:.2f} s ({s.runs}) {f.peak_rss_median_mb:.0f} MB':<21}"
                for f in (s.variants[v] for v in VARIANTS)
            )
            values = (s.handbook_floor, s.cold_floor, s.handbook_macros, s.cold_macros, s.languages_ratio)
            shown = "".join(f"{f'{v:.3f}x':<13}" for v in (*values, s.memory_ratio))
            print(f"  {label:<18}{cells}{shown}")
    for figures in report.serve:
        print(f"  mkdocs serve, {figures.what} edit -> page served: {figures.median_s:.2f} s")
    if report.browser:
        for line in browser.summary(report.browser):
            print(f"  {line}")
    print("\nTargets")
    for check in report.checks:
        print(f"  {check.line()}")


if __name__ == "__main__":
    sys.exit(main())
