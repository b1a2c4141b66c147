// needs: i18n, answers, store, ui
// The actions register (pages/actions.md; its controls in html/actions.html): every action agreed
// in the active partnership, at every stage, the soonest due first and the undated last (then in
// the order of the stages and their questions). Actions overdue or due within 14 days are marked
// in words, by the reader's own clock. Filters by owner and by stage choose what is listed,
// printed (one page per owner) and exported, as a spreadsheet (CSV) or a calendar file
// (iCalendar). Ticking an action done writes through the store, as the checklist does, so the
// workspace's rules (two tabs, storage off or full) hold here too. The two files are made by pure
// functions, handbook.actions.csv and .ics, which tests call as they are.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, day, number, locale } = handbook.i18n;
  const { h, fill, say, download, fileName } = handbook.ui;
  const store = handbook.store;
  const SOON = 14; // days after today (today too): "due within 14 days"
  const RETIRED = "retired"; // the stage of an answer to a question no longer in the bank
  const COLUMNS = ["action", "question", "owner", "due", "done"];
  const app = () => document.querySelector('[data-hb-app="actions"]');
  const squash = (words) => words.replace(/\s+/g, " ").trim();

  // ------------------------------------------------------------------ days, on the reader's clock

  const pad = (n) => String(n).padStart(2, "0");
  const today = (now = new Date()) => `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  // A day some days after another, by the calendar (setUTCFullYear keeps a year below 100 as it is).
  function after(given, days) {
    const [year, month, date] = given.split("-").map(Number);
    const moved = new Date(0);
    moved.setUTCFullYear(year, month - 1, date + days);
    return moved.toISOString().slice(0, 10);
  }
  // "overdue", "soon" (due today or in the 14 days after), or "": a done or undated action has none.
  function flag(action, on = today()) {
    if (action.done || !action.due) return "";
    if (action.due < on) return "overdue";
    return action.due <= after(on, SOON) ? "soon" : "";
  }

  // ------------------------------------------------------------------ the actions

  // Whose an action is: the same owner however the name was spaced or capitalised.
  const ownerKey = (owner) => squash(owner).toLocaleLowerCase(locale);
  const ownerName = (name) => squash(name) || t("actions.no_owner");
  const stageTitle = (stage) => (stage === RETIRED ? t("actions.retired") : handbook.bank.titleOf(stage));

  // Every action of a partnership (an answer whose action says anything), in the register's order.
  function entries(partnership) {
    const order = new Map(handbook.bank.questions.map((question, index) => [question.id, index]));
    const found = [];
    for (const id of Object.keys(partnership.answers)) {
      const given = partnership.answers[id];
      const action = given.action;
      if (!/\S/.test(action.text + action.owner + action.due + (action.done || ""))) continue;
      const question = handbook.bank.byId.get(id);
      found.push({
        id,
        action,
        updated: given.updated,
        stage: question?.stage || RETIRED,
        number: question ? question.number : "",
        question: question ? question.text : given.question || id,
        order: order.get(id) ?? order.size,
      });
    }
    const due = (entry) => entry.action.due || "\uffff";
    return found.sort((a, b) =>
      due(a) !== due(b) ? (due(a) < due(b) ? -1 : 1) : a.order - b.order || (a.id < b.id ? -1 : 1),
    );
  }
  const numbered = (entry) => (entry.number ? `${entry.number}. ${entry.question}` : entry.question);

  // The owners, alphabetically, and no owner given last: [[key, name], ...]. Each is named as most
  // of its actions write it ("Sam" twice and "sam" once: Sam), capitals first when as many do.
  const compare = (x, y) => x.localeCompare(y, locale, { caseFirst: "upper" });
  function owners(list) {
    const spellings = new Map();
    for (const entry of list) {
      const key = ownerKey(entry.action.owner);
      const name = squash(entry.action.owner);
      const counts = spellings.get(key) || spellings.set(key, new Map()).get(key);
      counts.set(name, (counts.get(name) || 0) + 1);
    }
    return [...spellings]
      .map(([key, counts]) => [key, [...counts].sort(([x, m], [y, n]) => n - m || compare(x, y))[0][0]])
      .sort(([a, x], [b, y]) => !a - !b || compare(x, y));
  }

  function listed(root, list) {
    const owner = root.querySelector("#hb-owner").value;
    const stage = root.querySelector("#hb-stage").value;
    return list.filter(
      (entry) =>
        (!owner || owner === `o:${ownerKey(entry.action.owner)}`) && (!stage || stage === entry.stage),
    );
  }

  // Each stage's checklist (and the retired answers), relative to this page: html/actions.html.
  const pagesOf = (root) =>
    new Map([...root.querySelectorAll("#hb-stage option[data-href]")].map((o) => [o.value, o.dataset.href]));
  const linkOf = (entry, pages) =>
    entry.stage === RETIRED ? pages.get(RETIRED) : `${pages.get(entry.stage)}#q-${entry.id}`;

  // ------------------------------------------------------------------ the page

  function row(entry, pages) {
    const { id, action } = entry;
    const label = `hb-action-${id}`;
    return h(
      "tr",
      { "data-hb-id": id },
      h("th", { scope: "row", id: label }, action.text.trim() || t("actions.no_text")),
      h(
        "td",
        // Each cell's column, shown before it where the rows stack (narrow screens).
        { "data-hb-column": t("actions.columns.question") },
        h("a", { href: linkOf(entry, pages) }, numbered(entry)),
        h("br"),
        h("span.hb-actions-stage", stageTitle(entry.stage)),
      ),
      h("td", { "data-hb-column": t("actions.columns.owner") }, ownerName(action.owner)),
      h(
        "td",
        { "data-hb-column": t("actions.columns.due") },
        action.due ? h("time", { datetime: action.due }, day(action.due)) : t("actions.no_date"),
        " ",
        h("strong.hb-due-flag"),
      ),
      h(
        "td",
        h(
          "span.hb-field",
          h("input", {
            type: "checkbox",
            id: `hb-tick-${id}`,
            "aria-labelledby": `hb-tick-${id}-l ${label}`,
          }),
          " ",
          h("label", { for: `hb-tick-${id}`, id: `hb-tick-${id}-l` }, t("actions.tick")),
        ),
        " ",
        h(
          "span.hb-field",
          h("label", { for: `hb-done-${id}`, id: `hb-done-${id}-l` }, t("actions.done_on")),
          " ",
          h("input", { type: "date", id: `hb-done-${id}`, "aria-labelledby": `hb-done-${id}-l ${label}` }),
        ),
      ),
    );
  }

  // What changes in a row when an action is ticked: its box, its date, its flag.
  function sync(tr, action, on) {
    const [tick, date] = tr.querySelectorAll("input");
    tick.checked = Boolean(action.done);
    if (date !== document.activeElement) date.value = action.done || "";
    const kind = flag(action, on);
    tr.dataset.hbFlag = kind;
    tr.querySelector(".hb-due-flag").textContent = kind && t(`actions.${kind}`);
  }

  function summary(all, shown, on) {
    if (!shown.length) return "";
    const count = (kind) => number(shown.filter((entry) => flag(entry.action, on) === kind).length);
    return [
      shown.length < all.length && t("actions.showing", { n: all.length, shown: number(shown.length) }),
      t("actions.summary", {
        n: shown.length,
        overdue: count("overdue"),
        soon: count("soon"),
        done: number(shown.filter((entry) => entry.action.done).length),
      }),
    ]
      .filter(Boolean)
      .join(" ");
  }

  // On paper: each owner's actions on a page of their own, under the owner's name.
  function sheet(root, partnership, shown, on) {
    const heads = ["action", "question", "due", "done"];
    fill(
      root.querySelector(".hb-actions-sheet"),
      !shown.length && h("p", root.querySelector(".hb-actions").textContent),
      owners(shown).map(([key, name]) => {
        const theirs = shown.filter((entry) => ownerKey(entry.action.owner) === key);
        return h(
          "section.hb-actions-owner",
          h("h2", ownerName(name)),
          h(
            "p",
            t("actions.sheet.about", { n: theirs.length, partnership: partnership.name, date: day(on) }),
          ),
          h(
            "table.hb-table",
            h(
              "thead",
              h(
                "tr",
                heads.map((head) => h("th", { scope: "col" }, t(`actions.columns.${head}`))),
              ),
            ),
            h(
              "tbody",
              theirs.map((entry) => {
                const { action } = entry;
                const kind = flag(action, on);
                return h(
                  "tr",
                  h("td", action.text.trim() || t("actions.no_text")),
                  h("td", numbered(entry), h("br"), stageTitle(entry.stage)),
                  h(
                    "td",
                    action.due ? day(action.due) : t("actions.no_date"),
                    kind && [h("br"), h("strong", t(`actions.${kind}`))],
                  ),
                  action.done
                    ? h("td", t("actions.done_on_date", { date: day(action.done) }))
                    : h("td.hb-not-done", t("actions.not_done")),
                );
              }),
            ),
          ),
        );
      }),
    );
  }

  function ownerOptions(root, all) {
    const select = root.querySelector("#hb-owner");
    const list = owners(all);
    const known = JSON.stringify(list);
    if (select.dataset.hbOwners === known) return;
    const kept = select.value;
    fill(
      select,
      h("option", { value: "" }, t("actions.everyone")),
      list.map(([key, name]) => h("option", { value: `o:${key}` }, ownerName(name))),
    );
    select.value = kept;
    if (select.selectedIndex < 0) select.value = "";
    select.dataset.hbOwners = known;
  }

  function render(event) {
    const root = app();
    if (!root) return;
    const partnership = store.active();
    const on = today();
    const all = entries(partnership);
    const table = root.querySelector(".hb-actions");
    const changed = event?.detail?.answer;
    const tr =
      changed && [...table.querySelectorAll("tr[data-hb-id]")].find((r) => r.dataset.hbId === changed);
    const entry = tr && all.find((each) => each.id === changed);
    const shownFor = root.dataset.hbFor;
    root.dataset.hbFor = store.workspace.active;
    if (entry && event.detail.partnership === shownFor && shownFor === store.workspace.active) {
      // An action ticked on this page: its row, in place, so the focus and a date being typed stay.
      sync(tr, entry.action, on);
    } else {
      fill(
        root.querySelector("[data-hb-for]"),
        handbook.ui.phrase("actions.for", { name: partnership.name }, "name"),
      );
      ownerOptions(root, all);
      const retired = root.querySelector("[data-hb-retired]");
      retired.hidden = retired.disabled = !all.some((each) => each.stage === RETIRED);
      const stage = root.querySelector("#hb-stage");
      if (stage.selectedOptions[0]?.disabled) stage.value = "";
      const shown = listed(root, all);
      const pages = pagesOf(root);
      const focused = table.contains(document.activeElement) && document.activeElement.id;
      const caption = "hb-actions-caption";
      fill(
        table,
        !all.length
          ? h("p", t("actions.none", { name: partnership.name }))
          : !shown.length
            ? h("p", t("actions.none_match"))
            : h(
                "div.hb-scroll",
                { tabindex: 0, role: "region", "aria-labelledby": caption },
                h(
                  "table.hb-table.hb-actions-table",
                  h("caption", { id: caption }, h("span", t("actions.caption", { name: partnership.name }))),
                  h(
                    "thead",
                    h(
                      "tr",
                      COLUMNS.map((key) => h("th", { scope: "col" }, t(`actions.columns.${key}`))),
                    ),
                  ),
                  h(
                    "tbody",
                    shown.map((each) => row(each, pages)),
                  ),
                ),
              ),
      );
      for (const each of table.querySelectorAll("tr[data-hb-id]")) {
        sync(each, all.find((found) => found.id === each.dataset.hbId).action, on);
      }
      if (focused) document.getElementById(focused)?.focus();
    }
    const shown = listed(root, all);
    root.querySelector("[data-hb-summary]").textContent = summary(all, shown, on);
    sheet(root, partnership, shown, on);
  }

  // Ticked, unticked, or a date typed: the answer as it was, with its action's done date.
  function markDone(root, id, when) {
    const partnership = root.dataset.hbFor;
    const given = store.get(partnership)?.answers[id];
    const { done, ...action } = given?.action || {};
    if (when) action.done = when;
    const saved = given ? store.setAnswer(partnership, id, { ...given, action }) : { ok: false };
    if (!saved.ok) return say(t("browser.bar.gone_while_typing"));
    const words = squash(given.action.text) || t("actions.no_text");
    say(
      when
        ? t("actions.ticked", { date: day(when), action: words })
        : t("actions.unticked", { action: words }),
    );
  }

  // ------------------------------------------------------------------ the spreadsheet (CSV)

  // Rows of cells as CSV (RFC 4180): every cell quoted, its quotes doubled; a cell that starts as a
  // formula would (= + - @, a tab or a carriage return) gets a leading apostrophe, so that no
  // spreadsheet runs it; lines end CRLF; a byte-order mark first, so Excel reads UTF-8 (ŵ, ŷ).
  const FORMULA = /^[=+\-@\t\r]/;
  const cell = (value) => {
    const words = String(value ?? "");
    return `"${(FORMULA.test(words) ? `'${words}` : words).replace(/"/g, '""')}"`;
  };
  const csv = (rows) => `\ufeff${rows.map((cells) => cells.map(cell).join(",")).join("\r\n")}\r\n`;

  function csvRows(shown, on) {
    const head = ["stage", "number", "question", "action", "owner", "due", "done", "flag", "id"];
    return [
      head.map((key) => t(`actions.csv.${key}`, { date: day(on) })),
      ...shown.map((entry) => {
        const { action } = entry;
        const kind = flag(action, on);
        return [
          stageTitle(entry.stage),
          entry.number,
          entry.question,
          action.text,
          action.owner,
          action.due,
          action.done || "",
          kind && t(`actions.${kind}`),
          entry.id,
        ];
      }),
    ];
  }

  // ------------------------------------------------------------------ the calendar file (iCalendar)

  // RFC 5545, one all-day event (VEVENT) per dated action. Events, not to-dos (VTODO): Google
  // Calendar imports a file's events only, and Outlook its events but none of its to-dos;
  // Thunderbird takes either. RFC 5545 gives an event no STATUS:COMPLETED and no COMPLETED date
  // (those are a to-do's), so a done action says so in its summary ("Done: ...") and description.
  // Each event's UID is made of the site, the partnership and the question, so the same action
  // keeps it from one export to the next, and a calendar that updates by UID updates it.
  const octets = (char) => {
    const code = char.codePointAt(0);
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  };
  // A content line folded at 75 octets, never inside a character's UTF-8 bytes: each continuation
  // starts with CRLF and a space, which counts in its 75.
  function fold(line) {
    let out = "";
    let size = 0;
    for (const char of line) {
      if (size + octets(char) > 75) {
        out += "\r\n ";
        size = 1;
      }
      out += char;
      size += octets(char);
    }
    return out;
  }
  // TEXT (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, each line break as \n, no
  // other control character, and no half of a character (a lone surrogate) left.
  const text = (value) =>
    String(value)
      .replace(/\r\n?|[\n\u2028\u2029]/g, "\n")
      .replace(/[\\;,]/g, "\\$&")
      .replace(/\n/g, "\\n")
      .replace(/[^\P{Cc}\t]/gu, " ")
      .replace(/\p{Cs}/gu, "\ufffd");
  const stamp = (moment) => new Date(moment).toISOString().replace(/[-:]|\.\d+/g, "");
  const date = (given) => given.replace(/-/g, "");

  // calendar: {product, name, now (a moment), events: [{uid, date, summary, description, url, modified}]}.
  function ics(calendar) {
    const now = stamp(calendar.now || new Date());
    const lines = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      `PRODID:${text(calendar.product)}`,
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      `X-WR-CALNAME:${text(calendar.name)}`,
    ];
    for (const event of calendar.events) {
      lines.push(
        "BEGIN:VEVENT",
        `UID:${text(event.uid)}`,
        `DTSTAMP:${now}`,
        `DTSTART;VALUE=DATE:${date(event.date)}`,
        `DTEND;VALUE=DATE:${date(after(event.date, 1))}`,
        `SUMMARY:${text(event.summary)}`,
        event.description && `DESCRIPTION:${text(event.description)}`,
        event.url && `URL:${event.url}`,
        event.modified && `LAST-MODIFIED:${stamp(event.modified)}`,
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      );
    }
    lines.push("END:VCALENDAR");
    return `${lines.filter(Boolean).map(fold).join("\r\n")}\r\n`;
  }

  // A short, stable name for this handbook's address (the store's key for it).
  function siteId() {
    let hash = 2166136261;
    for (const char of store.keyOf("actions")) hash = Math.imul(hash ^ char.codePointAt(0), 16777619);
    return (hash >>> 0).toString(36);
  }

  function calendarOf(root, partnership, dated) {
    const pages = pagesOf(root);
    const online = /^https?:$/.test(location.protocol);
    const site = siteId();
    return {
      // Joined, not a template: the build's minifier takes two slashes in a template for a comment.
      product: ["-", store.site, t("actions.title"), handbook.i18n.language.toUpperCase()].join("//"),
      name: t("actions.calendar.name", { name: partnership.name }),
      events: dated.map((entry) => {
        const { action } = entry;
        const words =
          squash(action.text) || t("actions.calendar.untitled", { question: entry.number || entry.id });
        const url = online ? new URL(linkOf(entry, pages), location.href).href : "";
        return {
          uid: `${entry.id}.${root.dataset.hbFor}.${site}@partnership-handbook`,
          date: action.due,
          summary: action.done ? t("actions.calendar.done", { action: words }) : words,
          description: [
            t("actions.calendar.question", { question: numbered(entry) }),
            t("actions.calendar.stage", { stage: stageTitle(entry.stage) }),
            squash(action.owner) && t("actions.calendar.owner", { owner: squash(action.owner) }),
            action.done && t("actions.done_on_date", { date: day(action.done) }),
            url,
          ]
            .filter(Boolean)
            .join("\n"),
          url,
          modified: entry.updated,
        };
      }),
    };
  }

  function exportAs(kind) {
    const root = app();
    const partnership = store.active();
    const on = today();
    const shown = listed(root, entries(partnership));
    const name = partnership.name;
    if (kind === "csv") {
      download(fileName(name, "actions", "csv"), csv(csvRows(shown, on)), "text/csv;charset=utf-8");
      return say(t("actions.export.csv_done", { n: shown.length, name }));
    }
    const dated = shown.filter((entry) => entry.action.due);
    if (!dated.length) return say(t("actions.export.ics_none"));
    const file = ics(calendarOf(root, partnership, dated));
    download(fileName(name, "actions", "ics"), file, "text/calendar;charset=utf-8");
    const undated = shown.length - dated.length;
    say(
      [
        t("actions.export.ics_done", { n: dated.length, name }),
        undated && t("actions.export.ics_undated", { n: undated }),
      ]
        .filter(Boolean)
        .join(" "),
    );
  }

  handbook.ui.onPage(render);
  document.addEventListener("hb:change", render);
  document.addEventListener("change", ({ target }) => {
    const root = app();
    if (!root?.contains(target)) return;
    if (target.matches("[data-hb-filter]")) {
      render();
      say(
        root.querySelector("[data-hb-summary]").textContent || root.querySelector(".hb-actions").textContent,
      );
      return;
    }
    const id = target.closest("tr[data-hb-id]")?.dataset.hbId;
    if (id) markDone(root, id, target.type === "checkbox" ? target.checked && today() : target.value);
  });
  document.addEventListener("click", ({ target }) => {
    const kind = target.closest?.('[data-hb-app="actions"] [data-hb-export]')?.dataset.hbExport;
    if (kind) exportAs(kind);
  });

  handbook.actions = { csv, ics, fold, text, flag, after, today, entries, csvRows, calendarOf };
})();
