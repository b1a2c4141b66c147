// needs: i18n, answers
// The workspace in this browser: the partnerships, the one each tab shows, and the earlier
// states to put back. Kept in localStorage under keys named after this handbook's address, the
// same for every language of it; in memory when storage is off or full. Rules, so that no answer
// is lost and no message says otherwise:
// - a step that replaces or removes answers first keeps the state it replaces as an earlier
//   state, and is refused when that copy cannot be stored (the page offers an export instead);
// - when storage fills, earlier states give way, oldest first, before answers do;
// - what this tab could not save stays on its page and in its export, whatever another tab saves;
// - what cannot be read is copied aside once, exactly, and never written over;
// - times from a clock that runs ahead never beat an answer given here (answers.js).
(() => {
  "use strict";
  const handbook = self.handbook;
  const model = handbook.answers;
  const { t } = handbook.i18n;
  const bank = self.handbookBank || {};
  const site = document.querySelector('meta[name="handbook-store"]')?.content || location.pathname;
  // Keyed by the handbook's root (this file is in a language's assets/, and bank.home leads from
  // that language's root to the first's): two handbooks on one host never share answers, and
  // every language of one does. From file:// (the offline edition, whose folder may move) the
  // key is the handbook's name, as earlier editions keyed every copy.
  const languageRoot = new URL("..", document.currentScript?.src || location.href);
  const root = location.protocol === "file:" ? site : new URL(bank.home || ".", languageRoot).pathname;
  const keyOf = (kind, at = root) => `handbook-${kind}:${at}`;
  const WORKSPACE = keyOf("workspace");
  const HISTORY = keyOf("history");
  const OLD_ANSWERS = keyOf("answers", site); // one unnamed set of answers, from before partnerships
  const TAB = keyOf("tab"); // this tab's partnership, in sessionStorage: another tab's switch never moves it
  const MOST_HISTORY = 12;
  const FORMAT = "partnership-handbook-workspace";
  const now = () => new Date().toISOString();

  const storage = { off: false, blocked: new Set(), full: false, notes: [] };
  // Partnerships changed here since this tab last saved, each with what changed: ALL, or a set of
  // its fields' names and of "question field" for an answer's ("question *": all of it). Kept,
  // whatever another tab saves.
  const unsaved = new Map();
  const ALL = "*";
  const PLAIN = ["name", "organisation", "kind", "sources", "reviewMonths"];
  // Partnerships exported as they are now: a step that has no room to keep its copy may still
  // remove their answers, as the file holds them. A change to one, or another tab's save, forgets it.
  const exported = new Set();
  let workspace = { active: "", partnerships: model.dictionary() };
  let history = [];

  // ------------------------------------------------------------------ storage, guarded

  function read(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      storage.off = true;
      return null;
    }
  }
  // "saved", "full" (the browser refused: quota), or "off" (no storage, or a key never to write).
  function write(key, value) {
    if (storage.off || storage.blocked.has(key)) return "off";
    try {
      localStorage.setItem(key, value);
      return "saved";
    } catch {
      return "full";
    }
  }
  function parse(raw) {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  // A short name for a value, so that the same unreadable value is copied aside only once.
  function fingerprint(raw) {
    let hash = 2166136261;
    for (let index = 0; index < raw.length; index += 1) {
      hash = Math.imul(hash ^ raw.charCodeAt(index), 16777619);
    }
    return (hash >>> 0).toString(36) + raw.length.toString(36);
  }

  // Copy an unreadable value aside, once, and check the copy; if no copy can be kept, that key is
  // never written again, so the value stays as it was.
  function setAside(key, raw, what) {
    const aside = `${key}:unreadable:${fingerprint(raw)}`;
    const kept = read(aside) === raw || (write(aside, raw) === "saved" && read(aside) === raw);
    if (!kept) storage.blocked.add(key);
    storage.notes.push(
      kept
        ? t("browser.storage.set_aside", { what, key: aside })
        : t("browser.storage.not_set_aside", { what }),
    );
    return kept;
  }

  // ------------------------------------------------------------------ reading what is stored

  // The partnership every browser starts with, as a page in another language of the handbook
  // named it (or an edition that had that language alone): named in this page's words.
  const defaultNames = new Set((bank.languages || []).map((language) => language.partnership));
  const named = (name) => (defaultNames.has(name) ? t("browser.partnerships.default_name") : name);

  function fresh(name, fields = {}) {
    return {
      name,
      organisation: "",
      kind: "",
      sources: [],
      reviewMonths: 6,
      reset: model.OLDEST,
      answers: model.dictionary(),
      snapshots: [],
      ...fields,
    };
  }

  // Times later than now, from a clock that ran ahead, become now: an edit made here wins after.
  function inTime(time, at) {
    return Date.parse(time) > at + model.CLOCK_ALLOWANCE_MS ? new Date(at).toISOString() : time;
  }

  // A stored workspace, entry by entry: what can be read, and how many entries cannot.
  function readWorkspace(stored) {
    let bad = 0;
    const onBad = () => {
      bad += 1;
    };
    const keep = (reading, otherwise) => {
      try {
        return reading();
      } catch {
        onBad();
        return otherwise;
      }
    };
    const at = Date.now();
    const kept = {
      active: typeof stored?.active === "string" ? stored.active : "",
      partnerships: model.dictionary(),
    };
    if (!model.isObject(stored?.partnerships)) return { workspace: kept, bad: 1 };
    for (const id of Object.keys(stored.partnerships).slice(0, model.LIMITS.partnerships)) {
      const given = stored.partnerships[id];
      if (!model.ID.test(id) || !model.isObject(given)) {
        onBad();
        continue;
      }
      const answers = keep(() => model.answers(given.answers, "", model.VERSION, onBad), model.dictionary());
      for (const question of Object.keys(answers))
        answers[question].updated = inTime(answers[question].updated, at);
      kept.partnerships[id] = fresh(
        named(keep(() => model.text(given.name, ""), t("browser.partnerships.unnamed"))),
        {
          organisation: keep(() => model.text(given.organisation ?? "", ""), ""),
          kind: given.kind === "agreed" ? "agreed" : "",
          sources: keep(() => model.sources(given.sources, "", onBad), []),
          reviewMonths: model.reviewMonths(given.reviewMonths),
          reset: inTime(
            keep(() => model.moment(given.reset ?? model.OLDEST, ""), model.OLDEST),
            at,
          ),
          answers,
          snapshots: keep(() => model.reviewPoints(given.snapshots ?? [], "", onBad), []),
        },
      );
    }
    return { workspace: kept, bad };
  }

  function readHistory(raw) {
    const stored = parse(raw);
    let bad = Array.isArray(stored) ? 0 : 1;
    const kept = [];
    for (const entry of Array.isArray(stored) ? stored.slice(0, MOST_HISTORY) : []) {
      try {
        const read = readWorkspace(entry?.ws);
        bad += read.bad;
        kept.push({
          taken: model.moment(entry.taken, ""),
          reason: model.text(entry.reason, ""),
          ws: read.workspace,
        });
      } catch {
        bad += 1;
      }
    }
    return { history: kept, bad };
  }

  // ------------------------------------------------------------------ saving

  const serialise = (state) => JSON.stringify({ format: FORMAT, version: 2, ...state });

  // Save the workspace. When storage is full, earlier states give way, oldest first, before answers;
  // never the newest `keep` (the one a step has just kept as its undo).
  function save(keep = 0) {
    const value = serialise(workspace);
    let result = write(WORKSPACE, value);
    while (result === "full" && history.length > keep) {
      history = history.slice(0, -1);
      writeHistory();
      result = write(WORKSPACE, value);
    }
    storage.full = result === "full";
    if (result === "saved") unsaved.clear();
    return result;
  }
  function writeHistory() {
    if (history.length) return write(HISTORY, JSON.stringify(history));
    forget(HISTORY);
    return "saved";
  }
  function forget(key) {
    try {
      if (!storage.blocked.has(key)) localStorage.removeItem(key);
    } catch {
      storage.off = true;
    }
  }

  // Copies that keep every set a dictionary without a prototype (structuredClone would not).
  const copyAnswers = (set) =>
    model.dictionary(Object.keys(set).map((id) => [id, { ...set[id], action: { ...set[id].action } }]));
  const copyPartnership = (partnership) => ({
    ...partnership,
    sources: partnership.sources.map((source) => ({ ...source, answers: copyAnswers(source.answers) })),
    answers: copyAnswers(partnership.answers),
    snapshots: partnership.snapshots.map((point) => ({ ...point, answers: copyAnswers(point.answers) })),
  });
  const copyWorkspace = (state) => ({
    active: state.active,
    partnerships: model.dictionary(
      Object.keys(state.partnerships).map((id) => [id, copyPartnership(state.partnerships[id])]),
    ),
  });

  // Keep the state before a step that replaces or removes answers, as the newest earlier state, and
  // return it. Older ones give way if there is no room; none if even this one cannot be stored.
  function keepEarlier(reason) {
    const entry = { taken: now(), reason, ws: copyWorkspace(workspace) };
    if (storage.off || storage.blocked.has(HISTORY)) {
      // Nothing can be stored: the earlier state is kept on this page only, and says so.
      history = [{ ...entry, pageOnly: true }, ...history].slice(0, MOST_HISTORY);
      return history[0];
    }
    for (let candidate = [entry, ...history].slice(0, MOST_HISTORY); candidate.length; candidate.pop()) {
      if (write(HISTORY, JSON.stringify(candidate)) === "saved") {
        history = candidate;
        return entry;
      }
    }
  }

  const NO_ROOM = { ok: false, why: "no-room" };
  // Every change goes through here, naming the partnerships it touches and what of them it changes
  // (see unsaved). With a reason, the state before it is kept first; if that, or the change beside
  // it, cannot be stored, nothing changes and the result says why (unless the partnerships it
  // removes are exported as they are). The result's undo says whether the state before it was kept.
  function change(
    make,
    reason,
    touched = [workspace.active],
    detail = undefined,
    removes = touched,
    what = ALL,
  ) {
    // Another tab removed them all (its message may not have come yet): never written back.
    if (reason && read(HISTORY) === null) history = history.filter((entry) => entry.pageOnly);
    const [before, full] = [history, storage.full];
    const kept = reason && keepEarlier(reason);
    const free = removes.every((id) => exported.has(id));
    if (reason && !kept && !free) return NO_ROOM;
    const result = make(workspace);
    ensure();
    const promised = kept && !kept.pageOnly;
    let saved = save(promised ? 1 : 0);
    if (saved === "full" && promised) {
      if (!free) {
        // The step and the copy that undoes it do not both fit: back to the state before it.
        workspace = kept.ws;
        history = before;
        writeHistory();
        storage.full = full;
        ensure();
        return NO_ROOM;
      }
      saved = save();
    }
    for (const id of touched) {
      if (saved !== "saved") mark(id, what);
      exported.delete(id);
    }
    emit(detail);
    return { ok: true, result, undo: Boolean(kept) && history.includes(kept) };
  }
  function mark(id, what) {
    const was = unsaved.get(id) ?? [];
    unsaved.set(id, what === ALL || was === ALL ? ALL : new Set([...was, ...what]));
  }
  const each = (question, fields) => fields.map((field) => `${question} ${field}`);
  // The fields of an answer that differ ("action.done" for one of its action's).
  const differ = (a, b, prefix = "") =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
      .map((key) => prefix + key);
  const answerFields = (before = {}, after = {}) => [
    ...differ(before, after).filter((key) => !["updated", "question", "action"].includes(key)),
    ...differ(before.action || {}, after.action || {}, "action."),
  ];
  // Another tab's answer, with the fields this tab changed and has not saved.
  function patch(theirs, given, fields) {
    const merged = { ...theirs, action: { ...theirs.action } };
    if (given.updated > theirs.updated) merged.updated = given.updated;
    for (const field of fields) {
      const [key, part] = field.split(".");
      const [from, to, name] = part ? [given.action || {}, merged.action, part] : [given, merged, key];
      if (Object.hasOwn(from, name)) to[name] = from[name];
      else delete to[name];
    }
    return merged;
  }

  function ensure() {
    if (!Object.keys(workspace.partnerships).length) {
      workspace.partnerships.ours = fresh(t("browser.partnerships.default_name"));
    }
    if (!Object.hasOwn(workspace.partnerships, workspace.active)) {
      workspace.active = Object.keys(workspace.partnerships)[0];
    }
    tab(workspace.active);
  }
  function tab(id) {
    try {
      if (id) sessionStorage.setItem(TAB, id);
      return sessionStorage.getItem(TAB);
    } catch {
      return id;
    }
  }

  // detail "tab": another tab made the change; {answer, partnership}: one answer, given here.
  const emit = (detail) => document.dispatchEvent(new CustomEvent("hb:change", { detail }));
  const newId = () => `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const get = (id) => (Object.hasOwn(workspace.partnerships, id) ? workspace.partnerships[id] : undefined);
  const active = () => get(workspace.active);

  handbook.store = {
    site,
    keyOf,
    get workspace() {
      return workspace;
    },
    get,
    active,
    change,
    history: () => history,
    exported: (id) => exported.add(id),
    isExported: (id) => exported.has(id),
    historySize: () => history.reduce((total, entry) => total + JSON.stringify(entry).length, 0),
    // One answer to one question, of the partnership the page showed when it was given.
    setAnswer(partnership, question, given) {
      if (!get(partnership)) return { ok: false, why: "gone" };
      const questionText = model.questionText(question) || given.question || "";
      const fields = answerFields(get(partnership).answers[question], given);
      return change(
        (state) => {
          state.partnerships[partnership].answers[question] = {
            ...given,
            updated: now(),
            question: questionText,
          };
        },
        undefined,
        [partnership],
        { answer: question, partnership },
        undefined,
        each(question, fields),
      );
    },
    add(name, fields, reason) {
      if (Object.keys(workspace.partnerships).length >= model.LIMITS.partnerships) {
        return { ok: false, why: "too-many" };
      }
      const id = newId();
      return change(
        (state) => {
          state.active = id;
          state.partnerships[id] = fresh(name, fields);
          return id;
        },
        reason,
        [id],
        undefined,
        [],
      );
    },
    edit(partnership, fields, reason) {
      const was = get(partnership);
      if (!was) return { ok: false, why: "gone" };
      const answers = Object.keys(fields.answers || {}).filter(
        (id) => fields.answers[id] !== was.answers[id],
      );
      return change(
        (state) => Object.assign(state.partnerships[partnership], fields),
        reason,
        [partnership],
        undefined,
        undefined,
        [
          ...Object.keys(fields).filter((key) => fields[key] !== was[key]),
          ...answers.flatMap((id) => each(id, [ALL])),
        ],
      );
    },
    switchTo(partnership) {
      if (!get(partnership)) return { ok: false, why: "gone" };
      return change(
        (state) => {
          state.active = partnership;
        },
        undefined,
        [],
      );
    },
    remove(partnership, reason) {
      if (!get(partnership)) return { ok: false, why: "gone" };
      return change((state) => delete state.partnerships[partnership], reason, [], undefined, [partnership]);
    },
    // Replaced answers (import, clear) win over older edits still to come from other tabs.
    replace(partnership, answers, reason, snapshots) {
      if (!get(partnership)) return { ok: false, why: "gone" };
      return change(
        (state) => {
          const target = state.partnerships[partnership];
          Object.assign(target, { answers, snapshots: snapshots ?? target.snapshots, reset: now() });
        },
        reason,
        [partnership],
        undefined,
        undefined,
        ["reset", ...Object.keys(answers).flatMap((id) => each(id, [ALL]))],
      );
    },
    restore(entry) {
      const restored = copyWorkspace(entry.ws);
      return change(
        () => {
          workspace = restored;
          for (const id of Object.keys(workspace.partnerships)) workspace.partnerships[id].reset = now();
        },
        t("browser.undo.reason_restore"),
        Object.keys(restored.partnerships),
        undefined,
        Object.keys(workspace.partnerships),
      );
    },
    // Free what earlier states take in storage: one, or (with no index) all of them.
    dropHistory(index) {
      history = index === undefined ? [] : history.filter((_, at) => at !== index);
      writeHistory();
      save();
      emit();
    },
    warnings() {
      const reason = storage.off
        ? t("browser.storage.off")
        : storage.blocked.has(WORKSPACE)
          ? t("browser.storage.blocked")
          : storage.full && t("browser.storage.full");
      return [...storage.notes, reason && t("browser.storage.page_only", { reason })].filter(Boolean);
    },
  };

  // ------------------------------------------------------------------ at every page view

  const stored = read(WORKSPACE) ?? read(keyOf("workspace", site));
  if (stored !== null) {
    const found = readWorkspace(parse(stored));
    workspace = found.workspace;
    if (found.bad ? setAside(WORKSPACE, stored, t("browser.storage.what_answers")) : read(WORKSPACE) === null)
      save();
  } else if (read(OLD_ANSWERS) !== null) {
    // The old set becomes the first partnership; the old key stays as it was.
    let bad = 0;
    try {
      const old = model.answers(parse(read(OLD_ANSWERS)).answers, "", 1, () => {
        bad += 1;
      });
      workspace.partnerships.ours = fresh(t("browser.partnerships.default_name"), { answers: old });
      save();
    } catch {
      bad = -1;
    }
    if (bad)
      storage.notes.push(t("browser.storage.old_unreadable", { n: Math.max(bad, 0), key: OLD_ANSWERS }));
  }
  const storedHistory = read(HISTORY) ?? read(keyOf("history", site));
  if (storedHistory !== null) {
    const found = readHistory(storedHistory);
    history = found.history;
    if (
      found.bad ? setAside(HISTORY, storedHistory, t("browser.storage.what_history")) : read(HISTORY) === null
    ) {
      writeHistory();
    }
  }
  const shown = tab();
  if (Object.hasOwn(workspace.partnerships, shown)) workspace.active = shown;
  ensure();

  // Another tab saved: take its workspace, with what this tab has that it lacks, and save that back.
  addEventListener("storage", (event) => {
    if (event.key === HISTORY) {
      // Changed or removed there: this tab lists, and writes back, what is stored (and its own page-only ones).
      const found = event.newValue === null ? { history: [] } : readHistory(event.newValue);
      history = [...history.filter((entry) => entry.pageOnly), ...found.history];
      if (found.bad) setAside(HISTORY, event.newValue, t("browser.storage.what_history_other"));
      emit("tab");
    }
    if (event.key !== WORKSPACE || event.newValue === null) return;
    exported.clear();
    const theirs = readWorkspace(parse(event.newValue));
    if (theirs.bad && !storage.blocked.has(WORKSPACE)) {
      setAside(WORKSPACE, event.newValue, t("browser.storage.what_answers_other"));
    }
    let kept = theirs.bad > 0;
    const mine = workspace.partnerships;
    const next = theirs.workspace.partnerships;
    for (const id of Object.keys(mine)) {
      const here = mine[id];
      const there = Object.hasOwn(next, id) ? next[id] : undefined;
      const changed = unsaved.get(id);
      if (!there || changed === ALL) {
        // Deleted there: gone here too, unless this tab holds work on it that no tab has saved.
        if (changed) {
          next[id] = here;
          kept = true;
        }
        continue;
      }
      if (changed) {
        // Only what this tab changed goes over what the other saved, field by field.
        if (changed.has("reset") && here.reset > there.reset) {
          for (const question of Object.keys(there.answers)) {
            if (!(there.answers[question].updated > here.reset)) delete there.answers[question];
          }
          there.reset = here.reset;
        }
        for (const field of PLAIN) if (changed.has(field)) there[field] = here[field];
        const points = new Set(there.snapshots.map((point) => `${point.taken}|${point.name}`));
        for (const point of here.snapshots) {
          if (!points.has(`${point.taken}|${point.name}`)) {
            there.snapshots.push(point);
            kept = true;
          }
        }
      }
      const answered = new Map();
      for (const [question, field] of [...(changed || [])].map((name) => name.split(" "))) {
        if (field) answered.set(question, [...(answered.get(question) || []), field]);
      }
      for (const question of Object.keys(here.answers)) {
        const given = here.answers[question];
        const theirs = there.answers[question];
        // An answer this tab has not saved stays, whatever the other saved or cleared.
        const fields = answered.get(question);
        if (fields)
          there.answers[question] = fields.includes(ALL) || !theirs ? given : patch(theirs, given, fields);
        else if (given.updated > there.reset && !(theirs?.updated >= given.updated))
          there.answers[question] = given;
        else continue;
        kept = true;
      }
    }
    const showing = workspace.active;
    workspace = theirs.workspace;
    if (Object.hasOwn(workspace.partnerships, showing)) workspace.active = showing;
    ensure();
    if (kept) save();
    emit("tab");
  });
})();
