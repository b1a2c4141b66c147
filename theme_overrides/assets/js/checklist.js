// The checklist pages: each question's answer under it, the workspace bar, and progress per
// principle and per cell of the overview grid.
(() => {
  "use strict";
  const HB = self.handbook;
  const { h, fill, say } = HB.ui;
  const A = HB.answers;
  const S = HB.store;
  const LABELS = { status: "Status", notes: "Notes", what: "Agreed action", who: "Who will do it", due: "By when" };
  const questions = () => [...document.querySelectorAll(".hb-checklist .hb-question")];
  const idOf = (q) => q.id.slice(2);

  function controls(q) {
    const id = idOf(q);
    const text = q.firstElementChild; // the number and the question's words
    text.id = `hb-t-${id}`;
    // Each control is named after its question too: "Notes, 7. What ...?"
    const field = (key, tag, attrs, ...kids) =>
      h(
        "span.hb-field",
        h("label", { for: `hb-${key}-${id}`, id: `hb-${key}-${id}-l` }, LABELS[key]),
        h(tag, { id: `hb-${key}-${id}`, "aria-labelledby": `hb-${key}-${id}-l ${text.id}`, "data-hb-field": key, ...attrs }, ...kids),
      );
    q.append(
      h(
        "div.hb-answer",
        h("p", field("status", "select", {}, Object.entries(A.STATUSES).map(([value, label]) => h("option", { value }, label)))),
        h(
          "details",
          h("summary", { id: `hb-more-${id}`, "aria-labelledby": `hb-more-${id} ${text.id}` }, "Notes and agreed action"),
          h("p", field("notes", "textarea", { rows: 3 })),
          h("p.hb-answer__action", field("what", "input", { type: "text" }), field("who", "input", { type: "text" }), field("due", "input", { type: "date" })),
        ),
        h("p.hb-answer__reworded"),
        h("div.hb-answer__paper"),
      ),
    );
  }

  function show(q, fromTab) {
    if (!q.querySelector(".hb-answer")) controls(q);
    const a = S.active().answers[idOf(q)];
    const x = a || A.blank;
    const values = { status: x.status, notes: x.notes, what: x.action.text, who: x.action.owner, due: x.action.due };
    // Another tab's save never replaces what is under the cursor here, while it is the same partnership's.
    const keep = fromTab && q.dataset.hbFor === S.ws.active;
    q.dataset.hbFor = S.ws.active;
    for (const el of q.querySelectorAll("[data-hb-field]")) {
      if (el.value !== values[el.dataset.hbField] && !(keep && el === document.activeElement)) el.value = values[el.dataset.hbField];
    }
    if (/\S/.test(x.notes + A.actionText(x.action))) q.querySelector("details").open = true;
    q.dataset.hbStatus = x.status;
    q.toggleAttribute("data-hb-said", A.said(a));
    const reworded = q.querySelector(".hb-answer__reworded");
    reworded.hidden = !A.reworded(idOf(q), a);
    reworded.textContent = reworded.hidden ? "" : `Reworded since this was answered. It then read: “${a.question}”`;
    // The answer as it prints, in place of the lines to write on.
    fill(q.querySelector(".hb-answer__paper"), h("p", h("strong", `Status: ${A.STATUSES[x.status]}`)), h("p.hb-answer__notes", x.notes.trim()), A.actionText(x.action) && h("p", `Agreed action: ${A.actionText(x.action)}`));
  }

  const progress = (ids) => `${A.counts(S.active().answers, ids).done} of ${ids.length} questions discussed`;

  // A progress line just before (or after) an element, made once per page view.
  function line(el, text, where = "before") {
    const near = where === "before" ? "previousElementSibling" : "nextElementSibling";
    if (!el[near]?.matches(".hb-progress")) el[where](h("p.hb-progress"));
    el[near].textContent = text;
  }

  // The bar's fixed parts are in the page (toolbar.html); its first three lines say who, offer a switch, count.
  function bar(el) {
    const [who, swap, done] = el.children;
    fill(who, "Answers for ", h("strong", S.active().name), ", kept in this browser only.");
    const list = Object.entries(S.ws.partnerships);
    swap.hidden = list.length < 2;
    fill(swap.lastChild, list.map(([id, p]) => h("option", { value: id }, p.name))).value = S.ws.active;
    const scope = el.closest("[data-hb-toolbar]")?.dataset.hbToolbar;
    done.textContent = `${progress(scope === "overview" ? [...HB.bank.byId.keys()] : questions().map(idOf))} ${scope === "stage" ? "at this stage" : "in all stages"}.`;
  }

  function render(event) {
    const workspace = document.querySelector("[data-hb-workspace]");
    if (!workspace) return;
    // This tab keeps its partnership through other tabs' changes, unless one deletes it.
    const shown = workspace.dataset.hbShowing;
    if (event?.detail === "tab" && shown && shown !== S.ws.active) {
      say(`The partnership shown here was deleted in another tab. Showing the answers for ${S.active().name}; the deleted one can be put back from the earlier states on Your partnerships.`);
    }
    workspace.dataset.hbShowing = S.ws.active;
    bar(workspace);
    for (const q of questions()) show(q, event?.detail === "tab");
    for (const list of document.querySelectorAll(".hb-checklist")) line(list, `${progress([...list.children].map(idOf))}.`);
    for (const cell of document.querySelectorAll(".hb-grid td")) {
      const ids = [...cell.querySelectorAll("a[href*='#q-']")].map((a) => a.hash.slice(3));
      if (ids.length) line(cell.querySelector("ol"), `${progress(ids)}.`, "after");
    }
  }

  HB.ui.onPage(render);
  document.addEventListener("hb:change", render);
  document.addEventListener("input", ({ target }) => {
    if (target.id === "hb-switch") {
      S.switchTo(target.value);
      say(`Showing the answers for ${S.active().name}.`);
    }
    const q = target.closest(".hb-answer")?.parentElement;
    const value = (key) => q.querySelector(`[data-hb-field="${key}"]`).value;
    if (q) S.setAnswer(idOf(q), { status: value("status"), notes: value("notes"), action: { text: value("what"), owner: value("who"), due: value("due") } });
  });
})();
