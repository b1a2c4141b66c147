"""The charts (theme_overrides/assets/js/chart.js): on Your partnerships, how each principle
stood at each review point and now; on the compare page, each partner's statuses per principle.

The answers files are made here from the merged bank the site is built from (project_bank())
and the statuses from the schema (hooks/statuses.py), so a fork's principles, questions and
statuses are charted too. The figures expected are counted here, from the same files.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect
from pypdf import PdfReader

from statuses import read as read_statuses
from support import ROOT, axe_failures, build, copy_project, languages, project_bank, retranslate, serve

BANK = project_bank()
QUESTIONS = [q for stage in BANK.stages for q in BANK.ordered_questions(stage.id)]
SCHEMA = ROOT / "schema" / "answers.schema.json"
STATUSES = read_statuses(SCHEMA.read_bytes())
BY_SCALE = sorted(STATUSES, key=lambda s: s.scale)
# The statuses the chart draws: every one but the first, in the list's order.
DRAWN = [s.id for s in STATUSES if s.discussed]
LOCALES = ROOT / "theme_overrides" / "locales"
# Every language the handbook has (a fork may add some), the first the bank's own.
LANGUAGES = languages()
TEXTS = {code: yaml.safe_load((LOCALES / f"{code}.yml").read_text(encoding="utf-8")) for code in LANGUAGES}
LABEL = TEXTS[LANGUAGES[0]]["status"]
FORMAT = "partnership-handbook-answers"

# Two review points, then now. Each question moves along the scale over time, by a pattern
# that depends on its place in its principle: some settle, some go back (places on the scale,
# lowest first; clamped to the statuses there are).
POINTS = (("Set-up", "2031-01-10T10:00:00.000Z"), ("Delivery", "2031-06-10T10:00:00.000Z"))
POINT_DATES = ("10 January 2031", "10 June 2031")
MOVES = [(1, 3, 3), (1, 1, 2), (1, 2, 3), (0, 0, 1), (3, 3, 1), (2, 1, 0), (0, 1, 3)]


def principles() -> list:
    """The principles that have questions: each has a chart."""
    return [p for p in BANK.principles if any(q.principle == p.id for q in QUESTIONS)]


def of(principle: str) -> list:
    return [q for q in QUESTIONS if q.principle == principle]


def status_at(principle: str, qid: str, when: int) -> str:
    place = [q.id for q in of(principle)].index(qid)
    return BY_SCALE[min(MOVES[place % len(MOVES)][when], len(BY_SCALE) - 1)].id


def answers_at(when: int) -> dict:
    """Every question's answer at a review point (0, 1) or now (2); unanswered ones left out."""
    given = {}
    for q in QUESTIONS:
        status = status_at(q.principle, q.id, when)
        if status != STATUSES[0].id:
            given[q.id] = {"status": status, "notes": "", "action": {"text": "", "owner": "", "due": ""},
                           "updated": "2031-06-11T09:00:00.000Z", "question": q.text.plain}  # fmt: skip
    return given


def answers_file(points=POINTS, name="Riverside and Northshire") -> str:
    snapshots = [{"name": point, "taken": taken, "answers": answers_at(n)} for n, (point, taken) in enumerate(points)]
    return json.dumps({"format": FORMAT, "version": 2, "handbook": {"title": "Leading successful partnerships",
                       "edition": ""}, "partnership": {"name": name}, "exported": "2031-06-11T10:00:00.000Z",
                       "answers": answers_at(2), "snapshots": snapshots})  # fmt: skip


def counted(principle: str, when: int) -> list[int]:
    """How many of the principle's questions have each drawn status at that time."""
    found = Counter(status_at(principle, q.id, when) for q in of(principle))
    return [found[status] for status in DRAWN]


def heading(title: str, n: int) -> str:
    return f"{title}: one question" if n == 1 else f"{title}: {n} questions"


def change(principle: str, first: int = 0) -> list[str]:
    """The chart's words for each status: from the first review point to now."""
    n = len(of(principle))
    said = []
    for status, was, now in zip(DRAWN, counted(principle, first), counted(principle, 2), strict=True):
        label = LABEL[status]
        if now > was:
            said.append(f"{label} rose from {was} to {now} of {n}")
        elif now < was:
            said.append(f"{label} fell from {was} to {now} of {n}")
        else:
            said.append(f"{label} stayed at {now} of {n}")
    return said


def words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# ------------------------------------------------------------------ the page


def partnerships_url(base_url: str, language: str = "") -> str:
    return f"{base_url}/{language}checklists/partnerships/"


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-hb-app] [data-hb-js]:not([hidden])")


def import_file(page, content: str, name: str = "answers.json") -> None:
    """Import an answers file through the page's own file input, replacing the active partnership's answers."""
    page.set_input_files("[data-hb-import]", files=[{"name": name, "mimeType": "application/json",
                                                      "buffer": content.encode()}])  # fmt: skip
    page.locator("#hb-import button[value=replace]").click()
    drawn(page)


def drawn(page, where: str = ".hb-chart") -> None:
    """Wait for a chart's drawings: they go in one task each, the panels busy until the last is in."""
    expect(page.locator(f"{where} .hb-chart__panels")).to_have_count(1)
    expect(page.locator(f"{where} .hb-chart__panels[aria-busy]")).to_have_count(0)


def with_chart(page, base_url: str, language: str = "", content: str | None = None) -> None:
    # The reader's clock: a day after the file was exported.
    page.clock.set_fixed_time(datetime.datetime(2031, 6, 12, 12, 0, tzinfo=datetime.UTC))
    open_page(page, partnerships_url(base_url, language))
    import_file(page, content or answers_file())


def table(page, where: str = ".hb-chart") -> dict[tuple[str, str], list[str]]:
    """The chart's table: (principle's heading, row's name) -> the figures, by the table's columns."""
    rows = page.locator(f"{where} table").evaluate(
        """table => [...table.tBodies].flatMap(body => {
             const group = body.querySelector("th[scope=rowgroup]").textContent;
             return [...body.rows].map(row => [group, row.querySelector("th[scope=row]").textContent,
                                               [...row.cells].filter(c => c.tagName === "TD").map(c => c.textContent)]);
           })"""
    )
    return {(group, name): figures for group, name, figures in rows}


def columns(page, where: str = ".hb-chart") -> list[str]:
    return page.locator(f"{where} table thead th").all_text_contents()


def panels(page, where: str = ".hb-chart") -> list[dict]:
    """Each principle's drawing: its name (as assistive technology reads it), its texts, and each bar."""
    return page.locator(f"{where} figure.hb-chart__panel").evaluate_all(
        """figures => figures.map(figure => {
             const svg = figure.querySelector("svg");
             const name = svg.getAttribute("aria-labelledby").split(" ")
               .map(id => document.getElementById(id).textContent).join(" ");
             const bars = [...svg.querySelectorAll("rect.hb-chart__bar")].map(bar => ({
               status: bar.dataset.status,
               share: bar.width.baseVal.value / bar.previousElementSibling.width.baseVal.value,
               count: bar.nextElementSibling.textContent,
             }));
             return {caption: figure.querySelector("figcaption").textContent, role: svg.getAttribute("role"),
                     name, bars, texts: [...svg.querySelectorAll("text")].map(t => t.textContent)};
           })"""
    )


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(e.stack or str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return problems


# ------------------------------------------------------------------ 1. Your partnerships


def test_the_chart_shows_each_principle_at_each_review_point_and_now_with_its_change_in_words(page, base_url):
    errors = watch(page)
    with_chart(page, base_url)
    rows = [f"{name}, {date}" for (name, _), date in zip(POINTS, POINT_DATES, strict=True)] + ["Now"]
    # The table: a row per review point and now, under each principle; a column per status drawn.
    assert columns(page) == ["Principle", "Review point", *(LABEL[s] for s in DRAWN)]
    expected = {
        (heading(p.title, len(of(p.id))), row): [str(n) for n in counted(p.id, when)]
        for p in principles()
        for when, row in enumerate(rows)
    }
    assert table(page) == expected
    # The fixture moves: the chart has a change to show, up and down.
    assert any("rose" in said for p in principles() for said in change(p.id))
    assert any("fell" in said for p in principles() for said in change(p.id))
    # A drawing per principle, its bars the table's figures (in the same order), each as long
    # as its share of the principle's questions, its count beside it.
    drawn = panels(page)
    assert [d["caption"] for d in drawn] == [heading(p.title, len(of(p.id))) for p in principles()]
    for p, drawing in zip(principles(), drawn, strict=True):
        n = len(of(p.id))
        figures = [count for when in range(3) for count in counted(p.id, when)]
        assert len(drawing["bars"]) == len(rows) * len(DRAWN) == len(figures)
        assert [bar["count"] for bar in drawing["bars"]] == [str(count) for count in figures]
        assert [bar["status"] for bar in drawing["bars"]] == DRAWN * len(rows)
        for bar, count in zip(drawing["bars"], figures, strict=True):
            assert bar["share"] == pytest.approx(count / n, abs=0.005)
        assert all(row in drawing["texts"] for row in rows), "each review point is named in the drawing"
        # Its text alternative: an image named by its caption and the change, in words.
        assert drawing["role"] == "img"
        said = f"Between {POINTS[0][0]} and now: {'; '.join(change(p.id))}."
        assert drawing["name"] == f"{drawing['caption']} {said}"
    assert not errors, errors


def test_the_chart_appears_with_the_first_review_point_and_follows_the_partnership(page, base_url):
    open_page(page, partnerships_url(base_url))
    assert page.locator(".hb-chart").inner_html() == "", "no review point, no chart"
    page.fill("#hb-snapshot", "Baseline")
    page.get_by_role("button", name="Save review point").click()
    expect(page.locator(".hb-chart figure.hb-chart__panel")).to_have_count(len(principles()))
    p = principles()[0]
    n = len(of(p.id))
    drawing = panels(page)[0]
    assert len(drawing["bars"]) == 2 * len(DRAWN), "Baseline and now"
    assert f"{LABEL[DRAWN[0]]} stayed at 0 of {n}" in drawing["name"]
    # Switching to a partnership without review points takes the chart away.
    page.fill("#hb-new", "Eastfield")
    page.get_by_role("button", name="Add it and switch to it").click()
    expect(page.locator(".hb-chart svg")).to_have_count(0)


def test_the_chart_prints_with_its_words(page, base_url):
    with_chart(page, base_url)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = words(" ".join(sheet.extract_text() for sheet in pdf.pages))
    assert "How each principle has moved." in text
    for p in principles():
        for status_said in change(p.id):
            assert words(status_said) in text, status_said
    # The drawings themselves: their texts are on paper.
    assert f"{POINTS[1][0]}, {POINT_DATES[1]}" in text
    assert text.count(LABEL[DRAWN[-1]]) >= len(principles()) * 3


def test_the_welsh_page_charts_in_welsh(page, base_url):
    with_chart(page, base_url, "cy/")
    cy = TEXTS["cy"]
    chart = page.locator(".hb-chart")
    expect(chart.locator("figure.hb-chart__figure > figcaption strong")).to_have_text(cy["chart"]["progress_title"])
    assert columns(page) == [cy["chart"]["principle"], cy["chart"]["point_column"], *(cy["status"][s] for s in DRAWN)]
    # Dates as the Welsh pages write them everywhere (the browser's Welsh, where it has it).
    dates = [page.evaluate("d => handbook.i18n.day(d)", taken[:10]) for _, taken in POINTS]
    names = {name for _, name in table(page)}
    assert names == {f"{POINTS[0][0]}, {dates[0]}", f"{POINTS[1][0]}, {dates[1]}", cy["chart"]["now"]}
    drawing = panels(page)[0]
    assert f"Rhwng {POINTS[0][0]} a nawr:" in drawing["name"]
    assert all(cy["status"][s] in drawing["texts"] for s in DRAWN), "the bars are named in Welsh"
    assert not {"rose", "stayed", "and", "of"} & set(re.findall(r"\w+", drawing["name"])), drawing["name"]
    expect(chart.locator("summary")).to_have_text(cy["chart"]["show_table"])


# ------------------------------------------------------------------ 2. readable anywhere


def overlaps(page) -> list[str]:
    """Texts of a drawing that touch another text or a bar, or stand outside the drawing."""
    return page.evaluate(
        """() => {
          const problems = [];
          const box = (el) => el.getBoundingClientRect();
          const apart = (a, b) => a.right - 0.5 <= b.left || b.right - 0.5 <= a.left;
          const meet = (a, b) => !apart(a, b) && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          for (const svg of document.querySelectorAll(".hb-chart svg")) {
            const frame = box(svg);
            const texts = [...svg.querySelectorAll("text")];
            const bars = [...svg.querySelectorAll("rect.hb-chart__bar")].filter(bar => bar.width.baseVal.value > 0);
            texts.forEach((text, i) => {
              const [at, says] = [box(text), text.textContent];
              if (at.left < frame.left - 0.5 || at.right > frame.right + 0.5) problems.push(`outside: ${says}`);
              for (const other of texts.slice(i + 1))
                if (meet(at, box(other))) problems.push(`${says} / ${other.textContent}`);
              for (const bar of bars) if (meet(at, box(bar))) problems.push(`${says} / a bar`);
            });
          }
          return problems;
        }"""
    )


def smallest_text(page) -> float:
    """The smallest drawn text's size on screen, in CSS pixels."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll(".hb-chart svg")].map(svg =>
             svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * Number(svg.getAttribute("font-size"))))"""
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_the_chart_fits_the_screen_and_its_labels_never_overlap(browser, base_url, edition, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        with_chart(page, base_url)
        page.locator(".hb-chart summary").click()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert not overlaps(page)
        assert smallest_text(page) >= 12
        compare_three(page, base_url, edition)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert not overlaps(page)
        assert smallest_text(page) >= 12
    finally:
        context.close()


def test_a_long_review_point_name_is_cut_to_fit_and_given_whole_in_the_table(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    long = "The review after the second workshop with every partner, the funders and the residents' panel"
    with_chart(page, base_url, content=answers_file(((long, POINTS[0][1]), POINTS[1])))
    assert not overlaps(page)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # In the drawing, as much of it as fits, and an ellipsis; whole in the table and the words.
    shown = [text for text in panels(page)[0]["texts"] if text.startswith(long[:12])]
    assert len(shown) == 1 and shown[0].endswith("…") and long.startswith(shown[0][:-1])
    assert f"{long}, {POINT_DATES[0]}" in {name for _, name in table(page)}
    assert f"Between {long} and now:" in panels(page)[0]["name"]


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
        return sum(k * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
                   for k, c in zip((0.2126, 0.7152, 0.0722), (r, g, b), strict=True))  # fmt: skip

    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_chart_passes_axe_and_keeps_its_colours_apart_in_light_and_dark(browser, base_url, edition):
    failures: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        requests: list[str] = []
        context.on("request", lambda r, requests=requests: requests.append(r.url))
        page = context.new_page()
        errors = watch(page)
        try:
            with_chart(page, base_url)
            page.locator(".hb-chart summary").click()
            expect(page.locator(".hb-chart table")).to_be_visible()
            failures += axe_failures(page, f"partnerships page with its chart ({scheme})")
            # Each status's colour keeps 3:1 against the page, and differs from the others'.
            inks = page.evaluate(
                """() => [...new Set([...document.querySelectorAll('.hb-chart rect.hb-chart__bar')]
                          .map(bar => getComputedStyle(bar).color))]"""
            )
            page_colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert len(inks) == len(DRAWN)
            for ink in inks:
                assert contrast(ink, page_colour) >= 3, (scheme, ink, page_colour)
            compare_three(page, base_url, edition)
            failures += axe_failures(page, f"compare page with its chart ({scheme})")
        finally:
            context.close()
        outside = [u for u in requests if not u.startswith((base_url + "/", "data:", "blob:"))]
        assert not outside, outside
        assert not errors, errors
    assert not failures, "\n\n".join(failures)


def test_dark_and_light_schemes_draw_in_their_own_colours(browser, base_url):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        try:
            with_chart(page, base_url)
            colours[scheme] = (
                page.evaluate(
                    "() => [...document.querySelectorAll('.hb-chart svg text')].map(t => getComputedStyle(t).fill)[0]"
                ),
                page.evaluate("getComputedStyle(document.querySelector('.hb-chart rect.hb-chart__bar')).color"),
            )
        finally:
            context.close()
    assert colours["light"][0] != colours["dark"][0], "the chart's text follows the scheme"
    assert colours["light"][1] != colours["dark"][1], "the bars' colours follow the scheme"


# ------------------------------------------------------------------ 3. the compare page


PARTNERS = ("Riverside Council", "Northshire Trust", "Hospice at Home")


def partner_file(index: int) -> str:
    """A partner's own answers: as the bank's questions stood at one of the times above."""
    return json.dumps({"format": FORMAT, "version": 2, "handbook": {"title": "Leading successful partnerships",
                       "edition": ""}, "partnership": {"name": "Riverside and Northshire"},
                       "organisation": {"name": PARTNERS[index]}, "exported": "2031-06-11T10:00:00.000Z",
                       "answers": answers_at(index), "snapshots": []})  # fmt: skip


@pytest.fixture(scope="module")
def edition(site) -> str:
    source = (site / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))["edition"]


def compare_three(page, base_url: str, edition: str, count: int = 3) -> None:
    page.goto(f"{base_url}/checklists/compare/")
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')
    files = [{"name": f"partner-{i}.json", "mimeType": "application/json", "buffer": partner_file(i).encode()}
             for i in range(count)]  # fmt: skip
    page.set_input_files("#hb-files", files=files)
    expect(page.locator('[data-hb-app="compare"] .hb-chart figure.hb-chart__panel')).to_have_count(len(principles()))


def test_the_compare_page_charts_each_partners_statuses_per_principle(page, base_url, edition):
    errors = watch(page)
    compare_three(page, base_url, edition)
    where = '[data-hb-app="compare"] .hb-chart'
    assert columns(page, where) == ["Principle", "Partner", *(LABEL[s] for s in DRAWN)]
    expected = {
        (heading(p.title, len(of(p.id))), PARTNERS[i]): [str(n) for n in counted(p.id, i)]
        for p in principles()
        for i in range(3)
    }
    assert table(page, where) == expected
    for p, drawing in zip(principles(), panels(page, where), strict=True):
        n = len(of(p.id))
        figures = [count for i in range(3) for count in counted(p.id, i)]
        assert [bar["count"] for bar in drawing["bars"]] == [str(count) for count in figures]
        assert drawing["role"] == "img"
        for i, partner in enumerate(PARTNERS):
            assert partner in drawing["texts"]
            listed = [f"{LABEL[s]} {c}" for s, c in zip(DRAWN, counted(p.id, i), strict=True)]
            said = f"{partner}: {', '.join(listed)} (of {n})."
            assert said in drawing["name"]
    # Renamed, a partner is charted under its new name; with one partner left, no chart.
    page.get_by_label("Name for partner-1.json").fill("Northshire NHS Trust")
    expect(page.locator(where).get_by_role("img").first).to_have_accessible_name(re.compile("Northshire NHS Trust:"))
    page.get_by_role("button", name="Remove partner-2.json").click()
    page.get_by_role("button", name="Remove partner-1.json").click()
    expect(page.locator(f"{where} svg")).to_have_count(0)
    assert not errors, errors


# ------------------------------------------------------------------ 4. a fork's bank and statuses, hostile


HOSTILE_TITLE = "<img src=x onerror=\"document.title='ran'\">"
HOSTILE_POINT = "<svg onload=alert(1)>"


def on_hold_label(code: str) -> str:
    """The fork's new status, in a language's own words (Welsh's; any other language, a fork's
    own, "On hold")."""
    return {"cy": "Wedi'i ohirio"}.get(code, "On hold")


@pytest.fixture(scope="module")
def forked(tmp_path_factory) -> Path:
    """A copy whose first principle's title is markup and whose schema adds a status, "on-hold",
    at the top of the scale (labelled in every language the handbook has: a strings table
    without the label fails the build), as a fork may."""
    root = tmp_path_factory.mktemp("chart-fork")
    config = copy_project(root)
    bank = root / "questions.yml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    data["principles"][0]["title"] = HOSTILE_TITLE
    bank.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    retranslate(bank)
    schema = json.loads((root / "schema" / "answers.schema.json").read_text(encoding="utf-8"))
    schema["$defs"]["status"]["oneOf"].append({"const": "on-hold", "x-scale": len(STATUSES)})
    (root / "schema" / "answers.schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    for code in LANGUAGES:
        label = on_hold_label(code)
        table = root / "theme_overrides" / "locales" / f"{code}.yml"
        text = table.read_text(encoding="utf-8")
        assert "\nstatus:\n" in text
        table.write_text(text.replace("\nstatus:\n", f"\nstatus:\n  on-hold: {label}\n", 1), encoding="utf-8")
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_a_forks_markup_in_titles_and_names_is_text_and_its_new_status_is_charted(browser, forked):
    for base in serve(forked):
        context = browser.new_context()
        page = context.new_page()
        errors = watch(page)
        try:
            on_hold = {"status": "on-hold", "notes": "", "action": {"text": "", "owner": "", "due": ""},
                       "updated": "2031-06-11T09:00:00.000Z"}  # fmt: skip
            first = of(BANK.principles[0].id)[0].id
            source = json.loads(answers_file(((HOSTILE_POINT, POINTS[0][1]), POINTS[1])))
            source["answers"][first] = on_hold
            with_chart(page, base, content=json.dumps(source))
            chart = page.locator(".hb-chart")
            drawing = panels(page)[0]
            assert drawing["caption"] == heading(HOSTILE_TITLE, len(of(BANK.principles[0].id)))
            assert f"{HOSTILE_POINT}, {POINT_DATES[0]}" in drawing["texts"]
            assert chart.locator("img, script, svg svg").count() == 0
            assert page.title() != "ran"
            # The new status: a column of the table, a bar for each review point and now.
            assert columns(page)[-1] == on_hold_label(LANGUAGES[0])
            assert [bar["status"] for bar in drawing["bars"]].count("on-hold") == 3
            n = len(of(BANK.principles[0].id))
            assert drawing["bars"][-1] == {"status": "on-hold", "share": pytest.approx(1 / n, abs=0.005), "count": "1"}
            assert f"{on_hold_label(LANGUAGES[0])} rose from 0 to 1 of" in drawing["name"]
            # As the new status is the top of the scale, it is drawn solid; Agreed is now patterned.
            bars = chart.locator("rect.hb-chart__bar").all()
            fills = {bar.get_attribute("data-status"): bar.get_attribute("fill") for bar in bars}
            assert fills["on-hold"] == "currentColor" and fills["agreed"].startswith("url(#")
            assert not errors, errors
        finally:
            context.close()


# ------------------------------------------------------------------ 5. the code


def test_the_chart_code_loads_only_where_it_draws(site):
    from bundle import BUNDLES, needs

    code = (ROOT / "theme_overrides" / "assets" / "js" / "chart.js").read_text(encoding="utf-8")
    assert code.startswith("// needs: ") and needs(code)
    assert "chart" not in BUNDLES["assets/handbook.js"].modules, "not on every page"
    assert "createElementNS" in code and not re.search(r"\b(innerHTML|insertAdjacentHTML|fetch)\b", code)
    pages = {}
    for html in site.rglob("*.html"):
        pages[html.relative_to(site).parent.as_posix()] = "assets/chart.js" in html.read_text(encoding="utf-8")
    charted = {page for page, has in pages.items() if has}
    prefixes = ["", *(f"{code}/" for code in LANGUAGES[1:])]
    assert charted == {f"{lang}checklists/{name}" for lang in prefixes for name in ("partnerships", "compare")}
    delivered = (site / "assets" / "chart.js").read_text(encoding="utf-8")
    assert len(gzip.compress(delivered.encode(), 9)) <= 4 * 1024
    assert "/*! assets/js/chart.js */" not in (site / "assets" / "handbook.js").read_text(encoding="utf-8")
