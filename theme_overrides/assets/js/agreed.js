// needs: i18n, answers, store, ui, compare, record
// The agreed position, on the compare page. Once the partners' answers are side by side, a
// facilitator records what the partners agreed in the room, question by question and widest
// spread first: a status, notes, an action and any dissent. It is a partnership of its own in
// the workspace (kind "agreed"), naming the files it came from and keeping each partner's answers
// beside it; the partners' answers themselves never change. Each edit is written to the agreed
// partnership the form names, never to whichever partnership the tab shows, so another tab
// switching or deleting partnerships cannot move it.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, list, number } = handbook.i18n;
  const { h, fill, say, download, fileName } = handbook.ui;
  const model = handbook.answers;
  const store = handbook.store;
  const compare = handbook.compare;
  const STATUSES = model.STATUSES;

  // What this page is recording: the agreed partnership's id, the question shown, the scope.
  const state = { target: "", name: "", at: 0, all: false, groups: [] };
  const $ = (selector) => document.querySelector(`[data-hb-app="compare"] ${selector}`);
  const files = (sources) => sources.map((source) => source.file).sort();
  const sameFiles = (a, b) => a.length === b.length && a.every((file, index) => file === b[index]);
  const loaded = () => files(compare.partners());
  // The agreed positions in this workspace made from exactly the files loaded now.
  const matching = () => {
    const partnerships = store.workspace.partnerships;
    return Object.keys(partnerships).filter(
      (id) => partnerships[id].kind === "agreed" && sameFiles(files(partnerships[id].sources), loaded()),
    );
  };
  const target = () => (matching().includes(state.target) ? store.get(state.target) : undefined);

  // The questions to go through: where partners differ, widest spread first; then, when asked
  // for, the ones they agree on, in page order.
  function agenda() {
    const ranked = compare.agenda(state.groups);
    if (!state.all) return ranked;
    const seen = new Set(ranked.map((found) => found.id));
    const rows = state.groups.flatMap((group) => group.rows);
    return [...ranked, ...rows.filter((found) => found.question && !seen.has(found.id))];
  }
  const agreed = (partnership, found) =>
    Object.hasOwn(partnership.answers, found.id) &&
    partnership.answers[found.id].status !== model.FIRST_STATUS;

  // ---------------------------------------------------------------- starting

  // Each partner as a source: name, file and answers, as read.
  const sources = () =>
    compare.partners().map((partner) => ({
      name: compare.nameOf(partner),
      file: partner.file,
      answers: partner.data.answers,
    }));

  // Where every partner gave the same status (not the first), the agreed position starts with it.
  function unanimous() {
    const answers = model.dictionary();
    const now = new Date().toISOString();
    for (const found of state.groups.flatMap((group) => group.rows)) {
      if (!found.question || found.differs || found.statuses[0] === model.FIRST_STATUS) continue;
      answers[found.id] = {
        ...model.blank,
        action: { ...model.blank.action },
        status: found.statuses[0],
        updated: now,
        question: model.questionText(found.id),
      };
    }
    return answers;
  }

  function start(form) {
    const into = form.elements["hb-agree-into"];
    const chosen = into?.value || "";
    if (chosen && !matching().includes(chosen)) {
      // Deleted in another tab since the choices were drawn: nothing is started; new choices.
      const name = into.selectedOptions[0]?.dataset.hbName || "";
      const typed = form.elements["hb-agree-name"].value;
      state.target = "";
      render();
      const again = $('[data-hb-agree="start"]');
      if (again) again.elements["hb-agree-name"].value = typed;
      say(t("browser.agree.gone_before", { name }));
      (again?.elements["hb-agree-into"] || again?.elements["hb-agree-name"])?.focus();
      return;
    }
    if (chosen) {
      state.target = chosen;
    } else {
      const name = form.elements["hb-agree-name"].value.trim() || defaultName();
      const made = store.add(name, { kind: "agreed", sources: sources(), answers: unanimous() });
      if (!made.ok) {
        say(
          t("browser.agree.not_started", {
            why: t("browser.partnerships.too_many", { most: model.LIMITS.partnerships }),
          }),
        );
        return;
      }
      state.target = made.result;
    }
    state.at = 0;
    state.name = store.get(state.target).name;
    render();
    say(t("browser.agree.started", { name: state.name }));
    focusStatus();
  }

  const defaultName = () =>
    t("browser.agree.default_name", { names: compare.names(), date: compare.today() });

  function starter() {
    const ids = matching();
    const choices = ids.length
      ? h(
          "p.hb-field",
          h("label", { for: "hb-agree-into" }, t("browser.agree.choose")),
          " ",
          h(
            "select",
            { id: "hb-agree-into" },
            ids.map((id) => {
              const partnership = store.get(id);
              const n = agenda().filter((found) => agreed(partnership, found)).length;
              const label = t("browser.agree.continue", { name: partnership.name, n });
              return h("option", { value: id, "data-hb-name": partnership.name }, label);
            }),
            h("option", { value: "" }, t("browser.agree.new")),
          ),
        )
      : null;
    return h(
      "form.hb-form.hb-agree-start",
      { "data-hb-agree": "start" },
      h("h3", t("browser.agree.where")),
      choices,
      h(
        "p.hb-field",
        h("label", { for: "hb-agree-name" }, t("browser.agree.name")),
        " ",
        h("input", { id: "hb-agree-name", type: "text", value: defaultName(), autocomplete: "off" }),
      ),
      h("p", t("browser.agree.unanimous")),
      h("p", h("button.md-button.md-button--primary", { type: "submit" }, t("browser.agree.start"))),
    );
  }

  // ---------------------------------------------------------------- one question at a time

  function field(key, tag, attributes, value) {
    const control = h(tag, { id: `hb-agree-${key}`, "data-hb-agree-field": key, ...attributes });
    control.value = value;
    return h("span.hb-field", h("label", { for: `hb-agree-${key}` }, t(`browser.agree.${key}`)), control);
  }

  function item(partnership, items) {
    const found = items[state.at];
    const given = Object.hasOwn(partnership.answers, found.id) ? partnership.answers[found.id] : model.blank;
    const partners = compare.partners();
    const options = STATUSES.map((status) =>
      h(
        "label.hb-agree-choice",
        h("input", {
          type: "radio",
          name: "hb-agree-status",
          value: status,
          "data-hb-agree-field": "status",
          checked: Object.hasOwn(partnership.answers, found.id) && given.status === status ? "" : false,
        }),
        ` ${model.statusLabel(status)}`,
      ),
    );
    return h(
      "div.hb-agree-item",
      { "data-hb-question": found.id },
      h(
        "p.hb-agree-where",
        `${t("browser.agree.position", { at: number(state.at + 1), n: number(items.length) })}: `,
        t(state.all ? "browser.agree.scope_all" : "browser.agree.scope_differ"),
      ),
      h(
        "fieldset",
        { "aria-describedby": "hb-agree-keys" },
        h(
          "legend",
          h(
            "h3",
            { id: "hb-agree-question" },
            `${handbook.bank.titleOf(found.question.stage)}: ${compare.label(found)}`,
          ),
        ),
        h("p", h("strong", t("browser.agree.answered"))),
        h(
          "ul.hb-agree-answers",
          partners.map((partner, index) =>
            h(
              "li",
              h("strong", compare.nameOf(partner)),
              `: ${compare.answerLines(found, index).join("; ")}`,
            ),
          ),
        ),
        h("fieldset.hb-agree-status", h("legend", t("browser.agree.status")), options),
        h("p", field("notes", "textarea", { rows: 3 }, given.notes)),
        h(
          "p.hb-answer__action",
          field("what", "input", { type: "text" }, given.action.text),
          field("who", "input", { type: "text" }, given.action.owner),
          field("due", "input", { type: "date" }, given.action.due),
        ),
        h("p", field("dissent", "textarea", { rows: 2 }, given.dissent || "")),
      ),
      h(
        "p.hb-form",
        h(
          "button.md-button",
          { type: "button", "data-hb-agree": "previous", disabled: state.at === 0 ? "" : false },
          t("browser.agree.previous"),
        ),
        " ",
        h(
          "button.md-button.md-button--primary",
          { type: "button", "data-hb-agree": "next", disabled: state.at === items.length - 1 ? "" : false },
          t("browser.agree.next"),
        ),
      ),
      h("p.hb-hint", { id: "hb-agree-keys" }, t("browser.agree.keys")),
    );
  }

  function jump(partnership, items) {
    return h(
      "p.hb-field",
      h("label", { for: "hb-agree-jump" }, t("browser.agree.jump")),
      " ",
      h(
        "select",
        { id: "hb-agree-jump" },
        items.map((found, index) => {
          const label = `${number(index + 1)}. ${compare.label(found)}`;
          const text = agreed(partnership, found) ? t("browser.agree.done_mark", { label }) : label;
          return h("option", { value: index, selected: index === state.at ? "" : false }, text);
        }),
      ),
    );
  }

  function keeping(partnership) {
    return [
      h(
        "p",
        t("browser.agree.kept_in", {
          name: partnership.name,
          files: list(partnership.sources.map((source) => source.file)),
        }),
      ),
      h(
        "p.hb-form",
        h("button.md-button", { type: "button", "data-hb-agree": "file" }, t("browser.agree.file")),
        " ",
        h("button.md-button", { type: "button", "data-hb-agree": "record" }, t("browser.agree.record")),
        " ",
        // Made by the office code (files.js loads it when asked: data-hb-office).
        h("button.md-button", { type: "button", "data-hb-office": "agreed" }, t("browser.agree.word")),
      ),
    ];
  }

  function render() {
    const place = $(".hb-agree");
    if (!place) return;
    const partnership = target();
    if (!partnership) {
      state.target = "";
      fill(place, starter());
      return;
    }
    const items = agenda();
    state.at = Math.min(state.at, Math.max(items.length - 1, 0));
    const done = items.filter((found) => agreed(partnership, found)).length;
    fill(
      place,
      h(
        "p.hb-filter",
        h("input", { type: "checkbox", id: "hb-agree-all", checked: state.all ? "" : false }),
        " ",
        h("label", { for: "hb-agree-all" }, t("browser.agree.all")),
      ),
      items.length
        ? [
            h("p.hb-agree-count", t("browser.agree.recorded", { n: items.length, done: number(done) })),
            jump(partnership, items),
            item(partnership, items),
          ]
        : h("p", t("browser.agree.nothing")),
      keeping(partnership),
    );
  }

  function focusStatus() {
    const radios = [...document.querySelectorAll('[name="hb-agree-status"]')];
    (radios.find((radio) => radio.checked) || radios[0])?.focus();
  }

  function go(step) {
    const items = agenda();
    const next = state.at + step;
    if (next < 0 || next >= items.length) return;
    state.at = next;
    render();
    focusStatus();
  }

  // ---------------------------------------------------------------- recording

  // The form's answer, written to the agreed partnership it shows. If that partnership is gone
  // (deleted in another tab), nothing is written anywhere and the page says so. What the form
  // does not show (the action's done date, ticked in the actions register) stays as it was.
  function record(panel) {
    const value = (key) => panel.querySelector(`[data-hb-agree-field="${key}"]`).value;
    const status = panel.querySelector('[data-hb-agree-field="status"]:checked')?.value || model.FIRST_STATUS;
    const id = panel.dataset.hbQuestion;
    const current = target();
    const { dissent: _, ...before } =
      current && Object.hasOwn(current.answers, id) ? current.answers[id] : {};
    const given = {
      ...before,
      status,
      notes: value("notes"),
      action: { ...before.action, text: value("what"), owner: value("who"), due: value("due") },
    };
    const dissent = value("dissent");
    if (dissent) given.dissent = dissent;
    const result = current ? store.setAnswer(state.target, id, given) : { ok: false, why: "gone" };
    if (!result.ok) {
      state.target = "";
      render();
      say(t("browser.agree.gone", { name: state.name }));
      return;
    }
    const partnership = target();
    const items = agenda();
    const done = items.filter((found) => agreed(partnership, found)).length;
    const count = $(".hb-agree-count");
    if (count) count.textContent = t("browser.agree.recorded", { n: items.length, done: number(done) });
    const option = $(`#hb-agree-jump option[value="${state.at}"]`);
    if (option) {
      const label = `${number(state.at + 1)}. ${compare.label(items[state.at])}`;
      option.textContent = agreed(partnership, items[state.at])
        ? t("browser.agree.done_mark", { label })
        : label;
    }
  }

  function keep(kind) {
    const partnership = target();
    if (!partnership) return render();
    if (kind === "file") {
      const file = JSON.stringify(model.toFile(partnership, store.site), null, 2);
      download(fileName(partnership.name, "agreed", "json"), file, "application/json");
    } else {
      const text = handbook.record.markdown(partnership, handbook.bank.site, compare.today());
      download(fileName(partnership.name, "agreed", "md"), text, "text/markdown");
    }
    say(t("browser.agree.downloaded", { name: partnership.name }));
  }

  // ---------------------------------------------------------------- events

  const inAgree = (element) => Boolean(element?.closest?.('[data-hb-app="compare"] .hb-agree'));

  document.addEventListener("hb:compared", ({ detail }) => {
    state.groups = detail.groups;
    if (detail.ready) render();
  });
  // Another tab changed the workspace: the agreed position may be gone, or have more answers.
  document.addEventListener("hb:change", ({ detail }) => {
    if (detail !== "tab" || !$(".hb-agree") || $(".hb-compare-results").hidden) return;
    const typing =
      inAgree(document.activeElement) && document.activeElement.matches("textarea, input[type=text]");
    if (state.target && !target()) {
      state.target = "";
      render();
      say(t("browser.agree.gone", { name: state.name }));
    } else if (!typing) {
      render();
    }
  });
  document.addEventListener("submit", (event) => {
    if (!event.target.matches?.('[data-hb-agree="start"]')) return;
    event.preventDefault();
    start(event.target);
  });
  document.addEventListener("input", ({ target: element }) => {
    if (!inAgree(element) || !element.matches("[data-hb-agree-field]")) return;
    record(element.closest(".hb-agree-item"));
  });
  document.addEventListener("change", ({ target: element }) => {
    if (!inAgree(element)) return;
    if (element.id === "hb-agree-all") {
      state.all = element.checked;
      render();
      $("#hb-agree-all").focus();
    } else if (element.id === "hb-agree-jump") {
      state.at = Number(element.value);
      render();
      focusStatus();
    }
  });
  document.addEventListener("click", ({ target: element }) => {
    const action = inAgree(element) && element.closest("button[data-hb-agree]")?.dataset.hbAgree;
    if (action === "next") go(1);
    if (action === "previous") go(-1);
    if (action === "file" || action === "record") keep(action);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !inAgree(event.target)) return;
    event.preventDefault();
    go(event.shiftKey ? -1 : 1);
  });

  // The position being recorded (or undefined): its Word record is made by docx.js.
  handbook.agreed = { target };
})();
