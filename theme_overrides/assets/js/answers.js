// Answers and the exchange file (schema/answers.schema.json): checking, merging, comparing,
// and the record as Markdown. No storage or page here: the compare page can use it as it is.
(() => {
  "use strict";
  const HB = (self.handbook ||= {});
  const FORMAT = "partnership-handbook-answers";
  const STATUSES = { open: "Not yet discussed", discussed: "Discussed", agreed: "Agreed", "follow-up": "Needs follow-up" };
  const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  const bank = self.handbookBank || { edition: "", stages: [], principles: [], questions: [] };
  const byId = new Map(bank.questions.map((q) => [q.id, q]));
  const title = (id, list = bank.stages) => list.find((x) => x.id === id)?.title || id;

  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  // Own entries, less the keys that would reach an object's prototype.
  const entries = (o) => Object.entries(o).filter(([k]) => !["__proto__", "constructor", "prototype"].includes(k));
  function fail(where, what) {
    throw new Error(`${where} ${what}`);
  }
  const text = (v, at) => (typeof v === "string" ? v : fail(at, "is not text"));
  const opt = (v, at) => (v === undefined ? "" : text(v, at));
  const time = (v, at) => (/^\d{4}-\d\d-\d\d/.test(text(v, at)) && !isNaN(Date.parse(v)) ? new Date(v).toISOString() : fail(at, "is not a date and time"));

  // One answer as kept here. In version 1 an answer was a tick (done) and notes.
  function answer(a, at, v1) {
    if (!isObj(a)) fail(at, "is not an answer");
    if (v1 && ![undefined, true, false].includes(a.done)) fail(`${at}.done`, "is not true or false");
    const status = v1 ? (a.done ? "discussed" : "open") : a.status;
    if (typeof status !== "string" || !Object.hasOwn(STATUSES, status)) fail(`${at}.status`, `is not one of ${Object.keys(STATUSES)}`);
    const act = a.action ?? {};
    if (!isObj(act)) fail(`${at}.action`, "is not an action");
    const due = opt(act.due, `${at}.action.due`);
    if (due && !/^\d{4}-\d\d-\d\d$/.test(due)) fail(`${at}.action.due`, "is not a date");
    return {
      status,
      notes: opt(a.notes, `${at}.notes`),
      action: { text: opt(act.text, `${at}.action.text`), owner: opt(act.owner, `${at}.action.owner`), due },
      updated: time(a.updated, `${at}.updated`),
      question: opt(a.question, `${at}.question`),
    };
  }

  // With onBad, what cannot be read is counted and left out (stored data); else a file is refused.
  const each = (list, read, onBad) =>
    list.flatMap((item, i) => {
      try {
        return [read(item, i)];
      } catch (error) {
        if (!onBad) throw error;
        return onBad(), [];
      }
    });

  function answers(map, at, v1, onBad) {
    if (!isObj(map)) fail(at, "is not a set of answers");
    const read = ([id, a]) => [ID.test(id) ? id : fail(`${at} has “${id.slice(0, 40)}”,`, "not a question id"), answer(a, `${at}.${id}`, v1)];
    return Object.fromEntries(each(entries(map), read, onBad));
  }

  function snapshots(list, at, onBad) {
    if (!Array.isArray(list)) fail(at, "is not a list");
    const read = (s, i) => ({ name: text(s?.name, `${at}[${i}].name`), taken: time(s.taken, `${at}[${i}].taken`), answers: answers(s.answers, `${at}[${i}].answers`, false, onBad) });
    return each(list, read, onBad);
  }

  const named = (v, at) => (v === undefined ? "" : isObj(v) ? opt(v.name, `${at}.name`) : fail(at, "is not an object"));

  function readFile(source) {
    let f;
    try {
      f = JSON.parse(source);
    } catch {
      fail("It", "is not JSON");
    }
    if (!isObj(f) || f.format !== FORMAT) fail("It", `is not an answers file: its format is not ${FORMAT}`);
    if (!Number.isInteger(f.version) || f.version < 1) fail("It", "has no format version");
    if (f.version > 2) fail(`It is in format version ${f.version},`, "newer than this handbook reads (2): update the handbook");
    const v1 = f.version === 1;
    const book = v1 ? { title: f.site } : f.handbook;
    if (!isObj(book)) fail("Its handbook", "is missing");
    return {
      handbook: { title: opt(book.title, "handbook.title"), edition: opt(book.edition, "handbook.edition") },
      partnership: named(f.partnership, "partnership"),
      organisation: named(f.organisation, "organisation"),
      exported: f.exported === undefined ? "" : time(f.exported, "exported"),
      answers: answers(f.answers, "answers", v1),
      snapshots: snapshots(f.snapshots ?? [], "snapshots"),
    };
  }

  const toFile = (p, site) => ({
    format: FORMAT,
    version: 2,
    handbook: { title: site, edition: bank.edition },
    partnership: { name: p.name },
    ...(p.organisation && { organisation: { name: p.organisation } }),
    exported: new Date().toISOString(),
    answers: p.answers,
    snapshots: p.snapshots,
  });

  const blank = { status: "open", notes: "", action: { text: "", owner: "", due: "" } };
  const actionText = (x) => [x.text, x.owner && `owner: ${x.owner}`, x.due && `due: ${x.due}`].filter(Boolean).join("; ");
  // Anything said about a question: a status, notes or an action.
  const said = (a) => Boolean(a) && (a.status !== "open" || /\S/.test(a.notes + actionText(a.action)));
  const squash = (s) => s.replace(/\s+/g, " ").trim();
  // Answered when the question read differently (version 1 answers may not carry its text).
  const reworded = (id, a) => Boolean(a?.question && byId.has(id)) && squash(a.question) !== squash(byId.get(id).text);

  // Newer wins, question by question.
  function merge(mine, theirs) {
    const out = { ...mine };
    for (const [id, a] of entries(theirs)) if (!(out[id]?.updated >= a.updated)) out[id] = a;
    return out;
  }

  function preview(incoming, mine) {
    const out = { newer: [], older: [], same: [], added: [], retired: [], reworded: [] };
    for (const [id, a] of entries(incoming)) {
      const here = mine[id]?.updated;
      out[!here ? "added" : a.updated > here ? "newer" : a.updated < here ? "older" : "same"].push(id);
      if (!byId.has(id)) out.retired.push(id);
      if (reworded(id, a)) out.reworded.push(id);
    }
    return out;
  }

  // What changed between two sets, in page order: [[id, [[what, before, after], ...]], ...].
  const diff = (before, after) =>
    [...new Set([...byId.keys(), ...Object.keys(before), ...Object.keys(after)])].flatMap((id) => {
      const [a, b] = [before[id] || blank, after[id] || blank];
      const changes = [
        ["Status", STATUSES[a.status], STATUSES[b.status]],
        ["Notes", a.notes, b.notes],
        ["Action", actionText(a.action), actionText(b.action)],
      ].filter(([, x, y]) => x !== y);
      return changes.length ? [[id, changes]] : [];
    });

  // How many questions have each status; done: any status but open ("discussed" in progress).
  function counts(set, ids) {
    const n = { open: 0, discussed: 0, agreed: 0, "follow-up": 0 };
    for (const id of ids) n[set[id]?.status || "open"] += 1;
    return { ...n, all: ids.length, done: ids.length - n.open };
  }

  // Text is data: entities for HTML, backslashes for Markdown, no indent (code), hard breaks.
  const md = (s) =>
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*_{}[\]()#+\-.!|~=]/g, "\\$&")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .join("\\\n  ");

  function markdown(p, site, date) {
    const n = counts(p.answers, [...byId.keys()]);
    const out = [`# ${md(p.name)}`, "", `Checklist record from ${md(site)}, ${md(bank.edition)}; exported ${md(date)}.`];
    if (p.organisation) out.push("", `Answered by ${md(p.organisation)}.`);
    out.push("", `${n.done} of ${n.all} questions discussed.`);
    const item = (id, heading, a = p.answers[id] || blank) => {
      out.push("", `**${md(heading)}**`, "", `- Status: ${STATUSES[a.status]}`);
      if (a.notes.trim()) out.push(`- Notes: ${md(a.notes)}`);
      if (actionText(a.action)) out.push(`- Agreed action: ${md(actionText(a.action))}`);
      if (reworded(id, a)) out.push(`- Answered when the question read: ${md(a.question)}`);
    };
    let stage, principle;
    for (const q of bank.questions) {
      if (q.stage !== stage) out.push("", `## ${md(title((stage = q.stage)))}`);
      if (q.principle !== principle || out.at(-1).startsWith("## ")) out.push("", `### ${md(title((principle = q.principle), bank.principles))}`);
      item(q.id, `${q.number}. ${q.text}`);
    }
    const retired = Object.keys(p.answers).filter((id) => !byId.has(id));
    if (retired.length) out.push("", "## Answers to questions no longer in the handbook");
    for (const id of retired) item(id, p.answers[id].question || id);
    return out.join("\n") + "\n";
  }

  HB.bank = { ...bank, byId, title };
  HB.answers = { STATUSES, ID, blank, isObj, entries, each, text, time, answers, snapshots, readFile, toFile, actionText, said, reworded, merge, preview, diff, counts, markdown, md };
})();
