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

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"

# Targets. A ratio is the handbook's median wall time over the other variant's.
TARGET_REAL_FLOOR_RATIO = 1.3  # the real bank: handbook at most 1.3x the hand-written floor
TARGET_BANK_FLOOR_RATIO = 1.25  # generated banks (1,200 and 12,000 questions): at most 1.25x
TARGET_MACROS_RATIO = 1.0  # every size: handbook faster than the macros peer (strictly below)
TARGET_SERVE_S = 0.5  # mkdocs serve: questions.yml edit to page served, strictly below

# "handbook" is built as a user rebuilds it on their own machine, where the hooks keep the
# theme's compiled templates between builds (hooks/render.py); "cold" is the same project on
# a machine that has never built it (an empty temporary folder, as on a fresh CI runner).
# The targets are judged on "handbook", the build a user runs again and again; the cold
# ratios are printed beside them, not judged.
VARIANTS = ("handbook", "cold", "floor", "macros")
DEFAULT_SIZES = ("real", 1_200, 12_000)
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
    builds: list[Build]
    wall_median_s: float
    cpu_median_s: float
    peak_rss_median_mb: float  # MB = 10^6 bytes
    # What the build made: HTML pages (404 page aside) and their size, to read the ratios by.
    html_pages: int
    html_mb: float

    @classmethod
    def of(cls, builds: list[Build], site: Path) -> VariantFigures:
        pages = [p for p in site.rglob("*.html") if p.relative_to(site).as_posix() != "404.html"]
        return cls(
            builds=builds,
            wall_median_s=statistics.median(b.wall_s for b in builds),
            cpu_median_s=statistics.median(b.cpu_s for b in builds),
            peak_rss_median_mb=statistics.median(b.peak_rss_kib for b in builds) * 1024 / 1e6,
            html_pages=len(pages),
            html_mb=sum(p.stat().st_size for p in pages) / 1e6,
        )


@dataclass
class SizeFigures:
    size: str  # "real" or the generated bank's question count
    questions: int
    runs: int
    variants: dict[str, VariantFigures]
    handbook_floor: float
    handbook_macros: float
    cold_floor: float
    cold_macros: float
    cold_floor_cpu: float
    cold_macros_cpu: float
    macros_html_same_as_floor: bool


@dataclass
class ServeFigures:
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
        shown = f"{self.value:.2f} s" if self.unit == "s" else f"{self.value:.3f}x"
        limit = f"{self.target:g} s" if self.unit == "s" else f"{self.target:g}x"
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {shown}, target {self.op} {limit}"


@dataclass
class Report:
    started: str = ""
    command: str = ""
    source: str = ""  # what was measured: the working tree, or a commit
    machine: dict[str, str] = field(default_factory=dict)
    sizes: list[SizeFigures] = field(default_factory=list)
    serve: ServeFigures | None = None
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
    cold: bool = False  # built with an empty temporary folder, as on a machine that never built it

    @property
    def site(self) -> Path:
        return self.root / "site"


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
    with _work_dir(args.keep) as work:
        # One snapshot for the whole run: later edits to the repository do not mix into it.
        source, report.source = snapshot(work / "source", args.ref)
        print(f"\nProject measured: {report.source}")
        if "builds" in args.parts:
            for size in args.sizes:
                runs = args.large_runs if size != "real" and size >= LARGE_BANK else args.runs
                bench_size(report, work, source, size, runs)
        if "serve" in args.parts:
            bench_serve(report, work, source, args.edits)
    report.machine["load average after"] = _loadavg()
    _print_summary(report)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    print(f"\nResults saved to {(OUT / 'results.json').relative_to(ROOT)}")
    return 0 if all(c.passed for c in report.checks) else 1


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
        choices=("builds", "serve"),
        default=["builds", "serve"],
        help="builds: handbook vs floor vs macros at each size; serve: edit-to-page latency (default: both)",
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
        "--keep", action="store_true", help="keep the temporary projects in bench/out/work/ for inspection"
    )
    args = parser.parse_args(argv)
    if min(args.runs, args.large_runs, args.edits) < 1:
        parser.error("--runs, --large-runs and --edits must be at least 1")
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


def bench_size(report: Report, work: Path, source: Path, size: str | int, runs: int) -> None:
    settings = read_config(source / "mkdocs.yml")
    real_text = (source / "questions.yml").read_text(encoding="utf-8")
    bank_text = real_text if size == "real" else synthetic_bank(real_text, size)
    bank = yaml.safe_load(bank_text)
    questions = len(bank["questions"])
    name = f"{questions} questions (real bank)" if size == "real" else f"{questions:,} questions (generated)"
    print(f"\nBank of {name}: {runs} builds of each variant, alternately")
    base = work / f"bank-{size}"
    handbook = make_handbook(base / "handbook", source, bank_text)
    projects = {
        "handbook": handbook,
        "cold": Project("cold", handbook.root, handbook.config, cold=True),
        "floor": make_floor(base / "floor", source, bank, settings),
        "macros": make_macros(base / "macros", source, bank_text, bank, settings),
    }
    builds: dict[str, list[Build]] = {variant: [] for variant in VARIANTS}
    for run in range(1, runs + 1):
        # Interleaved, so a change in machine load hits the three alike.
        for variant in VARIANTS:
            project = projects[variant]
            builds[variant].append(build(project.config, project.site, cold=project.cold))
            if run == 1:
                verify(project, bank)
        line = "   ".join(f"{v} {builds[v][-1].wall_s:.2f} s" for v in VARIANTS)
        print(f"  run {run}: {line}")
    same_html = _same_stage_html(projects["floor"], projects["macros"], bank)
    print(
        f"  checked: every stage page holds every question in each variant; the macros stage pages "
        f"{'render the same HTML as' if same_html else 'differ from'} the floor's"
    )

    figures = {variant: VariantFigures.of(builds[variant], projects[variant].site) for variant in VARIANTS}
    hb, cold, floor, macros = (figures[v] for v in VARIANTS)
    result = SizeFigures(
        size=str(size),
        questions=questions,
        runs=runs,
        variants=figures,
        handbook_floor=hb.wall_median_s / floor.wall_median_s,
        handbook_macros=hb.wall_median_s / macros.wall_median_s,
        cold_floor=cold.wall_median_s / floor.wall_median_s,
        cold_macros=cold.wall_median_s / macros.wall_median_s,
        cold_floor_cpu=cold.cpu_median_s / floor.cpu_median_s,
        cold_macros_cpu=cold.cpu_median_s / macros.cpu_median_s,
        macros_html_same_as_floor=same_html,
    )
    report.sizes.append(result)
    for variant, f in figures.items():
        print(
            f"  {variant + ':':<10}wall median {f.wall_median_s:6.2f} s   CPU median {f.cpu_median_s:6.2f} s"
            f"   peak memory median {f.peak_rss_median_mb:4.0f} MB"
            f"   site: {f.html_pages} pages, {f.html_mb:.1f} MB HTML"
        )
    print(
        f"  cold (first build on a machine): handbook/floor {result.cold_floor:.3f}x,"
        f" handbook/macros {result.cold_macros:.3f}x"
    )
    print(
        f"  in CPU time, cold: handbook/floor {result.cold_floor_cpu:.3f}x,"
        f" handbook/macros {result.cold_macros_cpu:.3f}x"
    )
    floor_target = TARGET_REAL_FLOOR_RATIO if size == "real" else TARGET_BANK_FLOOR_RATIO
    report.check(f"{name}: handbook/floor", result.handbook_floor, "x", "<=", floor_target)
    report.check(f"{name}: handbook/macros", result.handbook_macros, "x", "<", TARGET_MACROS_RATIO)


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


def read_config(path: Path) -> dict[str, Any]:
    """A MkDocs config file, read as MkDocs reads it (!ENV tags, INHERIT)."""
    from mkdocs.utils.yaml import yaml_load  # imported here: only the build part needs MkDocs

    with path.open("rb") as f:
        return yaml_load(f)


# --- handbook ----------------------------------------------------------------


def make_handbook(target: Path, source: Path, bank_text: str) -> Project:
    """A copy of the project with this bank as its only bank file."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    (target / "questions.yml").write_text(bank_text, encoding="utf-8")
    return Project("handbook", target, _single_bank_config(target))


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


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True, timeout=120).stdout


def _single_bank_config(project: Path) -> Path:
    """The config to build: mkdocs.yml itself when it lists questions.yml alone (or no banks);
    otherwise a config inheriting it that lists only questions.yml, so the bank under test is the
    whole bank."""
    config = project / "mkdocs.yml"
    banks = (read_config(config).get("extra") or {}).get("question_banks")
    if banks is None or banks == ["questions.yml"]:
        return config
    wrapper = project / "mkdocs-bench.yml"
    wrapper.write_text(
        yaml.safe_dump({"INHERIT": "mkdocs.yml", "extra": {"question_banks": ["questions.yml"]}}), encoding="utf-8"
    )
    return wrapper


# --- floor and macros --------------------------------------------------------


def make_floor(target: Path, source: Path, bank: dict[str, Any], settings: dict[str, Any]) -> Project:
    """What a user writes by hand: one Markdown task list per stage, plus the guidance pages."""
    docs = _plain_project(target, source)
    for stage in bank["stages"]:
        _write(docs / "checklists" / f"{stage['id']}.md", stage_markdown(bank, stage))
    plugins = [_search_plugin(settings)]
    return Project("floor", target, _write_config(target, source, bank, settings, plugins))


def stage_markdown(bank: dict[str, Any], stage: dict[str, Any]) -> str:
    lines = [f"# {stage['title']}", ""]
    for principle in bank["principles"]:
        questions = [q for q in bank["questions"] if q["stage"] == stage["id"] and q["principle"] == principle["id"]]
        if questions:
            lines += [f"## {principle['title']}", "", *(f"- [ ] {q['text']}" for q in questions), ""]
    return "\n".join(lines)


# The macros peer's stage page: Jinja run by mkdocs-macros at build time over the variables it
# loaded from questions.yml (`include_yaml`), giving the floor's Markdown. Whitespace control
# (`{%-`, `-%}`) keeps the list tight, as a hand-written one.
MACROS_STAGE_PAGE = """\
---
render_macros: true
stage_id: {stage_id}
---
{{%- set stage = stages | selectattr("id", "equalto", stage_id) | first %}}
# {{{{ stage.title }}}}
{{% for principle in principles %}}
{{%- set items = questions | selectattr("stage", "equalto", stage_id)
                           | selectattr("principle", "equalto", principle.id) | list %}}
{{%- if items %}}

## {{{{ principle.title }}}}

{{% for question in items -%}}
- [ ] {{{{ question.text }}}}
{{% endfor %}}
{{%- endif %}}
{{%- endfor %}}
"""


def make_macros(target: Path, source: Path, bank_text: str, bank: dict[str, Any], settings: dict[str, Any]) -> Project:
    """The floor, but each stage page a mkdocs-macros template that reads the bank at build time."""
    docs = _plain_project(target, source)
    (target / "questions.yml").write_text(bank_text, encoding="utf-8")
    for stage in bank["stages"]:
        _write(docs / "checklists" / f"{stage['id']}.md", MACROS_STAGE_PAGE.format(stage_id=stage["id"]))
    macros = {
        "macros": {
            "include_yaml": ["questions.yml"],
            # Only the stage pages are templates (`render_macros: true` in their front matter): the
            # guidance pages may hold `{#` (attr_list ids) or `{{` that are not Jinja.
            "render_by_default": False,
            # A template error must fail the build, not be printed into the page.
            "on_error_fail": True,
            "on_undefined": "strict",
        }
    }
    plugins = [_search_plugin(settings), macros]
    return Project("macros", target, _write_config(target, source, bank, settings, plugins))


def _plain_project(target: Path, source: Path) -> Path:
    """A project folder with the handbook's guidance pages (every *.md under content/) as they are."""
    shutil.rmtree(target, ignore_errors=True)
    docs = target / "docs"
    for page in guidance_pages(source):
        _write(docs / page, (source / "content" / page).read_text(encoding="utf-8"))
    return docs


def guidance_pages(source: Path) -> list[str]:
    content = source / "content"
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))


def _write_config(
    target: Path, source: Path, bank: dict[str, Any], settings: dict[str, Any], plugins: list[Any]
) -> Path:
    theme = settings.get("theme", "material")
    theme = {"name": theme} if isinstance(theme, str) else theme
    extensions = list(settings.get("markdown_extensions") or [])
    if not any(_entry_name(e) == "pymdownx.tasklist" for e in extensions):
        extensions.append("pymdownx.tasklist")
    config = {
        "site_name": settings.get("site_name", "Handbook"),
        "docs_dir": "docs",
        "strict": True,
        "theme": {key: theme[key] for key in SHARED_THEME_KEYS if key in theme},
        "plugins": plugins,
        "markdown_extensions": extensions,
        # The guidance pages link to pages only the handbook generates (overview, all stages,
        # people); here those links are reported at info level, so --strict does not stop on them.
        "validation": {"links": {"not_found": "info"}},
        "nav": floor_nav(guidance_pages(source), bank),
    }
    path = target / "mkdocs.yml"
    # yaml.dump (not safe_dump): extension options may hold Python objects (!!python/name tags).
    path.write_text(yaml.dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def floor_nav(pages: list[str], bank: dict[str, Any]) -> list[Any]:
    """The guidance pages (index.md first, a section per folder), then a Checklists section with
    the stage pages in bank order."""
    return [
        *_folder_nav(pages, ""),
        {"Checklists": [{s["title"]: f"checklists/{s['id']}.md"} for s in bank["stages"]]},
    ]


def _folder_nav(pages: list[str], folder: str) -> list[Any]:
    prefix = f"{folder}/" if folder else ""
    here = [p for p in pages if p.startswith(prefix) and "/" not in p[len(prefix) :]]
    here.sort(key=lambda p: (p != f"{prefix}index.md", p))
    subfolders = sorted({p[len(prefix) :].split("/")[0] for p in pages if p.startswith(prefix)} - {""})
    nav: list[Any] = list(here)
    for sub in subfolders:
        path = f"{prefix}{sub}"
        if any(p.startswith(path + "/") for p in pages):
            nav.append({sub.replace("-", " ").capitalize(): _folder_nav(pages, path)})
    return nav


def _search_plugin(settings: dict[str, Any]) -> Any:
    """The project's search plugin entry (with its options, if any)."""
    return next((p for p in settings.get("plugins") or [] if _entry_name(p) == "search"), "search")


def _entry_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


# --- checks ------------------------------------------------------------------


def verify(project: Project, bank: dict[str, Any]) -> None:
    """A benchmark of a broken build is worthless: stop unless every stage page holds every question."""
    problems = []
    for stage in bank["stages"]:
        expected = [q for q in bank["questions"] if q["stage"] == stage["id"]]
        page = _stage_page(project.site, stage["id"])
        if page is None:
            problems.append(f"no page for stage {stage['id']}")
            continue
        html = page.read_text(encoding="utf-8")
        if project.variant in ("handbook", "cold"):
            missing = [q["id"] for q in expected if f'id="q-{q["id"]}"' not in html]
            if missing:
                problems.append(f"{page}: {len(missing)} of {len(expected)} questions missing, first {missing[0]}")
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


def _same_stage_html(floor: Project, macros: Project, bank: dict[str, Any]) -> bool:
    """Whether the macros peer rendered the floor's stage pages (it should: the same Markdown)."""
    for stage in bank["stages"]:
        pages = [_stage_page(p.site, stage["id"]) for p in (floor, macros)]
        # Whitespace aside: Material's templates lay out a page with front matter a little differently.
        articles = {" ".join(_article(p.read_text(encoding="utf-8")).split()) for p in pages if p}
        if None in pages or len(articles) != 1:
            return False
    return True


# -----------------------------------------------------------------------------
# mkdocs serve: edit to rebuilt page
# -----------------------------------------------------------------------------


def bench_serve(report: Report, work: Path, source: Path, edits: int) -> None:
    print(f"\nmkdocs serve: questions.yml edit -> stage page served with the edit, median of {edits}")
    project = make_handbook(work / "serve", source, (source / "questions.yml").read_text(encoding="utf-8"))
    bank_path = project.root / "questions.yml"
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
            # A random pause, so edits do not fall in step with the server's file polling.
            time.sleep(rng.uniform(0.3, 0.8))
            marker = f"Bench edit {n} {rng.randrange(16**8):08x}"
            edited = [*lines[:line_no], lines[line_no].rstrip("\n") + f" {marker}\n", *lines[line_no + 1 :]]
            start = time.perf_counter()
            bank_path.write_text("".join(edited), encoding="utf-8")
            latencies.append(_wait_for_text(url, marker, start, log_path))
    rebuilds = _rebuild_times(log_path)[1:]  # the first is the initial build
    median = statistics.median(latencies)
    print(f"  edit -> page served: {_fmt_runs(latencies)} s, median {median:.2f} s")
    report.serve = ServeFigures(median_s=median, runs_s=latencies, rebuild_s=rebuilds)
    if rebuilds:
        print(f"  rebuilds MkDocs logged (it drops repeats): {_fmt_runs(rebuilds)} s")
    report.check("mkdocs serve: questions.yml edit -> page served", median, "s", "<", TARGET_SERVE_S)


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


def build(config: Path, site_dir: Path, cold: bool = False) -> Build:
    """One `python -m mkdocs build --strict --quiet`: start-up and imports count, as for a user.

    Started through bench/measure.py, a small process of its own, which starts the build with
    subprocess.Popen and reaps it with os.wait4: the rusage is the build process's own (CPU time,
    peak resident memory), not inflated by this process's memory (see measure.py)."""
    command = [*_mkdocs(), "build", "--strict", "--quiet", "-f", str(config), "-d", str(site_dir)]
    log_path = config.parent / f"build-{site_dir.name}.log"
    launcher = [sys.executable, str(BENCH / "measure.py"), str(BUILD_TIMEOUT_S), str(log_path), str(config.parent)]
    with tempfile.TemporaryDirectory() as fresh:
        # Cold: a temporary folder of its own, so nothing compiled by an earlier build is found there.
        env = {**_env(), "TMPDIR": fresh} if cold else _env()
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
    print("\nSummary: median wall time (runs), median peak memory")
    if report.sizes:
        header = "".join(f"{v:<22}" for v in VARIANTS)
        print(f"  {'Questions':<22}{header}{'handbook/floor':<16}{'handbook/macros':<17}{'cold/floor':<12}cold/macros")
        for s in report.sizes:
            label = f"{s.questions} (real bank)" if s.size == "real" else f"{s.questions:,}"
            cells = "".join(
                f"{f'{f.wall_median_s:.2f} s ({s.runs}) {f.peak_rss_median_mb:.0f} MB':<22}"
                for f in (s.variants[v] for v in VARIANTS)
            )
            ratios = f"{f'{s.handbook_floor:.3f}x':<16}{f'{s.handbook_macros:.3f}x':<17}{f'{s.cold_floor:.3f}x':<12}"
            print(f"  {label:<22}{cells}{ratios}{s.cold_macros:.3f}x")
    if report.serve:
        print(f"  mkdocs serve, questions.yml edit -> page served: {report.serve.median_s:.2f} s")
    print("\nTargets")
    for check in report.checks:
        print(f"  {check.line()}")


if __name__ == "__main__":
    sys.exit(main())
