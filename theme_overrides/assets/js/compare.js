// needs: i18n, answers, store, ui, files, record
// The page "Compare partners' answers": two to eight partners' answers files (or a saved
// comparison) side by side, where they differ and where to start, a "where we differ" sheet to
// print, and the comparison kept as Markdown or as a file that loads again. Files are read on
// this device only; everything in them is data, shown as text. The agreed position (agreed.js)
// and the charts (chart.js) use what this module works out.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, when, list, number } = handbook.i18n;
  const { h, fill, say, download, css, inSlices } = handbook.ui;
  const model = handbook.answers;
  const FORMAT = "partnership-handbook-comparison";
  const MOST_PARTNERS = 8;
  const WIDEST = 10; // questions listed under "Widest spread first"
  // Rows a stage's table shows at first, and adds at each "Show more": a table of thousands of
  // rows would stall the page each time the browser lays it out again.
  const PAGE = 200;
  // A comparison of at most this many rows is drawn at once; a longer one in short tasks.
  const AT_ONCE = 400;
  // The statuses from untouched to settled: how far apart two answers are (schema's x-scale).
  const SCALE = new Map(handbook.bank.statuses.map((status) => [status.id, status.scale]));
  const BY_SCALE = [...handbook.bank.statuses].sort((a, b) => a.scale - b.scale).map((status) => status.id);
  const RETIRED = "retired";

  // The files loaded, in the order given: {file, data (as answers.js read it), key, name, fallback}.
  const partners = [];
  // The comparison on screen: its stages' rows, and how many of each stage's rows are shown.
  const side = { groups: [], shown: new Map(), run: null, atOnce: true };

  const $ = (selector) => document.querySelector(`[data-hb-app="compare"] ${selector}`);
  const nameOf = (partner) => partner.name.replace(/\s+/g, " ").trim() || partner.fallback;
  const names = () => list(partners.map(nameOf));
  const today = () => handbook.i18n.date(new Date());
  const answerOf = (partner, id) => partner.data.answers[id];
  const otherEdition = (partner) => partner.data.handbook.edition !== handbook.bank.edition;

  // ---------------------------------------------------------------- loading

  // What a file holds: one answers file, or each partner of a saved comparison.
  function candidates(file, source) {
    let data;
    try {
      data = JSON.parse(source);
    } catch {
      // answers.js says it is not JSON.
    }
    if (data?.format !== FORMAT) return [{ file, source }];
    if (data.version !== 1)
      throw new Error(t("browser.compare.saved_version", { version: String(data.version) }));
    if (!Array.isArray(data.partners)) throw new Error(t("browser.compare.saved_no_list"));
    if (!data.partners.length) throw new Error(t("browser.compare.saved_empty"));
    if (data.partners.length > MOST_PARTNERS) {
      throw new Error(t("browser.compare.saved_too_many", { n: data.partners.length, most: MOST_PARTNERS }));
    }
    return data.partners.map((partner, index) => ({
      file:
        typeof partner?.file === "string"
          ? partner.file
          : t("browser.compare.partner_of", { n: index + 1, file }),
      name: typeof partner?.name === "string" ? partner.name : undefined,
      data: partner?.answers,
    }));
  }

  // Adds a file's partner; else says why not.
  function add({ file, source, data, name }) {
    let read;
    try {
      read = data === undefined ? model.readFile(source) : model.readFile(JSON.stringify(data ?? null));
    } catch (error) {
      return t("browser.compare.not_loaded", { file, why: error.message });
    }
    // Two files are the same when what they say is: compared once.
    const key = JSON.stringify([read.partnership, read.organisation, read.exported, read.answers]);
    const twin = partners.find((partner) => partner.key === key);
    if (twin) {
      return twin.file === file
        ? t("browser.compare.loaded_already", { file })
        : t("browser.compare.same_as", { file, other: twin.file });
    }
    if (partners.length >= MOST_PARTNERS) return t("browser.compare.too_many", { file, most: MOST_PARTNERS });
    let fallback = read.organisation || read.partnership || file.replace(/\.json$/i, "");
    if (partners.some((partner) => nameOf(partner) === fallback)) fallback += ` (${file})`;
    partners.push({ file, data: read, key, fallback, name: name ?? fallback });
    return "";
  }

  async function load(files) {
    const notes = [];
    const loaded = [];
    for (const file of files) {
      try {
        if (file.size > model.LIMITS.fileBytes) {
          throw new Error(t("browser.file.too_big", { most: Math.round(model.LIMITS.fileBytes / 2 ** 20) }));
        }
        for (const candidate of candidates(file.name, await file.text())) {
          const problem = add(candidate);
          if (problem) notes.push(problem);
          else loaded.push(candidate.file);
        }
      } catch (error) {
        notes.push(t("browser.compare.not_loaded", { file: file.name, why: error.message }));
      }
    }
    if (loaded.length) notes.unshift(t("browser.compare.loaded", { files: list(loaded) }));
    render();
    report(notes);
  }

  function remove(index) {
    const [gone] = partners.splice(index, 1);
    render();
    report([t("browser.compare.removed", { file: gone.file })]);
    (partners.length ? $("#hb-partners") : $("#hb-files")).focus();
  }

  // What the last load or removal did, and what the comparison needs now.
  function report(notes) {
    const state =
      partners.length > 1
        ? t("browser.compare.comparing", { n: partners.length, names: names() })
        : partners.length === 1
          ? t("browser.compare.needs_two")
          : "";
    fill(
      $(".hb-compare-report"),
      [...notes, state].map((note) => note && h("p", note)),
    );
  }

  // ---------------------------------------------------------------- comparing

  // One row per question: the handbook's in page order, then those only partners' files know.
  function compare() {
    const row = (id, question) => {
      const given = partners.map((partner) => answerOf(partner, id));
      const statuses = given.map((answer) => answer?.status || model.FIRST_STATUS);
      return { id, question, answers: given, statuses, differs: new Set(statuses).size > 1 };
    };
    const rows = handbook.bank.questions.map((question) => row(question.id, question));
    const gone = new Set();
    for (const partner of partners) {
      for (const id of Object.keys(partner.data.answers)) if (!handbook.bank.byId.has(id)) gone.add(id);
    }
    const groups = handbook.bank.stages.map((stage) => ({
      ...stage,
      rows: rows.filter((found) => found.question.stage === stage.id),
    }));
    groups.push({
      id: RETIRED,
      title: t("browser.compare.retired_title"),
      rows: [...gone].map((id) => row(id, null)),
    });
    return groups.filter((group) => group.rows.length);
  }

  const differing = (rows) => rows.filter((found) => found.differs);
  const label = (found) =>
    found.question
      ? `${found.question.number}. ${found.question.text}`
      : found.answers.find((given) => given?.question)?.question || found.id;
  const countLine = (group) =>
    t(group.id === RETIRED ? "browser.compare.differ_retired" : "browser.compare.differ_stage", {
      n: group.rows.length,
      differ: number(differing(group.rows).length),
    });

  // Distinct statuses, then how far apart the furthest two are on the scale.
  function spread(found) {
    const places = found.statuses.map((status) => SCALE.get(status));
    let [low, high] = [places[0], places[0]];
    for (const place of places) [low, high] = [Math.min(low, place), Math.max(high, place)];
    return [new Set(found.statuses).size, high - low];
  }
  // Who gave which status, in the scale's order: "Agreed: A and B; Discussed: C".
  const byStatus = (found) =>
    BY_SCALE.filter((status) => found.statuses.includes(status))
      .map((status) => {
        const who = partners.filter((_, index) => found.statuses[index] === status).map(nameOf);
        return `${model.statusLabel(status)}: ${list(who)}`;
      })
      .join("; ");

  // A partner's answer as lines of text, status first: for the tables, the sheet and the minutes.
  function answerLines(found, index) {
    const given = found.answers[index];
    if (!given) {
      return [
        t("browser.compare.no_answer", { status: model.statusLabel(model.FIRST_STATUS) }),
        found.question && otherEdition(partners[index]) && t("browser.compare.other_edition_row"),
      ].filter(Boolean);
    }
    return [
      model.statusLabel(given.status),
      given.notes.trim() && t("browser.record.notes", { notes: given.notes.trim() }),
      model.actionText(given.action) &&
        t("browser.record.action", { action: model.actionText(given.action) }),
      model.reworded(found.id, given) && t("browser.compare.reworded", { question: given.question }),
    ].filter(Boolean);
  }

  // ---------------------------------------------------------------- the page

  // A table that scrolls sideways on a narrow screen, reachable by keyboard to scroll it.
  const scroller = (id, table) =>
    h("div.hb-scroll", { tabindex: 0, role: "region", "aria-labelledby": id }, table);

  function row(found, sheet) {
    return h(
      "tr",
      { id: !sheet && `hb-row-${found.id}`, "data-hb-differs": found.differs },
      h(
        "th",
        { scope: "row" },
        label(found),
        found.differs && [" ", h("strong.hb-differs", t("browser.compare.differs"))],
        !found.question && [" ", h("span.hb-flag", t("browser.compare.no_longer"))],
      ),
      partners.map((_, index) => {
        const [status, ...more] = answerLines(found, index);
        return h(
          "td",
          h("strong", status),
          more.map((line) => h("p.hb-answer__notes", line)),
        );
      }),
    );
  }

  function table(group, rows, { sheet = false } = {}) {
    const caption = `hb-caption-${sheet ? "sheet-" : ""}${group.id}`;
    const head = h(
      "tr",
      h("th", { scope: "col" }, t("browser.compare.question")),
      partners.map((partner) => h("th", { scope: "col" }, nameOf(partner))),
    );
    const body = h("tbody");
    fillRows(body, rows, sheet);
    // On screen the stage's heading shows above the table: its caption is for screen readers.
    const title = sheet
      ? h("caption", { id: caption }, h("strong", group.title), " ", countLine(group))
      : h(
          "caption.hb-visually-hidden",
          { id: caption },
          t("browser.compare.caption", { title: group.title }),
        );
    return scroller(caption, h("table.hb-table.hb-compare-table", title, h("thead", head), body));
  }

  // Rows added to a table's body in short tasks, so the page stays responsive; the body says
  // how many it will hold once they are in (data-hb-rows), and is busy until then. One queue a
  // body: rows asked for while others are on their way go in after them, in order. A newer
  // comparison stops an older one's rows.
  const queues = new WeakMap();
  function fillRows(body, rows, sheet, then = () => {}) {
    body.dataset.hbRows = Number(body.dataset.hbRows || 0) + rows.length;
    const queued = queues.get(body);
    if (queued) {
      for (const found of rows) queued.rows.push(found);
      queued.thens.push(then);
      return;
    }
    const run = side.run;
    const job = { rows: [...rows], thens: [then] };
    queues.set(body, job);
    body.setAttribute("aria-busy", "true");
    const add = (found) => side.run === run && body.append(row(found, sheet));
    const done = () => {
      queues.delete(body);
      body.removeAttribute("aria-busy");
      if (side.run === run) for (const next of job.thens) next();
    };
    if (side.atOnce) {
      job.rows.forEach(add);
      done();
    } else {
      inSlices(job.rows, add, done);
    }
  }

  // Runs `then` once the rows on their way into a body are in: at once when none are.
  function whenFilled(body, then) {
    const queued = queues.get(body);
    if (queued) queued.thens.push(then);
    else then();
  }

  const stageRows = (group) => ($("#hb-only-differ").checked ? differing(group.rows) : group.rows);

  function stageSection(group) {
    const rows = stageRows(group);
    const wanted = side.shown.get(group.id);
    const shown = Math.min(rows.length, Number.isFinite(wanted) ? wanted : PAGE);
    side.shown.set(group.id, shown);
    const silent =
      group.id === RETIRED
        ? []
        : partners.filter((_, index) => !group.rows.some((found) => model.said(found.answers[index])));
    return h(
      "section.hb-compare-stage",
      { "data-hb-stage": group.id },
      h("h3", { id: `hb-stage-${group.id}` }, group.title),
      h("p.hb-compare-count", countLine(group)),
      silent.map((partner) => h("p.hb-flag", t("browser.compare.silent", { name: nameOf(partner) }))),
      rows.length ? table(group, rows.slice(0, shown)) : h("p", t("browser.compare.all_same_here")),
      h("p.hb-compare-more"),
    );
  }

  // Under a table with rows still to show: how many it shows, and a button for the next ones.
  function moreLine(group) {
    const line = $(`[data-hb-stage="${CSS.escape(group.id)}"] .hb-compare-more`);
    if (!line) return;
    const [shown, n] = [side.shown.get(group.id), stageRows(group).length];
    const focused = line.contains(document.activeElement); // its button: the new one takes focus
    line.hidden = shown >= n;
    fill(
      line,
      shown < n && [
        t("browser.compare.shown_first", { shown: number(shown), n }),
        " ",
        h(
          "button.md-button",
          { type: "button", "data-hb-more": group.id },
          t("browser.compare.show_more", { more: number(Math.min(PAGE, n - shown)), title: group.title }),
        ),
      ],
    );
    if (focused) line.querySelector("button")?.focus();
  }

  // More of a stage's rows: the next page of them, or up to and with the row at `upTo`.
  function showMore(groupId, upTo = -1, then = () => {}) {
    const group = side.groups.find((each) => each.id === groupId);
    const body = $(`[data-hb-stage="${CSS.escape(groupId)}"] tbody`);
    if (!group || !body) return;
    const rows = stageRows(group);
    const from = Number(body.dataset.hbRows); // what the table holds, or will once its rows are in
    const to = Math.min(rows.length, Math.max(from + PAGE, upTo + 1));
    side.shown.set(groupId, to);
    moreLine(group);
    fillRows(body, rows.slice(from, to), false, then);
  }

  // How far partners agree, per principle and stage.
  function summary(groups) {
    const rows = groups.flatMap((group) => group.rows).filter((found) => found.question);
    const agree = (stage, principle) => {
      const cell = rows.filter(
        (found) =>
          (!stage || found.question.stage === stage) &&
          (!principle || found.question.principle === principle),
      );
      return cell.length
        ? t("browser.progress.cell", { done: cell.length - differing(cell).length, n: cell.length })
        : t("browser.progress.none");
    };
    const line = (title, principle) =>
      h(
        "tr",
        h("th", { scope: "row" }, title),
        handbook.bank.stages.map((stage) => h("td", agree(stage.id, principle))),
        h("td", agree(undefined, principle)),
      );
    const stages = handbook.bank.stages.map((stage) => h("th", { scope: "col" }, stage.title));
    return [
      h(
        "p",
        t("browser.compare.agree_overall", {
          n: rows.length,
          agree: number(rows.length - differing(rows).length),
          differ: number(differing(rows).length),
        }),
      ),
      scroller(
        "hb-caption-summary",
        h(
          "table.hb-table",
          h("caption", { id: "hb-caption-summary" }, h("span", t("browser.compare.agree_caption"))),
          h(
            "thead",
            h(
              "tr",
              h("th", { scope: "col" }, t("browser.compare.principle")),
              stages,
              h("th", { scope: "col" }, t("browser.compare.all_stages")),
            ),
          ),
          h(
            "tbody",
            handbook.bank.principles.map((principle) => line(principle.title, principle.id)),
            line(t("browser.compare.all_principles")),
          ),
        ),
      ),
    ];
  }

  // The questions where partners differ, widest spread first (the agenda).
  function agenda(groups) {
    const rows = differing(groups.flatMap((group) => group.rows).filter((found) => found.question));
    // Array sort is stable: questions of the same spread stay in page order.
    return rows
      .map((found) => [found, spread(found)])
      .sort(([, a], [, b]) => b[0] - a[0] || b[1] - a[1])
      .map(([found, [distinct]]) => ({ ...found, distinct }));
  }

  function widest(groups) {
    const ranked = agenda(groups);
    if (!ranked.length) return h("p", t("browser.compare.all_same"));
    const item = (found) =>
      h(
        "li",
        h(
          "a",
          { href: `#hb-row-${found.id}` },
          `${handbook.bank.titleOf(found.question.stage)}, ${label(found)}`,
        ),
        ` ${t("browser.compare.statuses", { n: found.distinct, who: byStatus(found) })}`,
      );
    const more = ranked.length - WIDEST;
    return [
      h("ol", ranked.slice(0, WIDEST).map(item)),
      more > 0 && h("p", t("browser.compare.more_differ", { n: more })),
    ];
  }

  function partnerItem(partner, index) {
    const data = partner.data;
    const id = `hb-partner-${index}`;
    const who = [
      data.partnership,
      data.organisation && t("browser.compare.answered_by", { organisation: data.organisation }),
    ].filter(Boolean);
    const about = [
      who.join(", "),
      data.handbook.edition || t("browser.compare.no_edition"),
      data.exported && t("browser.import.exported", { when: when(data.exported) }),
      t("browser.compare.answers", { n: Object.keys(data.answers).length }),
    ];
    return h(
      "li",
      h(
        "p.hb-form",
        h(
          "span.hb-field",
          h("label", { for: id }, t("browser.compare.name_for", { file: partner.file })),
          " ",
          h("input", {
            id,
            type: "text",
            value: partner.name,
            autocomplete: "off",
            "data-hb-partner": index,
          }),
        ),
        h(
          "button.md-button",
          { type: "button", "data-hb-remove": index },
          t("browser.compare.remove", { file: partner.file }),
        ),
      ),
      h("p", `${about.filter(Boolean).join("; ")}.`),
      otherEdition(partner) &&
        h("p.hb-flag", t("browser.compare.other_edition", { edition: handbook.bank.edition })),
    );
  }

  // The "where we differ" sheet: printed alone, landscape (handbook.css).
  function sheet(groups) {
    if (partners.length < 2) return h("p", t("browser.compare.sheet_needs_two"));
    const found = groups.filter((group) => differing(group.rows).length);
    return [
      h("h2", t("browser.compare.sheet_title")),
      h(
        "p",
        t("browser.compare.sheet_about", {
          names: names(),
          date: today(),
          site: handbook.bank.site,
          edition: handbook.bank.edition,
          rule: t("browser.compare.rule"),
        }),
      ),
      found.length
        ? found.map((group) => table(group, differing(group.rows), { sheet: true }))
        : h("p", t("browser.compare.all_same")),
    ];
  }

  // The comparison, part by part: a long one in a task a part (each part's long tables fill in
  // tasks of their own), a short one at once, whatever the machine's speed. A newer comparison
  // stops an older one. `fresh`: other partners or another view, each stage's first rows again
  // (not for a new name), from when its tables replace the ones on screen.
  function renderResults(fresh = false) {
    const ready = partners.length > 1;
    const groups = ready ? compare() : [];
    const run = {};
    side.run = run;
    $(".hb-compare-partners").hidden = !partners.length;
    $(".hb-compare-results").hidden = !ready;
    document.body.toggleAttribute("data-hb-comparing", ready); // the page's width (handbook.css)
    // The printed header says whose answers and when, on every page.
    document.documentElement.style.setProperty(
      "--hb-compare-for",
      css(t("browser.compare.print_for", { names: names() })),
    );
    document.documentElement.style.setProperty("--hb-compare-date", css(today()));
    const parts = [
      () => fill($(".hb-compare-summary"), ready && summary(groups)),
      () => fill($(".hb-spread"), ready && widest(groups)),
      // The chart and the agreed position before the tables: the chart measures its words, and
      // long tables, filled first, would make each measurement lay them out again.
      () => document.dispatchEvent(new CustomEvent("hb:compared", { detail: { groups, ready } })),
      () => {
        if (fresh) side.shown.clear();
        side.groups = groups;
        fill($(".hb-side"), groups.map(stageSection));
        for (const group of groups) moreLine(group);
      },
      () => fill($(".hb-sheet"), sheet(groups)),
    ];
    side.atOnce = groups.reduce((n, group) => n + group.rows.length, 0) <= AT_ONCE;
    const draw = (part) => side.run === run && $(".hb-partners") && part();
    if (side.atOnce) parts.forEach(draw);
    else inSlices(parts, draw);
  }

  function render() {
    if (!$(".hb-partners")) {
      side.run = null; // another page: what was still to draw stops
      return;
    }
    fill($(".hb-partners"), partners.map(partnerItem));
    renderResults(true);
  }

  // ---------------------------------------------------------------- keeping it

  function minutes() {
    const { md } = handbook.record;
    const groups = compare();
    const rows = groups.flatMap((group) => group.rows).filter((found) => found.question);
    const about = (partner) =>
      [
        partner.file,
        partner.data.handbook.edition || t("browser.compare.no_edition"),
        partner.data.exported && t("browser.import.exported", { when: when(partner.data.exported) }),
      ]
        .filter(Boolean)
        .join(", ");
    const lines = [
      `# ${md(t("browser.compare.sheet_title"))}`,
      "",
      md(
        t("browser.compare.minutes_about", {
          date: today(),
          site: handbook.bank.site,
          edition: handbook.bank.edition,
        }),
      ),
      "",
      `## ${md(t("browser.compare.partners"))}`,
      "",
    ];
    for (const partner of partners) lines.push(`- ${md(nameOf(partner))}: ${md(about(partner))}`);
    lines.push(
      "",
      md(t("browser.compare.rule")),
      "",
      md(t("browser.compare.differ_all", { n: rows.length, differ: number(differing(rows).length) })),
    );
    for (const group of groups) {
      lines.push("", `## ${md(group.title)}`, "", md(countLine(group)));
      for (const found of differing(group.rows)) {
        lines.push("", `**${md(label(found))}**`, "");
        for (const [index, partner] of partners.entries()) {
          lines.push(`- ${md(nameOf(partner))}: ${md(answerLines(found, index).join("\n"))}`);
        }
      }
    }
    return `${lines.join("\n")}\n`;
  }

  // A saved comparison holds each partner's answers as read (and checked), never the raw file.
  const saved = () => ({
    format: FORMAT,
    version: 1,
    handbook: { title: handbook.store.site, edition: handbook.bank.edition },
    saved: new Date().toISOString(),
    partners: partners.map((partner) => ({
      name: nameOf(partner),
      file: partner.file,
      answers: {
        format: model.FORMAT,
        version: model.VERSION,
        handbook: partner.data.handbook,
        partnership: { name: partner.data.partnership },
        ...(partner.data.organisation && { organisation: { name: partner.data.organisation } }),
        ...(partner.data.exported && { exported: partner.data.exported }),
        answers: partner.data.answers,
        snapshots: partner.data.snapshots,
      },
    })),
  });

  function keep(kind) {
    const stem = `${kind === "save" ? "comparison" : "where-we-differ"}-${new Date().toLocaleDateString("en-CA")}`;
    if (kind === "save") download(`${stem}.json`, JSON.stringify(saved(), null, 2), "application/json");
    else download(`${stem}.md`, minutes(), "text/markdown");
    say(t(kind === "save" ? "browser.compare.saved" : "browser.compare.exported", { names: names() }));
  }

  // ---------------------------------------------------------------- events

  const zone = () => $("[data-hb-drop]");
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files");
  // Dropped files anywhere on the page are kept from the browser, which would open them and
  // leave the page (and the comparison); only the marked area takes them.
  document.addEventListener("dragover", (event) => {
    if (!zone() || !carriesFiles(event)) return;
    event.preventDefault();
    const inside = zone().contains(event.target);
    event.dataTransfer.dropEffect = inside ? "copy" : "none";
    zone().classList.toggle("hb-drop--over", inside);
  });
  document.addEventListener("dragleave", (event) => {
    if (zone() && !zone().contains(event.relatedTarget)) zone().classList.remove("hb-drop--over");
  });
  document.addEventListener("drop", (event) => {
    if (!zone() || !carriesFiles(event)) return;
    event.preventDefault();
    zone().classList.remove("hb-drop--over");
    if (zone().contains(event.target)) load([...event.dataTransfer.files]);
  });

  document.addEventListener("change", async ({ target }) => {
    if (target === $("#hb-only-differ")) renderResults(true);
    if (target !== $("#hb-files")) return;
    await load([...target.files]);
    target.value = ""; // so the same file can be chosen again
  });
  document.addEventListener("input", ({ target }) => {
    if (!target.matches?.("[data-hb-partner]") || !$(".hb-partners").contains(target)) return;
    partners[Number(target.dataset.hbPartner)].name = target.value;
    renderResults();
  });
  document.addEventListener("click", (event) => {
    const { target } = event;
    const { hbRemove, hbCompare, hbMore } = target.closest?.('[data-hb-app="compare"] button')?.dataset || {};
    if (hbMore) {
      const body = $(`[data-hb-stage="${CSS.escape(hbMore)}"] tbody`);
      const first = body.rows.length;
      // The first new row's question takes focus when the button goes with the last of them.
      showMore(hbMore, -1, () => {
        const heading = body.rows[first]?.querySelector("th");
        if (heading && !$(`[data-hb-more="${CSS.escape(hbMore)}"]`)) {
          heading.tabIndex = -1;
          heading.focus();
        }
      });
    }
    // A question of the agenda whose row is not shown yet: its stage shows up to it, then the
    // link goes there.
    const link = target.closest?.('[data-hb-app="compare"] .hb-spread a[href^="#hb-row-"]');
    const id = link && decodeURIComponent(link.hash.slice("#hb-row-".length));
    if (id && !document.getElementById(`hb-row-${id}`)) {
      const group = side.groups.find((each) => stageRows(each).some((found) => found.id === id));
      const body = group && $(`[data-hb-stage="${CSS.escape(group.id)}"] tbody`);
      if (body) {
        event.preventDefault();
        const at = stageRows(group).findIndex((found) => found.id === id);
        const go = () => {
          if (location.hash === link.hash) document.getElementById(`hb-row-${id}`)?.scrollIntoView();
          else location.hash = link.hash;
        };
        // On its way (its table is still filling): go once it is in; else show up to it.
        if (at < Number(body.dataset.hbRows)) whenFilled(body, go);
        else showMore(group.id, at, go);
      }
    }
    if (hbRemove) remove(Number(hbRemove));
    if (hbCompare === "save" || hbCompare === "minutes") keep(hbCompare);
  });

  handbook.ui.onPage(() => {
    document.body.removeAttribute("data-hb-comparing"); // another page, or this one anew
    render();
    if ($(".hb-partners")) report([]);
  });

  handbook.compare = {
    partners: () => partners,
    nameOf,
    names,
    compare,
    agenda,
    spread,
    byStatus,
    label,
    answerLines,
    today,
  };
})();
