// needs: i18n, answers, store, ui, reminders
// The checklist pages: each question's answer under it, the workspace bar, and progress per
// principle and per cell of the overview grid. A long checklist gets its controls in short
// tasks, and an answer changed here redraws only its question and the counts.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const { h, fill, say, inSlices } = handbook.ui;
  const model = handbook.answers;
  const store = handbook.store;
  const questionsOnPage = () => [...document.querySelectorAll(".hb-checklist .hb-question")];
  const idOf = (question) => question.id.slice(2);

  // A question's controls: made once, then copied for each question and given its ids, which is
  // several times quicker than making each anew. Each control is named after its question too:
  // "Notes, 7. What ...?"
  let prototype;
  function made() {
    const field = (key, tag, attributes, ...children) =>
      h(
        "span.hb-field",
        h("label", {}, t(key === "done" ? "actions.done_on" : `browser.answer.${key}`)),
        h(tag, { "data-hb-field": key, ...attributes }, ...children),
      );
    const options = model.STATUSES.map((status) => h("option", { value: status }, model.statusLabel(status)));
    return h(
      "div.hb-answer",
      h("p", field("status", "select", {}, options)),
      h(
        "details",
        h("summary", t("browser.answer.more")),
        h("p", field("notes", "textarea", { rows: 3 })),
        h(
          "p.hb-answer__action",
          field("what", "input", { type: "text" }),
          field("who", "input", { type: "text" }),
          field("due", "input", { type: "date" }),
          field("done", "input", { type: "date" }),
        ),
      ),
      h("p.hb-answer__reworded"),
      h("div.hb-answer__paper"),
    );
  }
  function controls(question) {
    const id = idOf(question);
    const words = question.firstElementChild; // the number and the question's words
    words.id = `hb-t-${id}`;
    prototype ||= made();
    const answer = prototype.cloneNode(true);
    for (const control of answer.querySelectorAll("[data-hb-field]")) {
      const named = `hb-${control.dataset.hbField}-${id}`;
      const label = control.previousElementSibling;
      label.htmlFor = named;
      label.id = `${named}-l`;
      control.id = named;
      control.setAttribute("aria-labelledby", `${named}-l ${words.id}`);
    }
    const summary = answer.querySelector("summary");
    summary.id = `hb-more-${id}`;
    summary.setAttribute("aria-labelledby", `hb-more-${id} ${words.id}`);
    question.append(answer);
  }

  function show(question, fromOtherTab) {
    if (!question.querySelector(".hb-answer")) controls(question);
    const partnership = store.active();
    const given = partnership.answers[idOf(question)];
    const shown = given || model.blank;
    const values = {
      status: shown.status,
      notes: shown.notes,
      what: shown.action.text,
      who: shown.action.owner,
      due: shown.action.due,
      done: shown.action.done || "",
    };
    // Another tab's save never replaces what is under the cursor here, while it is the same partnership's.
    const keepFocused = fromOtherTab && question.dataset.hbFor === store.workspace.active;
    // Its partnership deleted there: the keys typed next go nowhere, never into the one shown now.
    // A text field stays focused but read-only until the reader clicks or leaves it (blurred, the
    // keys would reach the page, where Material's shortcuts turn "n" into the next page).
    const focused = document.activeElement;
    if (fromOtherTab && !keepFocused && question.contains(focused)) {
      if (focused.matches("textarea, input:not([type=date])")) {
        focused.readOnly = true;
        const unlock = () => {
          focused.readOnly = false;
        };
        for (const type of ["blur", "pointerdown"]) focused.addEventListener(type, unlock, { once: true });
      } else {
        focused.blur();
      }
    }
    question.dataset.hbFor = store.workspace.active;
    for (const element of question.querySelectorAll("[data-hb-field]")) {
      const value = values[element.dataset.hbField];
      if (element.value !== value && !(keepFocused && element === document.activeElement))
        element.value = value;
    }
    if (/\S/.test(shown.notes + model.actionText(shown.action)))
      question.querySelector("details").open = true;
    question.dataset.hbStatus = shown.status;
    question.toggleAttribute("data-hb-said", model.said(given));
    const reworded = question.querySelector(".hb-answer__reworded");
    reworded.hidden = !model.reworded(idOf(question), given);
    reworded.textContent = reworded.hidden ? "" : t("browser.answer.reworded", { question: given.question });
    // The answer as it prints, in place of the lines to write on.
    fill(
      question.querySelector(".hb-answer__paper"),
      h("p", h("strong", t("browser.record.status", { status: model.statusLabel(shown.status) }))),
      h("p.hb-answer__notes", shown.notes.trim()),
      model.actionText(shown.action) &&
        h("p", t("browser.record.action", { action: model.actionText(shown.action) })),
    );
  }

  const progress = (ids) => {
    const tally = model.counts(store.active().answers, ids);
    return t("browser.progress.discussed", { n: tally.all, done: tally.done });
  };

  // A progress line just before (or after) an element, made once per page view.
  function line(element, text, where = "before") {
    const near = where === "before" ? "previousElementSibling" : "nextElementSibling";
    if (!element[near]?.matches(".hb-progress")) element[where](h("p.hb-progress"));
    element[near].textContent = text;
  }

  // The bar's fixed parts are in the page (toolbar.html); its first three lines say who, offer a
  // switch, and count; the browser adds a reminder when a review is due.
  function bar(element) {
    const [who, switcher, done] = element.children;
    const partnership = store.active();
    fill(who, handbook.ui.phrase("browser.bar.answers_for", { name: partnership.name }, "name"));
    const list = Object.keys(store.workspace.partnerships);
    switcher.hidden = list.length < 2;
    const select = switcher.lastChild;
    fill(
      select,
      list.map((id) => h("option", { value: id }, store.workspace.partnerships[id].name)),
    );
    select.value = store.workspace.active;
    const scope = element.closest("[data-hb-toolbar]")?.dataset.hbToolbar;
    const ids = scope === "overview" ? [...handbook.bank.byId.keys()] : questionsOnPage().map(idOf);
    done.textContent = t(scope === "stage" ? "browser.bar.at_stage" : "browser.bar.in_all", {
      progress: progress(ids),
    });
    handbook.reminders.show(element, done);
  }

  function counts() {
    const sentence = (ids) => t("browser.progress.line", { progress: progress(ids) });
    for (const list of document.querySelectorAll(".hb-checklist")) {
      line(list, sentence([...list.children].map(idOf)));
    }
    for (const cell of document.querySelectorAll(".hb-grid td")) {
      const ids = [...cell.querySelectorAll("a[href*='#q-']")].map((link) => link.hash.slice(3));
      if (ids.length) line(cell.querySelector("ol"), sentence(ids), "after");
    }
    const workspaceBar = document.querySelector("[data-hb-workspace]");
    if (workspaceBar) bar(workspaceBar);
  }

  function render(event) {
    const workspaceBar = document.querySelector("[data-hb-workspace]");
    if (!workspaceBar) return;
    if (event?.detail?.answer) {
      // An answer given on this page: its question and the counts; nothing else changed.
      const question = document.getElementById(`q-${event.detail.answer}`);
      if (question) show(question, false);
      counts();
      return;
    }
    // This tab keeps its partnership through other tabs' changes, unless one deletes it.
    const showing = workspaceBar.dataset.hbShowing;
    if (event?.detail === "tab" && showing && showing !== store.workspace.active) {
      say(t("browser.bar.deleted_elsewhere", { name: store.active().name }));
    }
    workspaceBar.dataset.hbShowing = store.workspace.active;
    counts();
    const fromOtherTab = event?.detail === "tab";
    inSlices(questionsOnPage(), (question) => show(question, fromOtherTab));
  }

  handbook.ui.onPage(render);
  document.addEventListener("hb:change", render);
  document.addEventListener("input", ({ target }) => {
    if (target.id === "hb-switch") {
      store.switchTo(target.value);
      say(t("browser.bar.showing", { name: store.active().name }));
      return;
    }
    const question = target.closest(".hb-answer")?.parentElement;
    if (!question) return;
    const value = (key) => question.querySelector(`[data-hb-field="${key}"]`).value;
    const id = idOf(question);
    const partnership = question.dataset.hbFor;
    const previous = store.get(partnership)?.answers[id];
    const given = {
      status: value("status"),
      notes: value("notes"),
      action: { text: value("what"), owner: value("who"), due: value("due") },
    };
    // Done on a date, or not yet (empty): the actions register ticks the same field.
    if (value("done")) given.action.done = value("done");
    if (previous?.dissent) given.dissent = previous.dissent;
    // Typing goes to the partnership this question shows, or nowhere: never into another one.
    const saved = store.setAnswer(partnership, id, given);
    if (!saved.ok) say(t("browser.bar.gone_while_typing"));
  });
})();
