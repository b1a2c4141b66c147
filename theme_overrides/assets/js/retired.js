// needs: i18n, answers, store, ui
// The page "Answers to retired questions": answers to questions gone from the bank are kept.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, when } = handbook.i18n;
  const { h, fill } = handbook.ui;
  const model = handbook.answers;

  function render() {
    const root = document.querySelector('[data-hb-app="retired"]');
    if (!root) return;
    const partnership = handbook.store.active();
    const gone = Object.keys(partnership.answers).filter((id) => !handbook.bank.byId.has(id));
    fill(
      root.querySelector(".hb-retired") || root.appendChild(h("div.hb-retired")),
      h("p", t("browser.retired.count", { n: gone.length, name: partnership.name })),
      gone.map((id) => {
        const given = partnership.answers[id];
        return [
          h("h2", given.question || id),
          h(
            "p",
            t("browser.retired.about", {
              status: model.statusLabel(given.status),
              when: when(given.updated),
              id,
            }),
          ),
          h("p.hb-answer__notes", given.notes.trim()),
          model.actionText(given.action) &&
            h("p", t("browser.record.action", { action: model.actionText(given.action) })),
        ];
      }),
    );
  }

  handbook.ui.onPage(render);
  document.addEventListener("hb:change", render);
})();
