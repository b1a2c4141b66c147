// The page "Answers to retired questions": answers to questions gone from the bank are kept.
(() => {
  "use strict";
  const HB = self.handbook;
  const { h, fill, plural, when } = HB.ui;
  const A = HB.answers;

  function render() {
    const root = document.querySelector('[data-hb-app="retired"]');
    if (!root) return;
    const p = HB.store.active();
    const gone = Object.entries(p.answers).filter(([id]) => !HB.bank.byId.has(id));
    fill(
      root.querySelector(".hb-retired") || root.appendChild(h("div.hb-retired")),
      h("p", `${p.name} has ${gone.length ? plural(gone.length, "answer") : "no answers"} to questions no longer in this handbook.`),
      gone.map(([id, a]) => [
        h("h2", a.question || id),
        h("p", `Status: ${A.STATUSES[a.status]}. Last changed ${when(a.updated)}. Question id: ${id}.`),
        h("p.hb-answer__notes", a.notes.trim()),
        A.actionText(a.action) && h("p", `Agreed action: ${A.actionText(a.action)}`),
      ]),
    );
  }

  HB.ui.onPage(render);
  document.addEventListener("hb:change", render);
})();
