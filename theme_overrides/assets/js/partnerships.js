// needs: i18n, answers, store, ui, reminders, files, record
// The page "Your partnerships", whose controls are in html/app.html: the partnerships, the
// active one's name and progress, its record and answers file, import with a preview, review
// points and what changed between them, and the earlier states to put back. Export is on the
// checklists' bar too. Every confirmed step acts on the partnership it named, or on none.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, when, number } = handbook.i18n;
  const { h, fill, say, ask, download, fileName } = handbook.ui;
  const model = handbook.answers;
  const store = handbook.store;
  const $ = (selector) => document.querySelector(`[data-hb-app="partnerships"] ${selector}`);
  const allIds = () => [...handbook.bank.byId.keys()];
  const button = (label, data) => h("button.md-button", { type: "button", ...data }, label);
  const SHOWN = 50; // items listed in the import preview; the rest are counted
  const countOf = (set) => Object.keys(set).length;

  // The dialog's note says how to undo the step, or nothing (false): what cannot be undone.
  function confirmed(title, yes, note) {
    $("#hb-confirm-title").textContent = title;
    $("#hb-confirm [value=yes]").textContent = yes;
    $("[data-hb-confirm-note]").textContent = note || "";
    $("[data-hb-confirm-note]").hidden = !note;
    return ask($("#hb-confirm"));
  }
  // A step on a partnership exported as it is goes ahead when there is no room for its copy.
  const undoNote = (id) => t(store.isExported(id) ? "browser.undo.note_exported" : "browser.undo.note");
  // How to undo a step done: only if its copy was kept.
  const undone = (result) => t(result.undo ? "browser.undo.hint" : "browser.undo.exported");

  // What a refused step says: the partnership went in another tab, or no copy could be kept.
  function refused(result, name) {
    if (result.why === "gone") return t("browser.partnerships.gone", { name });
    if (result.why === "too-many")
      return t("browser.partnerships.too_many", { most: model.LIMITS.partnerships });
    return t("browser.undo.no_room");
  }

  // ------------------------------------------------------------------ the page

  function render() {
    if (!$(".hb-partnerships")) return;
    const partnership = store.active();
    const ids = allIds();
    fill(
      $(".hb-partnerships"),
      Object.keys(store.workspace.partnerships).map((id) => {
        const each = store.workspace.partnerships[id];
        const tally = model.counts(each.answers, ids);
        return h(
          "li",
          h("strong", each.name),
          each.organisation &&
            ` ${t("browser.partnerships.answered_by", { organisation: each.organisation })}`,
          each.kind === "agreed" && ` ${t("browser.partnerships.agreed")}`,
          `${id === store.workspace.active ? t("browser.partnerships.is_active") : ""}: `,
          `${t("browser.progress.discussed", { n: tally.all, done: tally.done })} `,
          id !== store.workspace.active && [
            button(t("browser.partnerships.switch", { name: each.name }), { "data-hb-use": id }),
            " ",
          ],
          button(t("browser.partnerships.delete", { name: each.name }), { "data-hb-delete": id }),
        );
      }),
    );
    for (const [field, value] of [
      ["#hb-name", partnership.name],
      ["#hb-org", partnership.organisation],
      ["#hb-review-months", String(partnership.reviewMonths || 6)],
    ]) {
      redraw($(field), value);
    }
    $("#hb-progress").textContent = t("browser.progress.of", { name: partnership.name });
    summary(partnership, ids);
    handbook.reminders.show($(".hb-summary"), $("[data-hb-summary]"));
    reviewPoints(partnership);
    earlierStates();
  }

  // A field of the rename form shows the stored value, unless the user is in it or has changed
  // it and not saved yet: another tab's save never wipes what is typed here. Another partnership
  // shown (a switch in this tab) draws its own values.
  function redraw(field, value) {
    if (!field) return;
    const active = store.workspace.active;
    const changed = field.dataset.hbFor === active && field.value !== field.dataset.hbShown;
    if (field.dataset.hbFor === active && (field === document.activeElement || changed)) {
      if (field.value === value) field.dataset.hbShown = value;
      return;
    }
    field.value = value;
    field.dataset.hbShown = value;
    field.dataset.hbFor = active;
  }

  function summary(partnership, ids) {
    const tally = model.counts(partnership.answers, ids);
    const byStatus = model.STATUSES.map(
      (status) => `${model.statusLabel(status)}: ${number(tally.byStatus[status])}`,
    );
    $("[data-hb-summary]").textContent = `${t("browser.progress.discussed", {
      n: tally.all,
      done: tally.done,
    })}. ${byStatus.join(". ")}.`;
    for (const cell of document.querySelectorAll(".hb-summary td")) {
      const { stage, principle } = cell.dataset;
      const inCell = handbook.bank.questions
        .filter((q) => (!stage || q.stage === stage) && (!principle || q.principle === principle))
        .map((q) => q.id);
      const counted = model.counts(partnership.answers, inCell);
      cell.textContent = counted.all
        ? t("browser.progress.cell", { done: counted.done, n: counted.all })
        : t("browser.progress.none");
    }
  }

  function reviewPoints(partnership) {
    const label = (point) => `${point.name}, ${when(point.taken)}`;
    fill(
      $(".hb-snapshots"),
      partnership.snapshots.map((point) => h("li", label(point))),
      !partnership.snapshots.length && h("li", t("browser.review.none", { name: partnership.name })),
    );
    $("[data-hb-form=diff]").hidden = !partnership.snapshots.length;
    for (const [field, toNow] of [
      ["#hb-from", false],
      ["#hb-to", true],
    ]) {
      const kept = $(field).value;
      fill(
        $(field),
        partnership.snapshots.map((point, index) => h("option", { value: index }, label(point))),
        toNow && h("option", { value: "now" }, t("browser.review.now")),
      ).value = kept;
      $(field).value ||= toNow ? "now" : partnership.snapshots.length - 1;
    }
    handbook.chart?.progress($(".hb-chart"), partnership);
  }

  // An earlier state is named by its time and reason, never by its place in the list, which
  // another tab's step may change; the earlier state named, or undefined if it is gone.
  const keyOf = (entry) => `${entry.taken}|${entry.reason}`;
  const earlier = (key) => {
    const index = store.history().findIndex((entry) => keyOf(entry) === key);
    return index < 0 ? undefined : { index, entry: store.history()[index] };
  };

  function earlierStates() {
    if (!$(".hb-undo")) return;
    const history = store.history();
    fill(
      $(".hb-undo"),
      history.map((entry) =>
        h(
          "li",
          `${when(entry.taken)}. ${entry.reason}. `,
          entry.pageOnly && `${t("browser.undo.page_only")} `,
          button(t("browser.undo.put_back"), {
            "data-hb-undo": keyOf(entry),
            "aria-label": t("browser.undo.put_back_named", { when: when(entry.taken) }),
          }),
          " ",
          button(t("browser.undo.remove"), {
            "data-hb-forget": keyOf(entry),
            "aria-label": t("browser.undo.remove_named", { when: when(entry.taken) }),
          }),
        ),
      ),
    );
    const size = store.historySize();
    $("[data-hb-undo-size]").textContent = history.length
      ? t("browser.undo.size", { n: history.length, size: number(Math.ceil(size / 1024)) })
      : t("browser.undo.empty");
    $("[data-hb-forget-all]").hidden = !history.length;
  }

  // ------------------------------------------------------------------ keeping a record

  // The record for minutes (the answers file is files.js's, on every page).
  function exportMinutes() {
    const partnership = store.active();
    const record = handbook.record.markdown(partnership, handbook.bank.site, when(Date.now()));
    download(fileName(partnership.name, "minutes", "md"), record, "text/markdown");
    say(t("browser.export.done", { n: countOf(partnership.answers), name: partnership.name }));
  }

  // ------------------------------------------------------------------ import

  async function importFile(file) {
    let read;
    try {
      read = await handbook.files.read(file);
    } catch (error) {
      return say(t("browser.import.refused", { file: file.name, why: error.message }));
    }
    const target = store.workspace.active;
    const partnership = store.active();
    const sorted = model.preview(read.answers, partnership.answers);
    const from = read.partnership || read.organisation || file.name.replace(/\.(json|xlsx)$/i, "");
    const dialog = $("#hb-import");
    $("#hb-import-title").textContent = t("browser.import.title", { file: file.name });
    const about = [
      from,
      read.organisation !== from && read.organisation,
      read.handbook.edition,
      read.exported && t("browser.import.exported", { when: when(read.exported) }),
    ];
    $(".hb-preview__from").textContent = t("browser.import.from", {
      about: about.filter(Boolean).join(", "),
    });
    $("[data-hb-preview]").textContent = t("browser.import.counts", {
      n: countOf(read.answers),
      newer: number(sorted.newer.length),
      older: number(sorted.older.length),
      same: number(sorted.same.length),
      added: number(sorted.added.length),
      name: partnership.name,
    });
    const future = dialog.querySelector("[data-hb-list=future]");
    future.textContent = t("browser.import.future", { n: sorted.future.length });
    future.hidden = !sorted.future.length;
    listed(
      dialog,
      "retired",
      sorted.retired.map((id) => read.answers[id].question || id),
    );
    listed(
      dialog,
      "reworded",
      sorted.reworded.map((id) =>
        t("browser.import.now_then", { now: model.questionText(id), earlier: read.answers[id].question }),
      ),
    );
    const unmatched = dialog.querySelector("[data-hb-list=problems]");
    if (unmatched) listed(dialog, "problems", read.problems || []);
    const points = dialog.querySelector("[data-hb-list=snapshots]");
    points.textContent = t("browser.import.review_points", { n: read.snapshots.length });
    points.hidden = !read.snapshots.length;
    const choice = await ask(dialog);
    apply(choice, target, file.name, read, from);
  }

  // At most SHOWN items in a list of the preview, and how many more.
  function listed(dialog, list, items) {
    const box = dialog.querySelector(`[data-hb-list=${list}]`);
    box.hidden = !items.length;
    fill(
      box.querySelector("ul"),
      items.slice(0, SHOWN).map((item) => h("li", item)),
      items.length > SHOWN && h("li", t("browser.import.more", { n: items.length - SHOWN })),
    );
  }

  // The choice, applied to the partnership the dialog named (another tab may have saved, or
  // deleted it, while the dialog was open).
  function apply(choice, target, name, read, from) {
    const reason = t("browser.undo.reason_import", { file: name });
    const partnership = store.get(target);
    if (!choice) return say(t("browser.import.cancelled", { file: name }));
    if (choice !== "new" && !partnership) {
      return say(t("browser.import.gone", { file: name, name: $("#hb-import-title").dataset.name || "" }));
    }
    let result;
    let taken = 0;
    if (choice === "new") {
      result = store.add(
        from,
        {
          organisation: read.organisation,
          kind: read.kind,
          sources: read.sources,
          reviewMonths: read.reviewMonths,
          answers: model.settled(read.answers),
          snapshots: read.snapshots,
        },
        reason,
      );
    } else {
      const known = new Set(partnership.snapshots.map((point) => `${point.taken}|${point.name}`));
      const snapshots = [
        ...partnership.snapshots,
        ...read.snapshots.filter((point) => !known.has(`${point.taken}|${point.name}`)),
      ].slice(-model.LIMITS.reviewPoints);
      if (choice === "merge") {
        const merged = model.merge(partnership.answers, read.answers);
        taken = Object.keys(read.answers).filter((id) => merged[id] !== partnership.answers[id]).length;
        result = store.edit(target, { answers: merged, snapshots }, reason);
      } else {
        result = store.replace(target, model.settled(read.answers), reason, snapshots);
      }
    }
    // No room already says that nothing was changed.
    if (!result.ok && result.why === "no-room") return say(refused(result));
    if (!result.ok)
      return say(`${refused(result, partnership?.name || from)} ${t("browser.import.nothing")}`);
    const kept = Object.keys(read.answers).length - taken;
    say(
      {
        merge: t("browser.import.merged", {
          file: name,
          name: partnership?.name,
          taken: number(taken),
          kept: number(kept),
        }),
        replace: `${t("browser.import.replaced", { file: name, name: partnership?.name })} ${undone(result)}`,
        new: t("browser.import.as_new", { file: name, name: from }),
      }[choice],
    );
  }

  // ------------------------------------------------------------------ review points

  function changes() {
    const partnership = store.active();
    const pick = (field) =>
      $(field).value === "now"
        ? { name: t("browser.review.now"), answers: partnership.answers }
        : partnership.snapshots[$(field).value];
    const [from, to] = [pick("#hb-from"), pick("#hb-to")];
    const found = model.diff(from.answers, to.answers);
    const title = (id, question = handbook.bank.byId.get(id)) =>
      question
        ? `${handbook.bank.titleOf(question.stage)}, ${question.number}. ${question.text}`
        : t("browser.review.retired", { question: (to.answers[id] || from.answers[id]).question || id });
    const quoted = (value) => (value ? t("browser.review.quoted", { value }) : t("browser.review.nothing"));
    const heading = t("browser.review.changed", { n: found.length, from: from.name, to: to.name });
    fill(
      $(".hb-diff"),
      h("h3", heading),
      h(
        "ol",
        found.map(([id, list]) =>
          h(
            "li",
            h("strong", title(id)),
            h(
              "ul",
              list.map(([what, before, after]) =>
                h("li.hb-answer__notes", `${what}: ${quoted(before)} → ${quoted(after)}`),
              ),
            ),
          ),
        ),
      ),
    );
    say(heading);
  }

  // ------------------------------------------------------------------ events

  document.addEventListener("submit", (event) => {
    const form = event.target.dataset?.hbForm;
    if (!form || !$(".hb-partnerships")) return;
    event.preventDefault();
    if (form === "diff") return changes();
    const name = (event.target.querySelector("input")?.value || "").replace(/\s+/g, " ").trim();
    if (!name) return say(t("browser.partnerships.name_first"));
    const target = store.workspace.active;
    let result;
    if (form === "add") result = store.add(name);
    if (form === "rename") {
      const months = Number($("#hb-review-months")?.value || 6);
      result = store.edit(target, {
        name,
        organisation: $("#hb-org").value.trim(),
        reviewMonths: model.reviewMonths(months),
      });
    }
    if (form === "snapshot") {
      const partnership = store.get(target);
      if (partnership && partnership.snapshots.length >= model.LIMITS.reviewPoints) {
        return say(t("browser.review.too_many", { most: model.LIMITS.reviewPoints }));
      }
      result = store.edit(target, {
        snapshots: [
          ...(partnership?.snapshots || []),
          {
            name,
            taken: new Date().toISOString(),
            answers: model.dictionary(Object.entries(partnership?.answers || {})),
          },
        ],
      });
    }
    if (!result?.ok) return say(refused(result || {}, name));
    say(
      {
        add: t("browser.partnerships.added", { name }),
        rename: t("browser.partnerships.renamed", { name }),
        snapshot: t("browser.review.saved", { name, partnership: store.active().name }),
      }[form],
    );
    if (form !== "rename") return event.target.reset();
    // Saved: the form shows the values as stored (spaces tidied), as not changed since.
    for (const field of ["#hb-name", "#hb-org", "#hb-review-months"]) delete $(field)?.dataset.hbFor;
    render();
  });

  document.addEventListener("click", async (event) => {
    const clicked = event.target.closest?.("button");
    if (!clicked || !$(".hb-partnerships")?.isConnected) return;
    const { hbDo, hbUse, hbUndo, hbForget, hbForgetAll, hbDelete } = clicked.dataset;
    if (hbDo === "minutes") exportMinutes();
    if (hbDo === "import") $("[data-hb-import]").click();
    if (hbUse) {
      const result = store.switchTo(hbUse);
      say(
        result.ok ? t("browser.partnerships.switched", { name: store.active().name }) : refused(result, ""),
      );
      $("#hb-list").focus();
    }
    if (hbUndo || hbForget) {
      const found = earlier(hbUndo || hbForget);
      if (!found) {
        earlierStates();
        say(t("browser.undo.gone"));
      } else if (hbUndo) {
        const result = store.restore(found.entry);
        say(result.ok ? t("browser.undo.put_back_done", { name: store.active().name }) : refused(result, ""));
      } else {
        store.dropHistory(found.index);
      }
      $("#hb-undo").focus();
    }
    if (
      hbForgetAll !== undefined &&
      (await confirmed(t("browser.undo.remove_all_title"), t("browser.undo.remove_all"), false))
    ) {
      store.dropHistory();
      say(t("browser.undo.removed_all"));
    }
    if (hbDelete) {
      const partnership = store.get(hbDelete);
      if (!partnership) return;
      const { name } = partnership;
      const title = t("browser.partnerships.delete_title", { name, n: countOf(partnership.answers) });
      if (await confirmed(title, t("browser.partnerships.delete", { name }), undoNote(hbDelete))) {
        const result = store.remove(hbDelete, t("browser.undo.reason_delete", { name }));
        say(
          result.ok
            ? `${t("browser.partnerships.deleted", { name })} ${undone(result)}`
            : refused(result, name),
        );
        $("#hb-list").focus();
      }
    }
    if (hbDo === "clear") {
      const target = store.workspace.active;
      const { name, answers } = store.active();
      const counted = Object.keys(answers);
      const title = t("browser.clear.title", { n: counted.length, name });
      if (await confirmed(title, t("browser.clear.yes"), undoNote(target))) clear(target, name, counted);
    }
  });

  // Clear exactly the answers the dialog counted: any another tab gave while it was open stay,
  // and the message says how many went.
  function clear(target, name, counted) {
    const partnership = store.get(target);
    if (!partnership) return say(refused({ why: "gone" }, name));
    const now = partnership.answers;
    const cleared = counted.filter((id) => Object.hasOwn(now, id));
    if (!cleared.length) return say(t("browser.clear.none", { name }));
    const gone = new Set(cleared);
    const left = model.dictionary(Object.keys(now).flatMap((id) => (gone.has(id) ? [] : [[id, now[id]]])));
    const result = store.replace(target, left, t("browser.undo.reason_clear", { name }));
    const n = cleared.length;
    say(result.ok ? `${t("browser.clear.done", { n, name })} ${undone(result)}` : refused(result, name));
  }

  document.addEventListener("change", async ({ target }) => {
    if (!target.matches("[data-hb-import]") || !target.files[0]) return;
    await importFile(target.files[0]);
    target.value = "";
  });

  handbook.ui.onPage(render);
  document.addEventListener("hb:change", render);
  // Another tab kept or removed an earlier state (store.js has read it by now).
  addEventListener("storage", (event) => {
    if (event.key === store.keyOf("history")) earlierStates();
  });
})();
