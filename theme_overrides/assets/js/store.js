// The workspace in this browser (partnerships, the active one, undo points), in localStorage
// under keys named after this handbook's address; in memory when storage fails. Loses no answer.
(() => {
  "use strict";
  const HB = self.handbook;
  const A = HB.answers;
  const site = document.querySelector('meta[name="handbook-store"]')?.content || location.pathname;
  // Keyed by the site's root (this file is in its assets/): two handbooks on one host never
  // share answers, and renaming one keeps them. Earlier editions keyed by the site's name, as
  // the offline edition still does: its folder may be moved, and its address with it.
  const root = location.protocol === "file:" ? site : new URL("..", document.currentScript?.src || location.href).pathname;
  const key = (kind, at = root) => `handbook-${kind}:${at}`;
  const KEY = key("workspace");
  const UNDO = key("history");
  const OLD = key("answers", site); // one unnamed set of answers, from before partnerships
  const TAB = key("tab"); // this tab's partnership, in sessionStorage: another tab's switch never moves it
  const OLDEST = "1970-01-01T00:00:00.000Z";
  const now = () => new Date().toISOString();
  const state = { off: false, full: false, blocked: new Set(), notes: [] };
  let ws = { active: "", partnerships: {} };
  let undo = [];

  function get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      state.off = true;
      return null;
    }
  }
  function put(key, value) {
    if (state.blocked.has(key)) return false;
    try {
      localStorage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }
  function parse(raw) {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }

  // Read entry by entry: what can be read, and how many entries cannot.
  function readWs(w) {
    let bad = 0;
    const onBad = () => (bad += 1);
    const keep = (read, fallback) => {
      try {
        return read();
      } catch {
        return onBad(), fallback;
      }
    };
    const out = { active: String(w?.active), partnerships: {} };
    if (!A.isObj(w?.partnerships)) return { ws: out, bad: 1 };
    for (const [id, p] of A.entries(w.partnerships)) {
      if (!A.ID.test(id) || !A.isObj(p)) onBad();
      else
        out.partnerships[id] = {
          name: keep(() => A.text(p.name, ""), "Unnamed partnership"),
          organisation: keep(() => A.text(p.organisation ?? "", ""), ""),
          reset: keep(() => A.time(p.reset ?? OLDEST, ""), OLDEST),
          answers: keep(() => A.answers(p.answers, "", false, onBad), {}),
          snapshots: keep(() => A.snapshots(p.snapshots ?? [], "", onBad), []),
        };
    }
    return { ws: out, bad };
  }

  function readUndo(raw) {
    const list = parse(raw);
    let bad = Array.isArray(list) ? 0 : 1;
    const read = (e) => {
      const w = readWs(e?.ws);
      bad += w.bad;
      return { taken: A.time(e.taken, ""), reason: A.text(e.reason, ""), ws: w.ws };
    };
    return { list: Array.isArray(list) ? A.each(list, read, () => (bad += 1)) : [], bad };
  }

  // Copy an unreadable value aside and read the copy back; if that fails, never write its key.
  function setAside(key, raw, what) {
    const aside = `${key}:unreadable:${now()}`;
    const kept = put(aside, raw) && get(aside) === raw;
    if (!kept) state.blocked.add(key);
    state.notes.push(`${what} could not be read. ${kept ? `A copy of it all is kept in this browser's storage as “${aside}”.` : "No copy could be kept, so it is left as it was."}`);
    return kept;
  }

  const fresh = (name, answers = {}, snapshots = [], organisation = "") => ({ name, organisation, reset: OLDEST, answers, snapshots });

  function persist() {
    state.full = !put(KEY, JSON.stringify({ format: "partnership-handbook-workspace", version: 1, ...ws })) && !state.off && !state.blocked.has(KEY);
  }

  function ensure() {
    if (!Object.keys(ws.partnerships).length) ws.partnerships.ours = fresh("Our partnership");
    if (!ws.partnerships[ws.active]) ws.active = Object.keys(ws.partnerships)[0];
    tab(ws.active);
  }
  function tab(id) {
    try {
      if (id) sessionStorage.setItem(TAB, id);
      return sessionStorage.getItem(TAB);
    } catch {
      return id;
    }
  }

  // detail "tab": another tab made the change.
  const emit = (detail) => document.dispatchEvent(new CustomEvent("hb:change", { detail }));

  // Storage nearly full: fewer undo points stored rather than none; memory keeps all.
  function saveUndo() {
    for (let n = undo.length; n && !put(UNDO, JSON.stringify(undo.slice(0, n))); n -= 1);
  }

  // Every change: first an undo point if it replaces or removes answers.
  function change(make, reason) {
    if (reason) {
      undo = [{ taken: now(), reason, ws: structuredClone(ws) }, ...undo].slice(0, 12);
      saveUndo();
    }
    const result = make(ws);
    ensure();
    persist();
    emit();
    return result;
  }

  const active = () => ws.partnerships[ws.active];
  const id = () => "p" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

  HB.store = {
    site,
    key,
    get ws() {
      return ws;
    },
    active,
    change,
    undo: () => undo,
    setAnswer: (q, a) => change((w) => (w.partnerships[w.active].answers[q] = { ...a, updated: now(), question: HB.bank.byId.get(q)?.text || a.question })),
    add: (name, answers, snapshots, organisation, reason) => change((w) => (w.partnerships[(w.active = id())] = fresh(name, answers, snapshots, organisation)), reason),
    edit: (fields, reason) => change(() => Object.assign(active(), fields), reason),
    switchTo: (to) => change((w) => (w.active = to)),
    remove: (gone) => change((w) => delete w.partnerships[gone], `Before deleting ${ws.partnerships[gone].name}`),
    // Replaced answers (import, clear) win over older edits still to come from other tabs.
    replace: (answers, reason, snapshots = active().snapshots) => change(() => Object.assign(active(), { answers, snapshots, reset: now() }), reason),
    restore: (entry) =>
      change(() => {
        ws = structuredClone(entry.ws);
        for (const p of Object.values(ws.partnerships)) p.reset = now();
      }, "Before putting back an earlier state"),
    warnings() {
      const why = state.off ? "Storage is switched off in this browser." : state.blocked.has(KEY) ? "New answers cannot be saved over them." : state.full && "This browser's storage is full.";
      return [...state.notes, why && `${why} Answers stay on this page only until you leave it: export them to keep them.`].filter(Boolean);
    },
  };

  const raw = get(KEY) ?? get(key("workspace", site));
  if (raw !== null) {
    const read = readWs(parse(raw));
    ws = read.ws;
    if (read.bad ? setAside(KEY, raw, "Some of the answers saved in this browser") : get(KEY) === null) persist();
  } else if (get(OLD) !== null) {
    // The old set becomes the first partnership; the old key stays as it was.
    let bad = 0;
    try {
      ws.partnerships.ours = fresh("Our partnership", A.answers(parse(get(OLD)).answers, "", true, () => (bad += 1)));
      persist();
    } catch {
      bad = "All";
    }
    if (bad) state.notes.push(`${bad} of the answers an earlier version of this handbook saved could not be read; they stay as they were, as “${OLD}”.`);
  }
  const history = get(UNDO) ?? get(key("history", site));
  if (history !== null) {
    const read = readUndo(history);
    undo = read.list;
    if (read.bad ? setAside(UNDO, history, "Some of the earlier states") : get(UNDO) === null) saveUndo();
  }
  const here = tab();
  if (ws.partnerships[here]) ws.active = here;
  ensure();

  // Another tab saved: take its workspace with this tab's newer answers, and save those back.
  addEventListener("storage", (event) => {
    if (event.key === UNDO && event.newValue !== null) {
      const read = readUndo(event.newValue);
      undo = read.list;
      if (read.bad) setAside(UNDO, event.newValue, "Some of the earlier states another tab saved");
    }
    if (event.key !== KEY || event.newValue === null) return;
    const theirs = readWs(parse(event.newValue));
    if (theirs.bad && !state.blocked.has(KEY)) setAside(KEY, event.newValue, "Some of the answers another tab saved");
    let mine = theirs.bad;
    for (const [pid, p] of Object.entries(theirs.ws.partnerships)) {
      for (const [q, a] of Object.entries(ws.partnerships[pid]?.answers || {})) {
        if (a.updated > p.reset && !(p.answers[q]?.updated >= a.updated)) [p.answers[q], mine] = [a, true];
      }
    }
    const here = ws.active;
    ws = theirs.ws;
    if (ws.partnerships[here]) ws.active = here;
    ensure();
    if (mine) persist();
    emit("tab");
  });
})();
