// needs: i18n
// Answers and the answers file (schema/answers.schema.json): reading and checking, merging,
// comparing (the record as Markdown is record.js). No storage and no page here, so every page and the
// compare page can use it as it is, and tests can run it in a blank page.
//
// Every set of answers is a dictionary without a prototype, keyed by question id: an id from
// a file or from storage ("constructor", "toString") is only ever data.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const FORMAT = "partnership-handbook-answers";
  const VERSION = 3;
  const bank = self.handbookBank || { edition: "", stages: [], principles: [], questions: [], statuses: [] };
  const STATUSES = bank.statuses.map((status) => status.id);
  const FIRST_STATUS = STATUSES[0];
  const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  const OLDEST = "1970-01-01T00:00:00.000Z";
  // Limits no real partnership reaches (schema/answers.schema.json says the same): a file
  // beyond them is refused at once, rather than stalling the page.
  const LIMITS = {
    fileBytes: 20 * 2 ** 20,
    answers: 50_000,
    text: 100_000,
    reviewPoints: 200,
    partnerships: 100,
  };
  // A time later than this after now comes from a clock that is wrong: it never beats an answer
  // given here (see merge).
  const CLOCK_ALLOWANCE_MS = 5 * 60 * 1000;

  const byId = new Map(bank.questions.map((question) => [question.id, question]));
  const titleOf = (id, list = bank.stages) => list.find((item) => item.id === id)?.title || id;
  const dictionary = (entries = []) => Object.assign(Object.create(null), Object.fromEntries(entries));
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const has = (object, key) => isObject(object) && Object.hasOwn(object, key);
  const statusLabel = (status) => t(`status.${status}`);
  // This edition as each language of the handbook words it: a file exported from a page in
  // another language names this edition in that language's words, and reads as this page words it.
  const editions = new Set((bank.languages || []).map((language) => language.edition).filter(Boolean));
  const thisEdition = (edition) => (editions.has(edition) ? bank.edition : edition);

  // ------------------------------------------------------------------ reading

  function fail(where, problem, values = {}) {
    throw new Error(t(`browser.file.${problem}`, { where, ...values }));
  }
  function text(value, where) {
    if (typeof value !== "string") fail(where, "not_text");
    if (value.length > LIMITS.text) fail(where, "too_long", { most: LIMITS.text });
    return value;
  }
  const optionalText = (value, where) => (value === undefined ? "" : text(value, where));

  // A day of the calendar as written: "2024-02-30" and "0000-00-00" are not days.
  function isDay(given) {
    const [year, month, date] = given.split("-").map(Number);
    const parsed = /^\d{4}-\d\d-\d\d$/.test(given) ? new Date(Date.UTC(year, month - 1, date)) : null;
    return Boolean(parsed) && year >= 1 && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === date;
  }
  // A real moment, as ISO 8601: "2024-02-30T..." is refused, not moved to March. The day is
  // checked as written, in the time's own offset: "2031-03-01T00:15+01:00" is a real moment.
  function moment(value, where) {
    text(value, where);
    const time = /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(time) || !isDay(value.slice(0, 10))) fail(where, "not_moment");
    return new Date(time).toISOString();
  }
  // A day of the calendar, or nothing.
  function day(value, where) {
    const given = optionalText(value, where);
    if (given && !isDay(given)) fail(where, "not_day");
    return given;
  }

  // One answer as kept here. In version 1 an answer was a tick (done) and notes.
  function answer(given, where, version) {
    if (!isObject(given)) fail(where, "not_answer");
    let status = given.status;
    if (version === 1) {
      if (has(given, "status")) fail(where, "version_one_status");
      if (![undefined, true, false].includes(given.done)) fail(`${where}.done`, "not_boolean");
      status = given.done ? STATUSES[1] : FIRST_STATUS;
    }
    if (typeof status !== "string" || !STATUSES.includes(status)) {
      fail(`${where}.status`, "not_status", { statuses: STATUSES.join(", ") });
    }
    const action = given.action ?? {};
    if (!isObject(action)) fail(`${where}.action`, "not_action");
    const kept = {
      status,
      notes: optionalText(given.notes, `${where}.notes`),
      action: {
        text: optionalText(action.text, `${where}.action.text`),
        owner: optionalText(action.owner, `${where}.action.owner`),
        due: day(action.due, `${where}.action.due`),
      },
      // Version 1 answers may have no time: older than any answer given since.
      updated:
        version === 1 && given.updated === undefined ? OLDEST : moment(given.updated, `${where}.updated`),
      question: optionalText(given.question, `${where}.question`),
    };
    const done = day(action.done, `${where}.action.done`);
    if (done) kept.action.done = done;
    const dissent = optionalText(given.dissent, `${where}.dissent`);
    if (dissent) kept.dissent = dissent;
    return kept;
  }

  // What a set holds that can be read. With onBad (stored data), an answer that cannot be read is
  // counted and left out; without it (a file), the first one refuses the whole set.
  function answers(given, where, version, onBad) {
    if (!isObject(given)) fail(where, "not_answers");
    const ids = Object.keys(given);
    if (ids.length > LIMITS.answers) fail(where, "too_many_answers", { n: ids.length, most: LIMITS.answers });
    const set = dictionary();
    for (const id of ids) {
      try {
        if (!ID.test(id)) fail(where, "not_id", { id: id.slice(0, 40) });
        set[id] = answer(given[id], `${where}.${id}`, version);
      } catch (error) {
        if (!onBad) throw error;
        onBad();
      }
    }
    return set;
  }

  function reviewPoints(given, where, onBad) {
    if (!Array.isArray(given)) fail(where, "not_list");
    if (given.length > LIMITS.reviewPoints) {
      fail(where, "too_many_review_points", { n: given.length, most: LIMITS.reviewPoints });
    }
    const kept = [];
    given.forEach((point, index) => {
      const at = `${where}[${index}]`;
      try {
        if (!isObject(point)) fail(at, "not_review_point");
        kept.push({
          name: text(point.name, `${at}.name`),
          taken: moment(point.taken, `${at}.taken`),
          answers: answers(point.answers, `${at}.answers`, VERSION, onBad),
        });
      } catch (error) {
        if (!onBad) throw error;
        onBad();
      }
    });
    return kept;
  }

  const named = (value, where) =>
    value === undefined
      ? ""
      : isObject(value)
        ? optionalText(value.name, `${where}.name`)
        : fail(where, "not_named");

  // An answers file's text, checked whole: what it holds, or an Error saying what is wrong.
  function readFile(source) {
    let file;
    try {
      file = JSON.parse(source);
    } catch {
      fail(t("browser.file.it"), "not_json");
    }
    const it = t("browser.file.it");
    if (!isObject(file) || file.format !== FORMAT) fail(it, "not_answers_file", { format: FORMAT });
    if (!Number.isInteger(file.version) || file.version < 1) fail(it, "no_version");
    if (file.version > VERSION) fail(it, "newer_version", { version: file.version, known: VERSION });
    const version = file.version;
    const book = version === 1 ? { title: file.site } : file.handbook;
    if (!isObject(book)) fail(it, "no_handbook");
    const partnership = isObject(file.partnership) ? file.partnership : {};
    return {
      version,
      handbook: {
        title: optionalText(book.title, "handbook.title"),
        edition: thisEdition(optionalText(book.edition, "handbook.edition")),
      },
      partnership: named(file.partnership, "partnership"),
      kind: partnership.kind === "agreed" ? "agreed" : "",
      sources: sources(partnership.sources, "partnership.sources"),
      reviewMonths: reviewMonths(partnership.review?.months),
      organisation: named(file.organisation, "organisation"),
      exported: file.exported === undefined ? "" : moment(file.exported, "exported"),
      answers: answers(file.answers, "answers", version),
      snapshots: reviewPoints(file.snapshots ?? [], "snapshots"),
    };
  }

  // An agreed position's partners: each one's name, file and own answers, kept as they were.
  function sources(given, where, onBad) {
    if (given === undefined) return [];
    if (!Array.isArray(given) || given.length > 8) fail(where, "not_sources");
    return given.map((source, index) => {
      const at = `${where}[${index}]`;
      if (!isObject(source)) fail(at, "not_source");
      return {
        name: optionalText(source.name, `${at}.name`),
        file: optionalText(source.file, `${at}.file`),
        answers: answers(source.answers ?? {}, `${at}.answers`, VERSION, onBad),
      };
    });
  }

  const reviewMonths = (months) => (Number.isInteger(months) && months >= 1 && months <= 60 ? months : 6);

  // A partnership as an answers file: what readFile reads back.
  function toFile(partnership, site) {
    return {
      format: FORMAT,
      version: VERSION,
      handbook: { title: site, edition: bank.edition, language: bank.language },
      partnership: {
        name: partnership.name,
        ...(partnership.kind && { kind: partnership.kind }),
        ...(partnership.sources?.length && { sources: partnership.sources }),
        ...(partnership.reviewMonths &&
          partnership.reviewMonths !== 6 && { review: { months: partnership.reviewMonths } }),
      },
      ...(partnership.organisation && { organisation: { name: partnership.organisation } }),
      exported: new Date().toISOString(),
      answers: partnership.answers,
      snapshots: partnership.snapshots,
    };
  }

  // ------------------------------------------------------------------ comparing and merging

  const blank = { status: FIRST_STATUS, notes: "", action: { text: "", owner: "", due: "" } };
  const actionText = (action) =>
    [
      action.text,
      action.owner && t("browser.action.owner", { owner: action.owner }),
      action.due && t("browser.action.due", { due: action.due }),
      action.done && t("browser.action.done", { done: action.done }),
    ]
      .filter(Boolean)
      .join("; ");
  // Anything said about a question: a status, notes or an action.
  const said = (given) =>
    Boolean(given) && (given.status !== FIRST_STATUS || /\S/.test(given.notes + actionText(given.action)));
  const squash = (words) => words.replace(/\s+/g, " ").trim();
  // The question's words in the handbook's first language: what answers record, in every language.
  const questionText = (id) => byId.get(id)?.source || byId.get(id)?.text || "";
  // Answered when the question read differently (version 1 answers may not carry its text).
  const reworded = (id, given) =>
    Boolean(given?.question && byId.has(id)) && squash(given.question) !== squash(questionText(id));

  const inFuture = (time, now) => Date.parse(time) > now + CLOCK_ALLOWANCE_MS;
  // Times from a clock that runs ahead become now: a set taken as it is (replace, a new partnership).
  function settled(set, now = Date.now()) {
    const kept = dictionary();
    for (const id of Object.keys(set)) {
      const given = set[id];
      kept[id] = inFuture(given.updated, now) ? { ...given, updated: new Date(now).toISOString() } : given;
    }
    return kept;
  }

  // The newer answer wins, question by question. An answer dated later than now (a wrong clock)
  // never replaces one given here; where there is none, it comes in, dated now.
  function merge(mine, theirs, now = Date.now()) {
    const merged = dictionary(Object.entries(mine));
    for (const id of Object.keys(theirs)) {
      const given = theirs[id];
      const here = merged[id];
      if (inFuture(given.updated, now)) {
        if (!here) merged[id] = { ...given, updated: new Date(now).toISOString() };
      } else if (!here || here.updated < given.updated) {
        merged[id] = given;
      }
    }
    return merged;
  }

  // What importing a set would do, question by question, before anything changes.
  function preview(incoming, mine, now = Date.now()) {
    const found = { newer: [], older: [], same: [], added: [], retired: [], reworded: [], future: [] };
    for (const id of Object.keys(incoming)) {
      const given = incoming[id];
      const here = mine[id]?.updated;
      const future = inFuture(given.updated, now);
      if (future) found.future.push(id);
      const sort = !here
        ? "added"
        : future || given.updated < here
          ? "older"
          : given.updated > here
            ? "newer"
            : "same";
      found[sort].push(id);
      if (!byId.has(id)) found.retired.push(id);
      if (reworded(id, given)) found.reworded.push(id);
    }
    return found;
  }

  // What changed between two sets, in page order: [[id, [[what, before, after], ...]], ...].
  function diff(before, after) {
    const ids = new Set(byId.keys());
    for (const id of Object.keys(before)) ids.add(id);
    for (const id of Object.keys(after)) ids.add(id);
    const changes = [];
    for (const id of ids) {
      const [was, now] = [before[id] || blank, after[id] || blank];
      const found = [
        [t("browser.diff.status"), statusLabel(was.status), statusLabel(now.status)],
        [t("browser.diff.notes"), was.notes, now.notes],
        [t("browser.diff.action"), actionText(was.action), actionText(now.action)],
      ].filter(([, a, b]) => a !== b);
      if (found.length) changes.push([id, found]);
    }
    return changes;
  }

  // How many questions have each status, of how many (all), and how many were discussed (done:
  // any status but the first).
  function counts(set, ids) {
    const found = Object.fromEntries(STATUSES.map((status) => [status, 0]));
    for (const id of ids) found[set[id]?.status || FIRST_STATUS] += 1;
    return { byStatus: found, all: ids.length, done: ids.length - found[FIRST_STATUS] };
  }

  handbook.bank = { ...bank, byId, titleOf };
  handbook.answers = {
    FORMAT,
    VERSION,
    STATUSES,
    FIRST_STATUS,
    ID,
    OLDEST,
    LIMITS,
    CLOCK_ALLOWANCE_MS,
    blank,
    dictionary,
    isObject,
    has,
    text,
    moment,
    day,
    answers,
    reviewPoints,
    sources,
    reviewMonths,
    readFile,
    toFile,
    statusLabel,
    actionText,
    said,
    questionText,
    reworded,
    settled,
    merge,
    preview,
    diff,
    counts,
  };
})();
