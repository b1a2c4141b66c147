"""The browser's pure functions, one by one, in one blank page: reading answers files (answers.js
readFile, moment, day), merging, settling, previewing and diffing sets of answers, counting them,
the record as Markdown (md, markdown), the compare page's ranking (compare.js: compare, agenda,
spread, byStatus) and the plural forms of the strings table (i18n.js t).

The page is about:blank; nothing of the site is opened. Each "world" is a frame in it that runs
a bank as the build wrote it (assets/bank.js of the built site, or a small synthetic one) and
then the source modules, joined (unminified) into the bundles hooks/bundle.py makes for the
compare page, in its order: every page's bundle, then the compare page's. They load from an
address of their own, answered by the test (page.route), so that they find their place as in the
site (store.js and files.js resolve addresses from their script's); nothing leaves the machine.
Expected texts come from the bank's own strings table, never from English written here.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from babel import Locale
from markdown_it import MarkdownIt

import bundle
from support import ROOT, languages

SOURCE = ROOT / "theme_overrides" / bundle.SOURCE
FIXTURES = Path(__file__).parent / "fixtures" / "answers"
SCHEMA = json.loads((ROOT / "schema" / "answers.schema.json").read_text(encoding="utf-8"))
ORIGIN = "https://handbook.test"
# The bundles the compare page loads, in order (every page's, then its own), and their modules.
BUNDLES = {target: bundle.BUNDLES[target].modules for target in bundle.scripts("compare")}
MODULES = [module for modules in BUNDLES.values() for module in modules]
BANK_JS = re.compile(r"self\.handbookBank = (.*);\s*\Z", re.S)

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NOW = int(datetime(2031, 3, 1, 12, tzinfo=UTC).timestamp() * 1000)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bank_of(source: str) -> dict:
    found = BANK_JS.match(source)
    assert found, "assets/bank.js is no longer `self.handbookBank = {...};`"
    return json.loads(found[1])


def fill(text: str, **values) -> str:
    """A strings-table text with its placeholders filled in, as i18n.js's t does."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(values[m[1]]) if m[1] in values else m[0], text)


# ------------------------------------------------------------------ the page and its worlds


class World:
    """One frame of the blank page, running one bank and the modules."""

    def __init__(self, frame, bank: dict):
        self.frame = frame
        self.bank = bank
        self.strings = bank["strings"]

    def __call__(self, script: str, arg=None):
        return self.frame.evaluate(script, arg)

    def t(self, key: str, **values) -> str:
        return self("([key, values]) => handbook.i18n.t(key, values)", [key, values])

    def model(self, *names: str) -> dict:
        """Constants of answers.js, as the page has them."""
        return self("names => Object.fromEntries(names.map((name) => [name, handbook.answers[name]]))", names)

    def refusal(self, source: str) -> str | None:
        """readFile's message for a file's text, or None when it reads."""
        return self(
            "source => { try { handbook.answers.readFile(source); return null } catch (e) { return e.message } }",
            source,
        )

    def status(self, status: str) -> str:
        return self.strings[f"status.{status}"]


class Blank:
    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        # Each bundle as the build joins it, unminified: its modules in order, each under its name.
        self.served = {
            f"/{target}": "\n".join(
                f"/*! {bundle.SOURCE}/{m}.js */\n{(SOURCE / f'{m}.js').read_text(encoding='utf-8')}" for m in modules
            )
            for target, modules in BUNDLES.items()
        }
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console.error: {m.text}"))
        page.route(f"{ORIGIN}/**", self._answer)

    def _answer(self, route) -> None:
        path = urlsplit(route.request.url).path
        world, _, rest = path.lstrip("/").partition("/")
        body = self.served.get(f"/{world}/{rest}") or self.served.get(f"/{rest}")
        if body is None:
            route.fulfill(status=404, body="")
        else:
            route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=body)

    def world(self, name: str, bank_source: str) -> World:
        self.served[f"/{name}/assets/bank.js"] = bank_source
        self.page.evaluate(
            "name => { const f = document.createElement('iframe'); f.name = name; document.body.append(f) }", name
        )
        frame = self.page.frame(name=name)
        assert frame is not None
        for target in ["assets/bank.js", *BUNDLES]:
            frame.add_script_tag(url=f"{ORIGIN}/{name}/{target}")
        assert not self.problems, self.problems
        assert frame.evaluate("Object.keys(handbook)").count("compare") == 1
        return World(frame, bank_of(bank_source))


@pytest.fixture(scope="module")
def blank(browser, site):
    context = browser.new_context()
    page = context.new_page()
    assert page.url == "about:blank"
    yield Blank(page)
    context.close()


@pytest.fixture(autouse=True)
def _nothing_goes_wrong(blank):
    """No test may leave an uncaught error or a console error (a text missing from the strings)."""
    blank.problems.clear()
    yield
    assert not blank.problems, blank.problems


@pytest.fixture(scope="module")
def en(blank, site) -> World:
    """The handbook's first language, with the real merged bank and strings as built."""
    return blank.world("en", (site / "assets" / "bank.js").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cy(blank, site) -> World:
    """The handbook's second language (Welsh, in the project), as built."""
    if "cy" not in languages():
        pytest.skip("this handbook has no Welsh edition")
    return blank.world("cy", (site / "cy" / "assets" / "bank.js").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def welsh_rules(blank, site) -> World:
    """The first language's bank, read by Welsh plural rules, with a test text of every form."""
    bank = bank_of((site / "assets" / "bank.js").read_text(encoding="utf-8"))
    bank["language"] = "cy"
    bank["strings"]["language.locale"] = "cy"
    bank["strings"]["test.count"] = {
        "=0": "none at all",
        "=3": "exactly three",
        **{form: f"{form} {{n}}" for form in ("zero", "one", "two", "few", "many", "other")},
    }
    bank["strings"]["test.sparse"] = {"one": "one {n}", "other": "other {n}"}
    return blank.world("welsh-rules", f"self.handbookBank = {json.dumps(bank)};\n")


SMALL_STAGES = [{"id": "first", "title": "First stage"}, {"id": "second", "title": "Second stage"}]
SMALL_PRINCIPLES = [{"id": "goals", "title": "Goals"}, {"id": "trust", "title": "Trust"}]
SMALL = [("q-a", "first", "goals"), ("q-b", "first", "goals"), ("q-c", "first", "trust")]
SMALL += [("q-d", "second", "goals"), ("q-e", "second", "trust")]


@pytest.fixture(scope="module")
def small(blank, site) -> World:
    """A bank of five questions in two stages (the real statuses and strings), for the ranking."""
    bank = bank_of((site / "assets" / "bank.js").read_text(encoding="utf-8"))
    bank["stages"], bank["principles"] = SMALL_STAGES, SMALL_PRINCIPLES
    bank["questions"] = [
        {"id": qid, "stage": stage, "principle": principle, "number": n, "text": f"Question {qid}?"}
        for n, (qid, stage, principle) in enumerate(SMALL, 1)
    ]
    return blank.world("small", f"self.handbookBank = {json.dumps(bank)};\n")


def ids(world: World) -> list[str]:
    return [q["id"] for q in world.bank["questions"]]


def statuses(world: World) -> list[str]:
    return [s["id"] for s in world.bank["statuses"]]


# ------------------------------------------------------------------ the model's constants


def test_the_worlds_run_the_real_bank_and_the_compare_pages_modules(en):
    assert "compare" in MODULES and MODULES.index("i18n") < MODULES.index("answers") < MODULES.index("compare")
    seen = en("() => ({ questions: handbook.bank.questions.map(q => q.id), statuses: handbook.answers.STATUSES })")
    assert seen == {"questions": ids(en), "statuses": statuses(en)}
    assert len(seen["questions"]) > 1 and en("handbook.answers.FIRST_STATUS") == statuses(en)[0]


def test_format_version_and_limits_are_the_schemas(en):
    model = en.model("FORMAT", "VERSION", "LIMITS")
    defs = SCHEMA["$defs"]
    assert model["FORMAT"] == SCHEMA["properties"]["format"]["const"]
    assert model["VERSION"] == max(
        d["properties"]["version"]["const"] for d in defs.values() if "version" in d.get("properties", {})
    )
    assert model["LIMITS"]["text"] == defs["text"]["maxLength"]
    assert model["LIMITS"]["answers"] == defs["answers"]["maxProperties"]
    assert model["LIMITS"]["reviewPoints"] == defs["snapshots"]["maxItems"]
    assert [s["const"] for s in defs["status"]["oneOf"]] == statuses(en)


# ------------------------------------------------------------------ reading files


def answer(status: str, updated: str = "2031-02-01T09:00:00.000Z", **more) -> dict:
    """An answer as readFile gives it back."""
    blank = {"notes": "", "action": {"text": "", "owner": "", "due": ""}, "question": ""}
    return {"status": status, **blank, "updated": updated, **more}


def version_3(world: World) -> dict:
    """An answers file as the handbook writes it now, for the real bank's first questions."""
    q, other = ids(world)[:2]
    full = answer(
        statuses(world)[-1],
        "2031-02-20T16:40:12.000Z",
        notes="Agreed at the away day.\nThe trust to confirm funding.",
        action={"text": "Draft the shared vision", "owner": "Sam", "due": "2031-04-01", "done": "2031-03-20"},
        question=world.bank["questions"][0]["text"],
        dissent="Northshire would rather wait.",
    )
    return {
        "format": SCHEMA["properties"]["format"]["const"],
        "version": 3,
        "handbook": {"title": "Leading successful partnerships", "edition": world.bank["edition"], "language": "en"},
        "partnership": {
            "name": "Riverside and Northshire",
            "kind": "agreed",
            "sources": [{"name": "Riverside", "file": "riverside.json"}],
            "review": {"months": 12},
        },
        "organisation": {"name": "Riverside Council"},
        "exported": "2031-03-01T10:15:00.000Z",
        "answers": {q: full, other: answer(statuses(world)[1])},
        "snapshots": [
            {"name": "Set-up", "taken": "2031-02-01T09:00:00.000Z", "answers": {q: answer(statuses(world)[1])}}
        ],
    }


def test_a_version_3_file_reads_whole(en):
    file = version_3(en)
    jsonschema.Draft202012Validator(SCHEMA).validate(file)
    read = en("source => handbook.answers.readFile(source)", json.dumps(file))
    assert read["version"] == 3
    assert read["handbook"] == {"title": file["handbook"]["title"], "edition": en.bank["edition"]}
    assert (read["partnership"], read["organisation"], read["kind"]) == (
        "Riverside and Northshire",
        "Riverside Council",
        "agreed",
    )
    assert [(s["name"], s["file"]) for s in read["sources"]] == [("Riverside", "riverside.json")]
    assert (read["reviewMonths"], read["exported"]) == (12, file["exported"])
    assert read["answers"] == file["answers"]
    assert read["snapshots"] == file["snapshots"]


def test_what_to_file_writes_read_file_reads_back(en):
    file = version_3(en)
    back = en(
        """file => {
          const model = handbook.answers;
          const read = model.readFile(JSON.stringify(file));
          const partnership = { name: read.partnership, organisation: read.organisation, kind: read.kind,
            sources: read.sources, reviewMonths: read.reviewMonths, answers: read.answers, snapshots: read.snapshots };
          const written = model.toFile(partnership, "The site");
          return { written, again: model.readFile(JSON.stringify(written)), read };
        }""",
        file,
    )
    written, again, read = back["written"], back["again"], back["read"]
    jsonschema.Draft202012Validator(SCHEMA).validate(written)
    assert written["handbook"] == {"title": "The site", "edition": en.bank["edition"], "language": en.bank["language"]}
    for field in ("partnership", "organisation", "kind", "sources", "reviewMonths", "answers", "snapshots"):
        assert again[field] == read[field], field


def test_a_version_2_file_reads_as_it_is(en):
    file = json.loads((FIXTURES / "version-2.json").read_text(encoding="utf-8"))
    read = en("source => handbook.answers.readFile(source)", json.dumps(file))
    assert read["version"] == 2
    assert read["handbook"] == file["handbook"]
    assert (read["partnership"], read["organisation"], read["kind"]) == (
        "Riverside and Northshire",
        "Riverside Council",
        "",
    )
    assert (read["sources"], read["reviewMonths"], read["exported"]) == ([], 6, file["exported"])
    assert read["answers"] == file["answers"]
    assert read["snapshots"] == file["snapshots"]


def test_a_version_1_file_reads_its_ticks_as_statuses(en):
    file = json.loads((FIXTURES / "version-1.json").read_text(encoding="utf-8"))
    read = en("source => handbook.answers.readFile(source)", json.dumps(file))
    first, discussed = statuses(en)[:2]
    assert read["version"] == 1
    assert read["handbook"] == {"title": file["site"], "edition": ""}
    assert (read["partnership"], read["organisation"], read["snapshots"]) == ("", "", [])
    ticked, open_ = read["answers"]["a-question"], read["answers"]["another-question"]
    assert ticked == {
        "status": discussed,
        "notes": file["answers"]["a-question"]["notes"],
        "action": {"text": "", "owner": "", "due": ""},
        "updated": file["answers"]["a-question"]["updated"],
        "question": file["answers"]["a-question"]["question"],
    }
    assert open_["status"] == first


def test_a_version_1_answer_without_a_time_is_older_than_any(en):
    file = {"format": SCHEMA["properties"]["format"]["const"], "version": 1, "answers": {"a-question": {"done": True}}}
    read = en("source => handbook.answers.readFile(source)", json.dumps(file))
    assert read["answers"]["a-question"]["updated"] == en("handbook.answers.OLDEST") == "1970-01-01T00:00:00.000Z"
    assert read["answers"]["a-question"]["status"] == statuses(en)[1]


@pytest.mark.parametrize(
    ("months", "kept"), [(1, 1), (12, 12), (60, 60), (0, 6), (61, 6), (2.5, 6), ("12", 6), (None, 6)]
)
def test_review_months_outside_one_to_sixty_become_six(en, months, kept):
    file = version_3(en)
    file["partnership"]["review"] = {"months": months}
    assert en("source => handbook.answers.readFile(source).reviewMonths", json.dumps(file)) == kept


def _set(path: str, value):
    def change(file, q, limits):
        *parents, last = path.format(q=q).split(".")
        for key in parents:
            file = file[int(key)] if isinstance(file, list) else file[key]
        file[int(last) if isinstance(file, list) else last] = value

    # Where readFile says the problem is: the path, with list items as [n].
    change.where = re.sub(r"\.(\d+)", r"[\1]", path)
    return change


def _delete(path: str):
    def change(file, q, limits):
        *parents, last = path.format(q=q).split(".")
        for key in parents:
            file = file[key]
        del file[last]

    change.where = path
    return change


def _version_1(**fields):
    def change(file, q, limits):
        file.clear()
        file.update({"format": SCHEMA["properties"]["format"]["const"], "version": 1, "answers": {q: fields}})

    return change


def _rename(new: str):
    def change(file, q, limits):
        file["answers"][new] = file["answers"].pop(q)

    return change


def _many_answers(file, q, limits):
    # Counted before any is read: what each holds does not matter.
    file["answers"] = dict.fromkeys((f"q{n}" for n in range(limits["answers"] + 1)), 0)


def _many_points(file, q, limits):
    file["snapshots"] = [{"name": "A", "taken": "2031-01-01T00:00:00Z", "answers": {}}] * (limits["reviewPoints"] + 1)


def _long_notes(file, q, limits):
    file["answers"][q]["notes"] = "x" * (limits["text"] + 1)


A = "answers.{q}"  # the file's answer to the bank's first question
IT = "it"  # the file as a whole
STATUSES = {"statuses": "STATUSES"}
FORMAT = {"format": "FORMAT"}
OVER_POINTS = {"n": "POINTS+", "most": "POINTS"}  # POINTS+: one more than the limit

# (what is wrong, how a good file is made so, the problem readFile names, where (None: the path
# changed), the message's values: names in capitals are the model's, as the page has them)
REFUSED = [
    ("not JSON", "{", "not_json", IT, {}),
    ("a list", [], "not_answers_file", IT, FORMAT),
    ("another format", _set("format", "partnership-handbook-comparison"), "not_answers_file", IT, FORMAT),
    ("no version", _delete("version"), "no_version", IT, {}),
    ("version 0", _set("version", 0), "no_version", IT, {}),
    ("version as text", _set("version", "3"), "no_version", IT, {}),
    ("version 2.5", _set("version", 2.5), "no_version", IT, {}),
    ("a newer version", _set("version", 99), "newer_version", IT, {"version": 99, "known": "VERSION"}),
    ("no handbook", _delete("handbook"), "no_handbook", IT, {}),
    ("a title not text", _set("handbook.title", 5), "not_text", None, {}),
    ("a partnership not named", _set("partnership", "Riverside"), "not_named", None, {}),
    ("a name not text", _set("partnership.name", ["R"]), "not_text", None, {}),
    ("an impossible export date", _set("exported", "2031-02-30T10:00:00Z"), "not_moment", None, {}),
    ("answers a list", _set("answers", []), "not_answers", None, {}),
    ("an answer not an object", _set(A, "agreed"), "not_answer", None, {}),
    ("an unknown status", _set(A + ".status", "closed"), "not_status", None, STATUSES),
    ("no status", _delete(A + ".status"), "not_status", None, STATUSES),
    ("a status in capitals", _set(A + ".status", "Open"), "not_status", None, STATUSES),
    ("a version 1 answer with a status", _version_1(done=True, status="open"), "version_one_status", A, {}),
    ("a version 1 tick not true or false", _version_1(done="yes"), "not_boolean", A + ".done", {}),
    ("notes not text", _set(A + ".notes", 12), "not_text", None, {}),
    ("an action not an object", _set(A + ".action", "call Sam"), "not_action", None, {}),
    ("no time", _delete(A + ".updated"), "not_text", None, {}),
    ("a time that is no date", _set(A + ".updated", "yesterday"), "not_moment", None, {}),
    ("a date without a time", _set(A + ".updated", "2031-02-01"), "not_moment", None, {}),
    ("30 February", _set(A + ".updated", "2024-02-30T10:00:00Z"), "not_moment", None, {}),
    ("29 February in a common year", _set(A + ".updated", "2023-02-29T10:00:00Z"), "not_moment", None, {}),
    ("day zero of month zero", _set(A + ".updated", "0000-00-00T00:00:00Z"), "not_moment", None, {}),
    ("a due date of 30 February", _set(A + ".action.due", "2024-02-30"), "not_day", None, {}),
    ("a due date of 0000-00-00", _set(A + ".action.due", "0000-00-00"), "not_day", None, {}),
    ("a done date in month 13", _set(A + ".action.done", "2031-13-01"), "not_day", None, {}),
    ("a due date unpadded", _set(A + ".action.due", "2031-4-1"), "not_day", None, {}),
    ("a due date with a time", _set(A + ".action.due", "2031-04-01T00:00:00Z"), "not_day", None, {}),
    ("an id with capitals", _rename("Vision"), "not_id", "answers", {"id": "Vision"}),
    ("an id with spaces", _rename("a question"), "not_id", "answers", {"id": "a question"}),
    ("an id with a double hyphen", _rename("a--b"), "not_id", "answers", {"id": "a--b"}),
    ("the prototype's name as an id", _rename("__proto__"), "not_id", "answers", {"id": "__proto__"}),
    ("snapshots not a list", _set("snapshots", {}), "not_list", None, {}),
    ("a review point not an object", _set("snapshots.0", "Set-up"), "not_review_point", None, {}),
    ("a review point at no time", _set("snapshots.0.taken", "2031-02-31T09:00:00Z"), "not_moment", None, {}),
    ("a review point's bad answer", _set("snapshots.0.answers.{q}.status", "closed"), "not_status", None, STATUSES),
    ("more answers than the limit", _many_answers, "too_many_answers", "answers", {"n": "ANSWERS+", "most": "ANSWERS"}),
    ("more review points than the limit", _many_points, "too_many_review_points", "snapshots", OVER_POINTS),
    ("a text longer than the limit", _long_notes, "too_long", A + ".notes", {"most": "TEXT"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "problem", "where", "values"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_a_file_that_is_wrong_anywhere_is_refused_saying_where_and_why(en, change, problem, where, values):
    q = ids(en)[0]
    model = en.model("FORMAT", "VERSION", "LIMITS", "STATUSES")
    limits = model["LIMITS"]
    if isinstance(change, str):
        source = change
    elif isinstance(change, list):
        source = json.dumps(change)
    else:
        file = version_3(en)
        jsonschema.Draft202012Validator(SCHEMA).validate(file)
        change(file, q, limits)
        source = json.dumps(file)
    known = {
        "FORMAT": model["FORMAT"],
        "VERSION": model["VERSION"],
        "STATUSES": ", ".join(model["STATUSES"]),
        "ANSWERS": limits["answers"],
        "ANSWERS+": limits["answers"] + 1,
        "POINTS": limits["reviewPoints"],
        "POINTS+": limits["reviewPoints"] + 1,
        "TEXT": limits["text"],
    }
    values = {key: known.get(value, value) for key, value in values.items()}
    where = change.where if where is None else where
    where = en.strings["browser.file.it"] if where == IT else where.format(q=q)
    expected = fill(en.strings[f"browser.file.{problem}"], where=where, **values)
    assert en.refusal(source) == expected
    # A limit is named in the message, so the user knows what a file may hold.
    if "most" in values:
        assert str(values["most"]) in expected


def test_the_size_limit_is_checked_before_a_file_is_read(en):
    most = en("handbook.answers.LIMITS.fileBytes")
    message = en(
        """most => handbook.files.read({ size: most + 1, name: "big.json", type: "application/json",
             text: () => { throw new Error("read") } }).then(() => null, (error) => error.message)""",
        most,
    )
    assert message == fill(en.strings["browser.file.too_big"], most=round(most / 2**20))
    assert str(round(most / 2**20)) in message


def test_prototype_names_in_a_file_are_only_ever_data(en):
    q = ids(en)[0]
    file = version_3(en)
    file["answers"]["constructor"] = answer(statuses(en)[2], notes="an answer to a question named constructor")
    seen = en(
        """([source, q]) => {
          const model = handbook.answers;
          const read = model.readFile(source);
          const none = model.dictionary();
          return {
            prototype: Object.getPrototypeOf(read.answers),
            ids: Object.keys(read.answers),
            constructor: read.answers.constructor,
            merged: model.merge(none, read.answers, Date.now()).constructor?.notes,
            preview: model.preview(read.answers, none),
            counts: model.counts(read.answers, ["constructor"]).byStatus,
            unpolluted: Object.prototype.status === undefined && ({}).constructor === Object,
          };
        }""",
        [json.dumps(file), q],
    )
    assert seen["prototype"] is None
    assert seen["ids"] == [q, ids(en)[1], "constructor"]
    assert seen["constructor"] == file["answers"]["constructor"]
    assert seen["merged"] == "an answer to a question named constructor"
    assert "constructor" in seen["preview"]["added"] and "constructor" in seen["preview"]["retired"]
    assert seen["counts"][statuses(en)[2]] == 1
    assert seen["unpolluted"] is True


# (a time as written, the time read, or None: refused)
MOMENTS = [
    ("2024-02-29T10:00:00Z", "2024-02-29T10:00:00.000Z"),
    ("2031-03-01T10:15:00.123Z", "2031-03-01T10:15:00.123Z"),
    ("2031-03-01T10:15:00+01:00", "2031-03-01T09:15:00.000Z"),
    # The day as written, in the time's own offset, is a real day: the time read falls on another.
    ("2031-03-01T00:15:00+01:00", "2031-02-28T23:15:00.000Z"),
    ("2031-02-28T23:30:00-01:00", "2031-03-01T00:30:00.000Z"),
    ("2024-02-30T10:00:00Z", None),
    ("2023-02-29T10:00:00Z", None),
    ("2031-04-31T10:00:00Z", None),
    ("2031-13-01T10:00:00Z", None),
    ("0000-00-00T00:00:00Z", None),
    ("2031-03-01", None),
    ("1 March 2031 10:00", None),
    ("", None),
]


@pytest.mark.parametrize(("written", "read"), MOMENTS)
def test_a_time_is_a_real_moment(en, written, read):
    got = en(
        "v => { try { return handbook.answers.moment(v, 'x') } catch (e) { return { refused: e.message } } }", written
    )
    assert got == (read if read else {"refused": fill(en.strings["browser.file.not_moment"], where="x")})


# (a day as written, the day read, or None: refused)
DAYS = [
    ("2024-02-29", "2024-02-29"),
    ("2031-12-31", "2031-12-31"),
    ("", ""),
    (None, ""),
    ("2024-02-30", None),
    ("2023-02-29", None),
    ("2031-06-31", None),
    ("0000-00-00", None),
    ("0000-01-01", None),
    ("2031-00-10", None),
    ("2031-1-1", None),
    ("31/12/2031", None),
]


@pytest.mark.parametrize(("written", "read"), DAYS)
def test_a_day_is_a_day_of_the_calendar_or_nothing(en, written, read):
    got = en(
        "v => { try { return handbook.answers.day(v ?? undefined, 'x') } catch (e) { return { refused: e.message } } }",
        written,
    )
    assert got == (read if read is not None else {"refused": fill(en.strings["browser.file.not_day"], where="x")})


# ------------------------------------------------------------------ merging and settling

OLDEST = "OLDEST"
AHEAD = "AHEAD"  # later than now by more than the clock allowance
AT_ALLOWANCE = "AT_ALLOWANCE"  # exactly the allowance after now: not yet a wrong clock

# (what happens, my answer's time, theirs, who wins: "mine", "theirs", or "theirs, dated now")
MERGES = [
    ("the newer answer wins", -HOUR, -MINUTE, "theirs"),
    ("an older answer loses", -MINUTE, -HOUR, "mine"),
    ("equal times keep mine", -HOUR, -HOUR, "mine"),
    ("a millisecond is enough", -HOUR, -HOUR + 1, "theirs"),
    ("a time ahead of now never beats a local edit", -DAY, AHEAD, "mine"),
    ("a time ahead of now never beats a local edit made just now", 0, AHEAD, "mine"),
    ("a time within the clock allowance is only newer", -MINUTE, AT_ALLOWANCE, "theirs"),
    ("a time ahead of now comes in, dated now, where there is none", None, AHEAD, "theirs, dated now"),
    ("an answer comes in where there is none", None, -DAY, "theirs"),
    ("an answer of unknown time loses to any", OLDEST, -DAY, "theirs"),
    ("an answer of unknown time never beats one", -DAY, OLDEST, "mine"),
    ("two of unknown time keep mine", OLDEST, OLDEST, "mine"),
    ("an answer of unknown time comes in where there is none", None, OLDEST, "theirs"),
    ("mine stays where they have none", -DAY, None, "mine"),
]


def _time(world: World, at) -> str:
    if at == OLDEST:
        return world("handbook.answers.OLDEST")
    allowance = world("handbook.answers.CLOCK_ALLOWANCE_MS")
    return iso(NOW + {AHEAD: allowance + 1_000, AT_ALLOWANCE: allowance}.get(at, at))


@pytest.mark.parametrize(("mine", "theirs", "wins"), [c[1:] for c in MERGES], ids=[c[0] for c in MERGES])
def test_merging_keeps_the_newer_answer(en, mine, theirs, wins):
    q, other = ids(en)[:2]
    done = statuses(en)[2]
    sets = {
        "mine": {q: answer(statuses(en)[1], _time(en, mine), notes="mine")} if mine is not None else {},
        "theirs": {q: answer(done, _time(en, theirs), notes="theirs")} if theirs is not None else {},
    }
    sets["mine"][other] = answer(done, iso(NOW - DAY), notes="only mine")
    merged = en(
        """([mine, theirs, now]) => {
          const { merge, dictionary } = handbook.answers;
          const [a, b] = [dictionary(Object.entries(mine)), dictionary(Object.entries(theirs))];
          const before = JSON.stringify([a, b]);
          const merged = merge(a, b, now);
          if (JSON.stringify([a, b]) !== before) throw new Error("merge changed what it was given");
          if (Object.getPrototypeOf(merged) !== null) throw new Error("a merged set has a prototype");
          return merged;
        }""",
        [sets["mine"], sets["theirs"], NOW],
    )
    assert merged[other] == sets["mine"][other]
    expected = {
        "mine": sets["mine"].get(q),
        "theirs": sets["theirs"].get(q),
        "theirs, dated now": {**sets["theirs"].get(q, {}), "updated": iso(NOW)},
    }[wins]
    assert merged[q] == expected


def test_settled_dates_times_ahead_of_now_now_and_leaves_the_rest(en):
    q, other, third = ids(en)[:3]
    given = {
        q: answer("open", _time(en, AHEAD), notes="ahead"),
        other: answer("open", _time(en, AT_ALLOWANCE), notes="at the allowance"),
        third: answer("open", iso(NOW - DAY), notes="yesterday"),
    }
    settled = en("([set, now]) => handbook.answers.settled(set, now)", [given, NOW])
    assert settled == {q: {**given[q], "updated": iso(NOW)}, other: given[other], third: given[third]}


# ------------------------------------------------------------------ previewing an import


def test_preview_sorts_each_incoming_answer_before_anything_changes(en):
    q = ids(en)
    future = _time(en, AHEAD)
    text = [question["text"] for question in en.bank["questions"]]
    mine = {
        q[0]: answer("open", iso(NOW - DAY)),
        q[1]: answer("open", iso(NOW - MINUTE)),
        q[2]: answer("open", iso(NOW - HOUR)),
        q[3]: answer("open", iso(NOW - HOUR)),
    }
    incoming = {
        q[0]: answer("agreed", iso(NOW - HOUR), question=text[0]),  # newer, same wording
        q[1]: answer(
            "agreed", iso(NOW - HOUR), question=f"  {text[1]}\n".replace(" ", "  ")
        ),  # older; spacing aside, same
        q[2]: answer("agreed", iso(NOW - HOUR), question="An earlier wording?"),  # same time; reworded since
        q[3]: answer("agreed", future),  # later than now: never newer
        q[4]: answer("agreed", future),  # later than now, and none here
        q[5]: answer("agreed", iso(NOW - HOUR)),  # none here
        "a-retired-question": answer("agreed", iso(NOW - HOUR), question="Gone?"),
    }
    found = en("([incoming, mine, now]) => handbook.answers.preview(incoming, mine, now)", [incoming, mine, NOW])
    assert found == {
        "newer": [q[0]],
        "older": [q[1], q[3]],
        "same": [q[2]],
        "added": [q[4], q[5], "a-retired-question"],
        "retired": ["a-retired-question"],
        "reworded": [q[2]],
        "future": [q[3], q[4]],
    }
    # What merging then does agrees with the preview: newer and added come in, nothing else.
    merged = en("([mine, incoming, now]) => handbook.answers.merge(mine, incoming, now)", [mine, incoming, NOW])
    came_in = sorted(i for i in incoming if merged[i]["status"] == "agreed")
    assert came_in == sorted([*found["newer"], *found["added"]])


# ------------------------------------------------------------------ what changed between review points


def test_diff_says_what_changed_between_two_review_points(en):
    file = json.loads((FIXTURES / "version-2.json").read_text(encoding="utf-8"))
    read = en("source => handbook.answers.readFile(source)", json.dumps(file))
    changes = en(
        "([before, after]) => handbook.answers.diff(before, after)", [read["snapshots"][0]["answers"], read["answers"]]
    )
    s = en.strings
    then, now = read["snapshots"][0]["answers"]["a-question"], read["answers"]["a-question"]
    action = now["action"]
    assert changes == [
        [
            "a-question",
            [
                [s["browser.diff.status"], en.status(then["status"]), en.status(now["status"])],
                [s["browser.diff.notes"], then["notes"], now["notes"]],
                [
                    s["browser.diff.action"],
                    "",
                    "; ".join(
                        [
                            action["text"],
                            fill(s["browser.action.owner"], owner=action["owner"]),
                            fill(s["browser.action.due"], due=action["due"]),
                        ]
                    ),
                ],
            ],
        ],
        # No answer at the review point: not yet discussed, then.
        ["another-question", [[s["browser.diff.status"], en.status(statuses(en)[0]), en.status("follow-up")]]],
    ]


def test_diff_lists_changes_in_page_order_and_ignores_a_time_alone(en):
    q = ids(en)
    last = q[-1]
    before = {q[0]: answer("open", iso(NOW - DAY)), last: answer("agreed", iso(NOW - DAY))}
    after = {
        last: answer("agreed", iso(NOW), action={"text": "", "owner": "", "due": "", "done": "2031-03-01"}),
        q[0]: answer("open", iso(NOW)),  # only its time changed
        q[1]: answer("discussed", iso(NOW)),
        "a-retired-question": answer("discussed", iso(NOW)),
    }
    changes = en("([before, after]) => handbook.answers.diff(before, after)", [before, after])
    assert [change[0] for change in changes] == [q[1], last, "a-retired-question"]
    assert changes[1][1] == [
        [en.strings["browser.diff.action"], "", fill(en.strings["browser.action.done"], done="2031-03-01")]
    ]
    assert en("([a]) => handbook.answers.diff(a, a)", [after]) == []


# ------------------------------------------------------------------ counting


def test_counts_tally_each_status_of_the_questions_asked_about(en):
    q = ids(en)
    first, discussed, *rest = statuses(en)
    given = {q[0]: answer(discussed), q[1]: answer(rest[0]), q[2]: answer(first), "a-retired-question": answer(rest[0])}
    tally = en("([set, ids]) => handbook.answers.counts(set, ids)", [given, q])
    assert tally == {
        "byStatus": {first: len(q) - 2, discussed: 1, rest[0]: 1, **dict.fromkeys(rest[1:], 0)},
        "all": len(q),
        "done": 2,
    }
    assert en("([set]) => handbook.answers.counts(set, [])", [given]) == {
        "byStatus": dict.fromkeys(statuses(en), 0),
        "all": 0,
        "done": 0,
    }


# ------------------------------------------------------------------ Markdown

COMMONMARK = MarkdownIt("commonmark")

# (hostile text, what md makes of it)
MD = [
    ("plain words", "plain words"),
    ("a\rb", "a\\\n  b"),  # a lone carriage return ends a line
    ("a\r\nb\n\n  c  ", "a\\\n  b\\\n  c"),
    ("a\u2028b\u2029c", "a\\\n  b\\\n  c"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<b onclick=x>bold</b>", "&lt;b onclick=x&gt;bold&lt;/b&gt;"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("![x](https://x.example/t.png)", "!\\[x\\](https://x.example/t.png)"),
    ("a | b | c", "a \\| b \\| c"),
    ("*not em* **nor strong**", "\\*not em\\* \\*\\*nor strong\\*\\*"),
    ("_not em_ but snake_case stays", "\\_not em\\_ but snake_case stays"),
    ("`code` and ~~struck~~", "\\`code\\` and \\~\\~struck\\~\\~"),
    ("{: .attribute-list} [^note]", "\\{: .attribute-list\\} \\[^note\\]"),
    ("a \\ backslash", "a \\\\ backslash"),
    ("&amp; &#169; &copy; & alone", "&amp;amp; &amp;#169; &amp;copy; & alone"),
    ("# not a heading", "\\# not a heading"),
    ("> not a quote", "&gt; not a quote"),
    ("- not a list\n+ nor this", "\\- not a list\\\n  \\+ nor this"),
    ("=== not a heading's line", "\\=== not a heading's line"),
    ("1. not a list", "1\\. not a list"),
    ("first\n2) nor this\n10. nor this", "first\\\n  2\\) nor this\\\n  10\\. nor this"),
    ("    not code", "not code"),
    ("See https://x.example/a_b_c/~user/x*y?q=1&r=[2]&s=3.", "See https://x.example/a_b_c/~user/x*y?q=1&r=[2]&s=3."),
    ("(https://x.example/path_one) and _this_", "(https://x.example/path_one) and \\_this\\_"),
    ("<https://x.example>", "&lt;https://x.example&gt;"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "escaped"), MD)
def test_md_keeps_text_as_text_and_addresses_as_typed(en, text, escaped):
    out = en("text => handbook.record.md(text)", text)
    assert out == escaped
    # Read by a CommonMark renderer: one paragraph (or none) holding exactly the words, line by line.
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n|\u2028|\u2029", text) if line.strip()]
    tokens = COMMONMARK.parse(out)
    assert [t.type for t in tokens] == (["paragraph_open", "inline", "paragraph_close"] if lines else [])
    if lines:
        children = tokens[1].children
        assert {c.type for c in children} <= {"text", "hardbreak"}, [c.type for c in children]
        assert "".join("\n" if c.type == "hardbreak" else c.content for c in children) == "\n".join(lines)


def blocks(markdown: str) -> list[tuple[str, str]]:
    """A Markdown document as CommonMark reads it: (h1, h2, h3, p or li, its text) in order."""
    out: list[tuple[str, str]] = []
    tokens = COMMONMARK.parse(markdown)
    kind = ""
    for token in tokens:
        if token.type == "heading_open":
            kind = token.tag
        elif token.type == "list_item_open":
            kind = "li"
        elif token.type == "paragraph_open" and kind != "li":
            kind = "p"
        elif token.type == "inline":
            text = "".join({"hardbreak": "\n", "softbreak": " "}.get(c.type, c.content) for c in token.children)
            out.append((kind, text))
        elif token.type in ("list_item_close", "heading_close"):
            kind = ""
    return out


def expected_headings(world: World) -> list[tuple[str, str]]:
    titles = {item["id"]: item["title"] for item in [*world.bank["stages"], *world.bank["principles"]]}
    out, stage, principle = [], None, None
    for question in world.bank["questions"]:
        if question["stage"] != stage:
            stage, principle = question["stage"], None
            out.append(("h2", titles[stage]))
        if question["principle"] != principle:
            principle = question["principle"]
            out.append(("h3", titles[principle]))
    return out


def record(world: World, partnership: dict, site: str, date: str) -> list[tuple[str, str]]:
    text = world(
        """([partnership, site, date]) => {
          const answers = handbook.answers.dictionary(Object.entries(partnership.answers));
          return handbook.record.markdown({ ...partnership, answers }, site, date);
        }""",
        [partnership, site, date],
    )
    assert text.endswith("\n")
    return blocks(text)


def plural(world: World, key: str, n: int, **values) -> str:
    forms = world.strings[key]
    form = forms.get(f"={n}") or forms.get(Locale.parse(world.bank["language"]).plural_form(n)) or forms["other"]
    return fill(form, n=n, **values)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_record_is_markdown_in_the_pages_language(request, language):
    world: World = request.getfixturevalue(language)
    s = world.strings
    questions = world.bank["questions"]
    first, second = questions[0], questions[1]
    agreed, discussed = statuses(world)[2], statuses(world)[1]
    partnership = {
        "name": "Riverside *and* Northshire",
        "organisation": "Riverside Council",
        "answers": {
            # Answered in the first language's words: not reworded, in any language.
            first["id"]: answer(
                agreed,
                notes="Agreed at the away day.\n1. Fund it\n# Not a heading",
                action={"text": "Write it up", "owner": "Sam", "due": "2031-04-01", "done": ""},
                dissent="Northshire <abstains>",
                question=first.get("source", first["text"]),
            ),
            second["id"]: answer(discussed, question="An earlier wording?"),
            "a-retired-question": answer(agreed, question="A question since retired?"),
        },
        "snapshots": [
            {"name": "Set-up", "taken": "2031-02-01T09:00:00.000Z", "answers": {first["id"]: answer(discussed)}}
        ],
    }
    got = record(world, partnership, "The handbook", "1 March 2031")

    n = len(questions)
    assert got[:4] == [
        ("h1", partnership["name"]),
        ("p", fill(s["browser.record.from"], site="The handbook", edition=world.bank["edition"], date="1 March 2031")),
        ("p", fill(s["browser.record.by"], organisation="Riverside Council")),
        ("p", plural(world, "browser.progress.discussed", n, done=2)),
    ]
    assert [b for b in got if b[0] in ("h2", "h3")] == [
        *expected_headings(world),
        ("h2", s["browser.record.retired"]),
        ("h2", s["browser.record.review_points"]),
    ]

    def item(heading: str) -> list[str]:
        """The list under a question's heading."""
        at = got.index(("p", heading)) + 1
        end = next((i for i in range(at, len(got)) if got[i][0] != "li"), len(got))
        return [text for _, text in got[at:end]]

    status = s["browser.record.status"]
    action = "; ".join(
        ["Write it up", fill(s["browser.action.owner"], owner="Sam"), fill(s["browser.action.due"], due="2031-04-01")]
    )
    assert item(f"{first['number']}. {first['text']}") == [
        fill(status, status=world.status(agreed)),
        fill(s["browser.record.notes"], notes="Agreed at the away day.\n1. Fund it\n# Not a heading"),
        fill(s["browser.record.action"], action=action),
        fill(s["browser.record.dissent"], dissent="Northshire <abstains>"),
    ]
    assert item(f"{second['number']}. {second['text']}") == [
        fill(status, status=world.status(discussed)),
        fill(s["browser.record.then"], question="An earlier wording?"),
    ]
    assert item(f"{questions[-1]['number']}. {questions[-1]['text']}") == [
        fill(status, status=world.status(statuses(world)[0]))
    ]
    assert item("A question since retired?") == [fill(status, status=world.status(agreed))]
    points = world("t => handbook.i18n.when(t)", "2031-02-01T09:00:00.000Z")
    assert got[-1] == ("li", f"Set-up, {points}: {plural(world, 'browser.progress.discussed', n, done=1)}")
    assert sum(1 for kind, text in got if kind == "li" and text.startswith(fill(status, status=""))) == n + 1


# ------------------------------------------------------------------ the compare page's ranking


def rank(world: World, partners: list[dict[str, str]]) -> dict:
    """The compare page's rows and agenda for partners who gave these statuses (none: not yet discussed)."""
    return world(
        """([given, edition]) => {
          const model = handbook.answers;
          const compare = handbook.compare;
          const partners = compare.partners();
          partners.splice(0);
          given.forEach((statuses, index) => {
            const answers = Object.fromEntries(Object.entries(statuses).map(([id, status]) =>
              [id, { status, updated: "2031-02-01T09:00:00.000Z" }]));
            const file = { format: model.FORMAT, version: model.VERSION, handbook: { title: "", edition },
              partnership: { name: `P${index}` }, exported: "2031-02-01T09:00:00.000Z", answers };
            const data = model.readFile(JSON.stringify(file));
            const name = `P${index}`;
            partners.push({ file: `p${index}.json`, data, key: String(index), fallback: name, name });
          });
          const groups = compare.compare();
          const agenda = compare.agenda(groups);
          const result = {
            groups: groups.map((group) => [group.id, group.rows.map((row) => [row.id, row.differs])]),
            agenda: agenda.map((row) => [row.id, row.distinct, compare.spread(row)]),
            byStatus: agenda.map((row) => compare.byStatus(row)),
          };
          partners.splice(0);
          return result;
        }""",
        [partners, world.bank["edition"]],
    )


# (what it shows, each partner's statuses, the agenda: [question, distinct statuses, spread])
RANKINGS = [
    (
        "more distinct statuses first, then the wider spread, ties in page order",
        [
            {"q-a": "agreed", "q-b": "open", "q-c": "discussed", "q-e": "discussed", "q-d": "open"},
            {"q-a": "open", "q-b": "discussed", "q-c": "follow-up", "q-d": "agreed", "q-e": "discussed"},
            {"q-b": "discussed", "q-e": "discussed"},
        ],
        [["q-c", 3, [3, 2]], ["q-a", 2, [2, 3]], ["q-d", 2, [2, 3]], ["q-b", 2, [2, 1]]],
    ),
    (
        "equal spreads keep page order, across stages",
        [dict.fromkeys(["q-e", "q-d", "q-c", "q-b", "q-a"], "agreed"), {}],
        [["q-a", 2, [2, 3]], ["q-b", 2, [2, 3]], ["q-c", 2, [2, 3]], ["q-d", 2, [2, 3]], ["q-e", 2, [2, 3]]],
    ),
    (
        "the spread on the scale, not the statuses' order, breaks a tie",
        # follow-up is listed after agreed, but sits between discussed and agreed on the scale
        [{"q-a": "discussed", "q-b": "agreed", "q-d": "open"}, {"q-a": "follow-up", "q-b": "open", "q-d": "follow-up"}],
        [["q-b", 2, [2, 3]], ["q-d", 2, [2, 2]], ["q-a", 2, [2, 1]]],
    ),
    (
        "a later stage's wider spread comes first",
        [{"q-a": "discussed", "q-e": "agreed"}, {}],
        [["q-e", 2, [2, 3]], ["q-a", 2, [2, 1]]],
    ),
    ("no answer is not yet discussed", [{"q-b": "open"}, {}], []),
    ("partners who agree throughout have no agenda", [{"q-a": "agreed"}, {"q-a": "agreed"}], []),
    ("one partner has no agenda", [{"q-a": "agreed", "q-b": "discussed"}], []),
    ("no partners: no agenda", [], []),
]  # fmt: skip


@pytest.mark.parametrize(("partners", "agenda"), [c[1:] for c in RANKINGS], ids=[c[0] for c in RANKINGS])
def test_the_agenda_ranks_the_questions_partners_differ_on_widest_spread_first(small, partners, agenda):
    found = rank(small, partners)
    assert found["agenda"] == agenda
    # Every question is compared, stage by stage, in page order; a row differs when its statuses do.
    differing = {row[0] for row in agenda}
    assert found["groups"] == [
        [stage["id"], [[qid, qid in differing] for qid, at, _ in SMALL if at == stage["id"]]] for stage in SMALL_STAGES
    ]
    # The ranking is the partners' answers', whatever order their files were given in.
    assert rank(small, partners[::-1])["agenda"] == agenda


def test_the_agenda_says_who_gave_which_status_in_the_scales_order(small):
    found = rank(small, [{"q-c": "agreed"}, {"q-c": "follow-up"}, {"q-c": "agreed"}, {}])
    both = small("names => handbook.i18n.list(names)", ["P0", "P2"])
    # The scale: not yet discussed, discussed, follow-up, agreed (follow-up is listed after agreed).
    assert found["byStatus"] == [
        f"{small.status('open')}: P3; {small.status('follow-up')}: P1; {small.status('agreed')}: {both}"
    ]


def test_answers_to_questions_the_handbook_no_longer_has_are_compared_but_not_ranked(small):
    found = rank(small, [{"gone-question": "agreed", "q-a": "discussed"}, {"gone-question": "open"}])
    assert found["groups"][-1] == ["retired", [["gone-question", True]]]
    assert found["agenda"] == [["q-a", 2, [2, 1]]]


@pytest.mark.parametrize(
    ("given", "spread"),
    [
        (["open"], [1, 0]),
        (["agreed", "agreed"], [1, 0]),
        (["open", "agreed"], [2, 3]),
        (["agreed", "open"], [2, 3]),
        (["discussed", "follow-up"], [2, 1]),
        (["follow-up", "agreed", "open", "discussed"], [4, 3]),
    ],
)
def test_spread_is_distinct_statuses_then_distance_on_the_scale(small, given, spread):
    assert small("statuses => handbook.compare.spread({ statuses })", given) == spread


# ------------------------------------------------------------------ plural forms

# (n, Welsh's plural form for it by CLDR, the text chosen: an exact =N form comes first)
WELSH = [
    (0, "zero", "none at all"),
    (1, "one", "one 1"),
    (2, "two", "two 2"),
    (3, "few", "exactly three"),
    (4, "other", "other 4"),
    (6, "many", "many 6"),
    (7, "other", "other 7"),
    (11, "other", "other 11"),
    (1000, "other", "other 1,000"),
]


@pytest.mark.parametrize(("n", "form", "text"), WELSH)
def test_welsh_chooses_each_plural_form_and_exact_forms_first(welsh_rules, n, form, text):
    # The rule is CLDR's, as Babel (which the build uses) has it.
    assert Locale.parse("cy").plural_form(n) == form
    assert welsh_rules.t("test.count", n=n) == text


@pytest.mark.parametrize(("n", "text"), [(1, "one 1"), (0, "other 0"), (2, "other 2"), (3, "other 3"), (6, "other 6")])
def test_a_form_the_text_lacks_falls_back_to_other(welsh_rules, n, text):
    assert welsh_rules.t("test.sparse", n=n) == text


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 6, 10, 37])
def test_the_welsh_strings_take_their_forms_by_the_welsh_rules(cy, n):
    key = "count.questions"
    forms = cy.strings[key]
    assert {"zero", "one", "two", "few", "many", "other"} <= set(forms)
    assert cy.t(key, n=n) == plural(cy, key, n)
    assert cy.t("browser.progress.discussed", n=n, done=1) == plural(cy, "browser.progress.discussed", n, done=1)


def test_a_missing_text_is_its_key_and_said(welsh_rules):
    got = welsh_rules(
        """key => {
          const said = [];
          const error = console.error;
          console.error = (...words) => said.push(words.join(" "));
          try {
            return [handbook.i18n.t(key, { n: 1 }), said];
          } finally {
            console.error = error;
          }
        }""",
        "test.no-such-text",
    )
    assert got[0] == "test.no-such-text"
    assert len(got[1]) == 1 and "test.no-such-text" in got[1][0]
