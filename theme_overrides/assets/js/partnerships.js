// The page "Your partnerships", whose controls are in html/app.html; and export, which the
// checklists' bar offers too.
(() => {
  "use strict";
  const HB = self.handbook;
  const { h, fill, plural, when, say, download } = HB.ui;
  const A = HB.answers;
  const S = HB.store;
  const $ = (selector) => document.querySelector(`[data-hb-app="partnerships"] ${selector}`);
  const all = () => [...HB.bank.byId.keys()];
  const button = (text, data) => h("button.md-button", { type: "button", ...data }, text);
  const undoHint = "To undo, put back the earlier state under “Earlier states”.";

  // The chosen button's value ("" for Cancel, Escape). Focus starts on Cancel, the safe choice.
  function ask(dialog) {
    const back = document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("[value='']").focus();
    dialog.onclick = ({ target }) => target.matches("button") && dialog.close(target.value);
    return new Promise((resolve) => {
      dialog.onclose = () => {
        back.focus();
        resolve(dialog.returnValue);
      };
    });
  }
  function confirmed(title, yes) {
    $("#hb-confirm-title").textContent = title;
    $("#hb-confirm [value=yes]").textContent = yes;
    return ask($("#hb-confirm"));
  }

  // Numbers into [data-hb-count]; [data-hb-list] shown when it has items.
  function counts(root, numbers) {
    for (const el of root.querySelectorAll("[data-hb-count]")) el.textContent = numbers[el.dataset.hbCount];
    for (const el of root.querySelectorAll("[data-hb-list]")) el.hidden = !numbers[el.dataset.hbList];
  }

  function render() {
    if (!$(".hb-partnerships")) return;
    const p = S.active();
    fill(
      $(".hb-partnerships"),
      Object.entries(S.ws.partnerships).map(([id, x]) =>
        h(
          "li",
          h("strong", x.name),
          x.organisation && ` (answered by ${x.organisation})`,
          `${id === S.ws.active ? ", active" : ""}: ${A.counts(x.answers, all()).done} of ${plural(all().length, "question")} discussed. `,
          id !== S.ws.active && [button(`Switch to ${x.name}`, { "data-hb-use": id }), " "],
          button(`Delete ${x.name}`, { "data-hb-delete": id }),
        ),
      ),
    );
    for (const [field, value] of [["#hb-name", p.name], ["#hb-org", p.organisation]]) if ($(field) !== document.activeElement) $(field).value = value;
    $("#hb-progress").textContent = `Progress of ${p.name}`;
    counts($(".hb-summary"), A.counts(p.answers, all()));
    for (const td of document.querySelectorAll(".hb-summary td")) {
      const { stage, principle } = td.dataset;
      const n = A.counts(p.answers, HB.bank.questions.filter((q) => [q.stage, undefined].includes(stage) && [q.principle, undefined].includes(principle)).map((q) => q.id));
      td.textContent = n.all ? `${n.done} of ${n.all}` : "none";
    }

    const label = (s) => `${s.name}, ${when(s.taken)}`;
    fill($(".hb-snapshots"), p.snapshots.map((s) => h("li", label(s))), !p.snapshots.length && h("li", `${p.name} has no review points yet.`));
    $("[data-hb-form=diff]").hidden = !p.snapshots.length;
    for (const [field, now] of [["#hb-from", false], ["#hb-to", true]]) {
      const kept = $(field).value;
      fill($(field), p.snapshots.map((s, i) => h("option", { value: i }, label(s))), now && h("option", { value: "now" }, "now")).value = kept;
      $(field).value ||= now ? "now" : p.snapshots.length - 1;
    }
    fill($(".hb-undo"), S.undo().map((e, i) => h("li", `${when(e.taken)}. ${e.reason}. `, button("Put back", { "data-hb-undo": i, "aria-label": `Put back the state of ${when(e.taken)}` }))));
  }

  function exportAs(kind) {
    const p = S.active();
    const name = `${p.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "partnership"}-${kind}-${new Date().toLocaleDateString("en-CA")}`;
    if (kind === "answers") download(`${name}.json`, JSON.stringify(A.toFile(p, S.site), null, 2), "application/json");
    else download(`${name}.md`, A.markdown(p, S.site, when(Date.now())), "text/markdown");
    say(`Exported ${plural(Object.keys(p.answers).length, "answer")} of ${p.name}.`);
  }

  async function importFile(file) {
    let f;
    try {
      f = A.readFile(await file.text());
    } catch (error) {
      return say(`${file.name} was not imported. ${error.message}. Nothing was changed.`);
    }
    const p = S.active();
    const sort = A.preview(f.answers, p.answers);
    const from = f.partnership || f.organisation || file.name.replace(/\.json$/i, "");
    const dialog = $("#hb-import");
    $("#hb-import-title").textContent = `Import ${file.name}?`;
    $(".hb-preview__from").textContent = `From ${[from, f.organisation !== from && f.organisation, f.handbook.edition, f.exported && `exported ${when(f.exported)}`].filter(Boolean).join(", ")}.`;
    counts(dialog, { all: Object.keys(f.answers).length, snapshots: f.snapshots.length, ...Object.fromEntries(Object.entries(sort).map(([k, ids]) => [k, ids.length])) });
    fill(dialog.querySelector("[data-hb-list=retired] ul"), sort.retired.map((id) => h("li", f.answers[id].question || id)));
    fill(dialog.querySelector("[data-hb-list=reworded] ul"), sort.reworded.map((id) => h("li", `Now: ${HB.bank.byId.get(id).text} Then: ${f.answers[id].question}`)));
    const choice = await ask(dialog);
    // As the active partnership is now: another tab may have saved while the dialog was open.
    const { answers, snapshots: mine } = S.active();
    const reason = `Before importing ${file.name}`;
    const snapshots = [...mine, ...f.snapshots.filter((s) => !mine.some((x) => x.taken === s.taken && x.name === s.name))];
    if (choice === "merge") S.edit({ answers: A.merge(answers, f.answers), snapshots }, reason);
    if (choice === "replace") S.replace(f.answers, reason, snapshots);
    if (choice === "new") S.add(from, f.answers, f.snapshots, f.organisation, reason);
    say(
      {
        merge: `Merged ${file.name} into ${p.name}: ${sort.newer.length + sort.added.length} answers from the file; ${sort.older.length} kept from this browser, being newer.`,
        replace: `The answers of ${p.name} are now those of ${file.name}. ${undoHint}`,
        new: `Imported ${file.name} as a new partnership, ${from}, now the active one.`,
      }[choice] || `${file.name} was not imported. Nothing was changed.`,
    );
  }

  function changes() {
    const p = S.active();
    const pick = (field) => ($(field).value === "now" ? { name: "now", answers: p.answers } : p.snapshots[$(field).value]);
    const [from, to] = [pick("#hb-from"), pick("#hb-to")];
    const found = A.diff(from.answers, to.answers);
    const title = (id, q = HB.bank.byId.get(id)) => (q ? `${HB.bank.title(q.stage)}, ${q.number}. ${q.text}` : `${(to.answers[id] || from.answers[id]).question || id} (no longer in the handbook)`);
    const quote = (x) => (x ? `“${x}”` : "none");
    const heading = `${found.length ? plural(found.length, "question") : "Nothing"} changed from ${from.name} to ${to.name}.`;
    fill($(".hb-diff"), h("h3", heading), h("ol", found.map(([id, list]) => h("li", h("strong", title(id)), h("ul", list.map(([what, a, b]) => h("li.hb-answer__notes", `${what}: ${quote(a)} → ${quote(b)}`)))))));
    say(heading);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.dataset?.hbForm;
    if (!form || !$(".hb-partnerships")) return;
    event.preventDefault();
    const name = (event.target.querySelector("input")?.value || "").replace(/\s+/g, " ").trim();
    if (form === "diff") return changes();
    if (!name) return say("Give it a name first.");
    if (form === "add") S.add(name);
    if (form === "rename") S.edit({ name, organisation: $("#hb-org").value.trim() });
    if (form === "snapshot") S.change(() => S.active().snapshots.push({ name, taken: new Date().toISOString(), answers: structuredClone(S.active().answers) }));
    say({ add: `Added ${name}, now the active partnership.`, rename: `Saved the name ${name}.`, snapshot: `Saved the review point ${name} for ${S.active().name}.` }[form]);
    if (form !== "rename") event.target.reset();
  });

  document.addEventListener("click", async (event) => {
    const { hbDo, hbUse, hbUndo, hbDelete } = event.target.closest?.("button")?.dataset || {};
    if (hbDo === "answers" || hbDo === "minutes") exportAs(hbDo);
    if (hbDo === "import") $("[data-hb-import]").click();
    if (hbUse) {
      S.switchTo(hbUse);
      say(`Switched to ${S.active().name}.`);
      $("#hb-list").focus();
    }
    if (hbUndo) {
      S.restore(S.undo()[hbUndo]);
      say(`Put back an earlier state. The active partnership is ${S.active().name}.`);
      $("#hb-undo").focus();
    }
    const p = S.ws.partnerships[hbDelete] || S.active();
    const n = plural(Object.keys(p.answers).length, "answer");
    if (hbDelete && (await confirmed(`Delete ${p.name}, its ${n} and review points?`, `Delete ${p.name}`))) {
      S.remove(hbDelete);
      say(`Deleted ${p.name}. ${undoHint}`);
      $("#hb-list").focus();
    }
    if (hbDo === "clear" && (await confirmed(`Clear the ${n} of ${p.name}?`, "Clear the answers"))) {
      S.replace({}, `Before clearing the answers of ${p.name}`);
      say(`Cleared the ${n} of ${p.name}. ${undoHint}`);
    }
  });

  document.addEventListener("change", async ({ target }) => {
    if (!target.matches("[data-hb-import]") || !target.files[0]) return;
    await importFile(target.files[0]);
    target.value = "";
  });

  HB.ui.onPage(render);
  document.addEventListener("hb:change", render);
})();
