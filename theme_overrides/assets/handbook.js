// The handbook's browser side: keeps a team's ticks and notes in this browser
// (localStorage, no server), exports and imports them as a file, and prints.
// Answers are keyed by question id, so they survive edits to the question text
// and are never dropped when a question leaves the bank.

// A classic deferred script (module scripts do not load from file://), so it
// keeps its names to itself in one function scope.
(() => {
  "use strict";

  const FORMAT = "partnership-handbook-answers";
  const VERSION = 1;
  const site = document.querySelector('meta[name="handbook-store"]')?.content || location.pathname;
  const KEY = `handbook-answers:${site}`;
  const BACKUP_KEY = `${KEY}:backup`;
  const COMPACT_KEY = `handbook-compact-print:${site}`;

  const questions = [...document.querySelectorAll("li[data-question]")];
  const status = document.querySelector(".hb-status");
  let storageWorks = true;

  function say(message) {
    if (status) status.textContent = message;
  }

  // --------------------------------------------------------------- storage

  function readStore() {
    let raw = null;
    try {
      raw = localStorage.getItem(KEY);
    } catch {
      storageWorks = false;
      return { answers: {} };
    }
    if (!raw) return { answers: {} };
    try {
      const store = JSON.parse(raw);
      if (store && typeof store.answers === "object") return store;
      throw new Error("unexpected shape");
    } catch {
      // Never overwrite what we cannot read: set it aside and tell the user.
      writeRaw(`${BACKUP_KEY}:unreadable:${Date.now()}`, raw);
      say("Saved answers in this browser could not be read; a copy was kept aside. New answers start empty.");
      return { answers: {} };
    }
  }

  function writeRaw(key, value) {
    try {
      localStorage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }

  function writeStore(store) {
    store.format = FORMAT;
    store.version = VERSION;
    storageWorks = writeRaw(KEY, JSON.stringify(store));
    if (!storageWorks) {
      say("This browser is not saving your answers (storage is full or switched off). Export them now to keep them.");
    }
    return storageWorks;
  }

  // --------------------------------------------------------------- the page

  function fieldsOf(item) {
    return {
      done: item.querySelector('[data-hb-field="done"]'),
      notes: item.querySelector('[data-hb-field="notes"]'),
      details: item.querySelector(".hb-notes"),
      typed: item.querySelector(".hb-typed"),
    };
  }

  function show(item, answer) {
    const { done, notes, details, typed } = fieldsOf(item);
    const text = answer?.notes || "";
    if (done) done.checked = Boolean(answer?.done);
    if (notes && notes !== document.activeElement) notes.value = text;
    if (typed) typed.textContent = text;
    item.toggleAttribute("data-has-notes", text.trim() !== "");
    if (details) {
      details.toggleAttribute("data-filled", text.trim() !== "");
      if (text.trim()) details.open = true;
    }
  }

  function showAll(store) {
    for (const item of questions) show(item, store.answers[item.dataset.question]);
  }

  function save(item) {
    const { done, notes } = fieldsOf(item);
    const store = readStore();
    store.answers[item.dataset.question] = {
      done: Boolean(done?.checked),
      notes: notes?.value || "",
      updated: new Date().toISOString(),
      question: item.querySelector(".hb-question__text")?.textContent.trim() || "",
    };
    writeStore(store);
    show(item, store.answers[item.dataset.question]);
  }

  // --------------------------------------------------------------- export, import, clear

  function exportAnswers() {
    const store = readStore();
    const count = Object.keys(store.answers).length;
    const file = { format: FORMAT, version: VERSION, site, exported: new Date().toISOString(), answers: store.answers };
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `partnership-answers-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    say(`Exported ${count} answer${count === 1 ? "" : "s"} to ${link.download}.`);
  }

  function importAnswers(text) {
    let incoming;
    try {
      incoming = JSON.parse(text);
    } catch {
      say("That file is not an answers file (it is not valid JSON). Nothing was changed.");
      return;
    }
    if (incoming?.format !== FORMAT || typeof incoming.answers !== "object") {
      say("That file is not an answers file exported from this handbook. Nothing was changed.");
      return;
    }
    const store = readStore();
    writeRaw(BACKUP_KEY, JSON.stringify(store));
    let added = 0;
    let kept = 0;
    for (const [id, answer] of Object.entries(incoming.answers)) {
      const mine = store.answers[id];
      // The newer answer wins, so importing an old file never undoes recent work.
      if (!mine || (answer.updated || "") > (mine.updated || "")) {
        store.answers[id] = answer;
        added += 1;
      } else {
        kept += 1;
      }
    }
    if (writeStore(store)) {
      showAll(store);
      say(
        `Imported ${added} answer${added === 1 ? "" : "s"}` +
          (kept ? `; kept ${kept} from this browser because they were newer.` : "."),
      );
    }
  }

  function clearAnswers() {
    const store = readStore();
    const count = Object.keys(store.answers).length;
    if (!count) {
      say("There are no saved answers to clear.");
      return;
    }
    const ok = window.confirm(
      `Clear all ${count} saved answers from this browser? Export them first if you may need them again.`,
    );
    if (!ok) return;
    writeRaw(BACKUP_KEY, JSON.stringify(store));
    writeStore({ answers: {} });
    showAll({ answers: {} });
    say(`Cleared ${count} answer${count === 1 ? "" : "s"}.`);
  }

  // --------------------------------------------------------------- start

  function setCompact(on) {
    document.documentElement.classList.toggle("hb-compact", on);
    for (const box of document.querySelectorAll('[data-hb-action="compact"]')) box.checked = on;
    writeRaw(COMPACT_KEY, on ? "1" : "");
  }

  function start() {
    // The printed footer shows the address this page was opened at (the canonical URL otherwise).
    // Not for file:// (it would print a local path), and without query or fragment.
    if (/^https?:$/.test(location.protocol)) {
      const address = JSON.stringify(location.origin + location.pathname);
      document.documentElement.style.setProperty("--hb-address", address);
    }
    for (const el of document.querySelectorAll("[data-hb-js]")) el.hidden = false;
    showAll(readStore());
    if (!storageWorks) {
      say("This browser is not saving your answers (storage is switched off). Export them before you leave the page.");
    }
    try {
      setCompact(localStorage.getItem(COMPACT_KEY) === "1");
    } catch {
      setCompact(false);
    }

    for (const item of questions) {
      item.addEventListener("change", (event) => {
        if (event.target.matches("[data-hb-field]")) save(item);
      });
      item.addEventListener("input", (event) => {
        if (event.target.matches('[data-hb-field="notes"]')) save(item);
      });
    }

    const importInput = document.querySelector("[data-hb-import]");
    importInput?.addEventListener("change", async () => {
      const file = importInput.files?.[0];
      if (file) importAnswers(await file.text());
      importInput.value = "";
    });

    document.addEventListener("click", (event) => {
      const action = event.target.closest("button[data-hb-action]")?.dataset.hbAction;
      if (action === "print") window.print();
      else if (action === "export") exportAnswers();
      else if (action === "import") importInput?.click();
      else if (action === "clear") clearAnswers();
    });
    document.addEventListener("change", (event) => {
      if (event.target.matches('[data-hb-action="compact"]')) setCompact(event.target.checked);
    });

    // Another tab saved: show its answers here too, so neither tab overwrites the other's work.
    window.addEventListener("storage", (event) => {
      if (event.key === KEY) showAll(readStore());
    });
  }

  start();
})();
