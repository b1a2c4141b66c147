// The page "Compare partners' answers": two to eight partners' answers files (or a saved
// comparison) side by side, where they differ and where to start, a "where we differ" sheet to
// print, and the comparison kept as Markdown or as a file that loads again. Files are read on
// this device only; everything in them is data, shown as text.
(() => {
  "use strict";
  const HB = self.handbook;
  const { h, fill, plural, say, when, download, css } = HB.ui;
  const A = HB.answers;
  const FORMAT = "partnership-handbook-comparison";
  const MAX = 8;
  const WIDEST = 10; // questions listed under "Widest spread first"
  // The statuses in order, from untouched to settled: how far apart two answers are.
  const SCALE = ["open", "discussed", "follow-up", "agreed"];
  const RETIRED = { id: "retired", title: "Questions no longer in this handbook" };
  const DIFFER = "Partners differ on a question when they gave it different statuses; no answer counts as Not yet discussed. Notes and actions are shown, not compared.";

  const { md } = A; // Markdown escaping, as the record export does it

  // The files loaded, in the order given: {file, text, data (as answers.js read it), key, name, fallback}.
  let partners = [];

  const $ = (selector) => document.querySelector(`[data-hb-app="compare"] ${selector}`);
  const nameOf = (p) => p.name.replace(/\s+/g, " ").trim() || p.fallback;
  const names = () => and(partners.map(nameOf));
  const and = (items) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);
  const today = () => new Date().toLocaleDateString("en-GB", { dateStyle: "long" });
  const answerOf = (p, id) => (Object.hasOwn(p.data.answers, id) ? p.data.answers[id] : undefined);
  const otherEdition = (p) => p.data.handbook.edition !== HB.bank.edition;

  // ---------------------------------------------------------------- loading

  // What a file holds: one answers file, or each partner of a saved comparison.
  function candidates(file, text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      // answers.js says it is not JSON.
    }
    if (data?.format !== FORMAT) return [{ file, text }];
    if (data.version !== 1) throw new Error(`It is a comparison in format version ${data.version}, which this handbook does not read`);
    if (!Array.isArray(data.partners)) throw new Error("Its partners are not a list");
    return data.partners.map((p, i) => ({
      file: typeof p?.file === "string" ? p.file : `partner ${i + 1} of ${file}`,
      name: typeof p?.name === "string" ? p.name : undefined,
      text: JSON.stringify(p?.answers ?? null),
    }));
  }

  // Adds a file's partner; else says why not.
  function add({ file, text, name }) {
    let data;
    try {
      data = A.readFile(text);
    } catch (error) {
      return `${file} was not loaded. ${error.message}.`;
    }
    const key = JSON.stringify(data);
    const twin = partners.find((p) => p.key === key);
    if (twin) return `${file} ${twin.file === file ? "is loaded already" : `is the same file as ${twin.file}`}: it is compared once.`;
    if (partners.length >= MAX) return `${file} was not loaded: at most ${MAX} files can be compared at once.`;
    let fallback = data.organisation || data.partnership || file.replace(/\.json$/i, "");
    if (partners.some((p) => nameOf(p) === fallback)) fallback += ` (${file})`;
    partners.push({ file, text, data, key, fallback, name: name ?? fallback });
    return "";
  }

  async function load(files) {
    const notes = [];
    const loaded = [];
    for (const file of files) {
      try {
        for (const candidate of candidates(file.name, await file.text())) {
          const problem = add(candidate);
          problem ? notes.push(problem) : loaded.push(candidate.file);
        }
      } catch (error) {
        notes.push(`${file.name} was not loaded. ${error.message}.`);
      }
    }
    if (loaded.length) notes.unshift(`Loaded ${and(loaded)}.`);
    render();
    report(notes);
  }

  function remove(index) {
    const [gone] = partners.splice(index, 1);
    render();
    report([`Removed ${gone.file}.`]);
    (partners.length ? $("#hb-partners") : $("#hb-files")).focus();
  }

  // What the last load or removal did, and what the comparison needs now.
  function report(notes) {
    const needs = "Comparing needs at least two files: load another partner's answers file.";
    const state = partners.length > 1 ? `Comparing ${partners.length} partners: ${names()}.` : partners.length === 1 ? needs : "";
    fill($(".hb-compare-report"), [...notes, state].map((text) => text && h("p", text)));
  }

  // ---------------------------------------------------------------- comparing

  // One row per question: the handbook's in page order, then those only partners' files know.
  function compare() {
    const row = (id, q) => {
      const answers = partners.map((p) => answerOf(p, id));
      const statuses = answers.map((a) => a?.status || "open");
      return { id, q, answers, statuses, differs: new Set(statuses).size > 1 };
    };
    const rows = HB.bank.questions.map((q) => row(q.id, q));
    const gone = new Set(partners.flatMap((p) => Object.keys(p.data.answers)).filter((id) => !HB.bank.byId.has(id)));
    const groups = HB.bank.stages.map((s) => ({ ...s, rows: rows.filter((r) => r.q.stage === s.id) }));
    groups.push({ ...RETIRED, rows: [...gone].map((id) => row(id, null)) });
    return groups.filter((g) => g.rows.length);
  }

  const differing = (rows) => rows.filter((r) => r.differs);
  const label = (r) => (r.q ? `${r.q.number}. ${r.q.text}` : r.answers.find((a) => a?.question)?.question || r.id);
  const countLine = (g) => `Partners differ on ${differing(g.rows).length} of ${plural(g.rows.length, "question")} ${g.id === RETIRED.id ? "no longer in this handbook" : "at this stage"}.`;

  // Distinct statuses, then how far apart the furthest two are on the scale.
  function spread(r) {
    const at = r.statuses.map((s) => SCALE.indexOf(s));
    return [new Set(r.statuses).size, Math.max(...at) - Math.min(...at)];
  }
  // Who gave which status, in the scale's order: "Agreed: A and B; Discussed: C".
  const byStatus = (r) =>
    SCALE.filter((s) => r.statuses.includes(s))
      .map((s) => `${A.STATUSES[s]}: ${and(partners.filter((_, i) => r.statuses[i] === s).map(nameOf))}`)
      .join("; ");

  // A partner's answer as lines of text, status first: for the tables, the sheet and the minutes.
  function answerLines(r, i) {
    const a = r.answers[i];
    if (!a) return [`${A.STATUSES.open} (no answer)`, r.q && otherEdition(partners[i]) && "Its file is from another edition: this question may have been added since."].filter(Boolean);
    return [
      A.STATUSES[a.status],
      a.notes.trim() && `Notes: ${a.notes.trim()}`,
      A.actionText(a.action) && `Agreed action: ${A.actionText(a.action)}`,
      A.reworded(r.id, a) && `Reworded since: answered when the question read “${a.question}”`,
    ].filter(Boolean);
  }

  // ---------------------------------------------------------------- the page

  // A table that scrolls sideways on a narrow screen, reachable by keyboard to scroll it.
  const scroller = (id, table) => h("div.hb-scroll", { tabindex: 0, role: "region", "aria-labelledby": id }, table);

  function table(g, rows, { sheet = false } = {}) {
    const caption = `hb-caption-${sheet ? "sheet-" : ""}${g.id}`;
    const head = h("tr", h("th", { scope: "col" }, "Question"), partners.map((p) => h("th", { scope: "col" }, nameOf(p))));
    const body = rows.map((r) =>
      h(
        "tr",
        { id: !sheet && `hb-row-${r.id}`, "data-hb-differs": r.differs },
        h("th", { scope: "row" }, label(r), r.differs && [" ", h("strong.hb-differs", "Differs")], !r.q && [" ", h("span.hb-flag", "No longer in this handbook")]),
        partners.map((_, i) => {
          const [status, ...more] = answerLines(r, i);
          return h("td", h("strong", status), more.map((line) => h("p.hb-answer__notes", line)));
        }),
      ),
    );
    // On screen the stage's heading shows above the table: its caption is for screen readers.
    const title = sheet ? h("caption", { id: caption }, h("strong", g.title), " ", countLine(g)) : h("caption.hb-visually-hidden", { id: caption }, `${g.title}: each partner's answer to each question`);
    return scroller(caption, h("table.hb-table.hb-compare-table", title, h("thead", head), h("tbody", body)));
  }

  function stageSection(g, onlyDiffering) {
    const rows = onlyDiffering ? differing(g.rows) : g.rows;
    const silent = g.id === RETIRED.id ? [] : partners.filter((_, i) => !g.rows.some((r) => A.said(r.answers[i])));
    return h(
      "section.hb-compare-stage",
      h("h3", { id: `hb-stage-${g.id}` }, g.title),
      h("p.hb-compare-count", countLine(g)),
      silent.map((p) => h("p.hb-flag", `${nameOf(p)} has no answers for this stage: each of its questions counts as Not yet discussed.`)),
      rows.length ? table(g, rows) : h("p", "Partners gave every question here the same status."),
    );
  }

  // How far partners agree, per principle and stage.
  function summary(groups) {
    const rows = groups.flatMap((g) => g.rows).filter((r) => r.q);
    const agree = (stage, principle) => {
      const set = rows.filter((r) => [r.q.stage, undefined].includes(stage) && [r.q.principle, undefined].includes(principle));
      return set.length ? `${set.length - differing(set).length} of ${set.length}` : "none";
    };
    const line = (title, principle) => h("tr", h("th", { scope: "row" }, title), HB.bank.stages.map((s) => h("td", agree(s.id, principle))), h("td", agree(undefined, principle)));
    const stages = HB.bank.stages.map((s) => h("th", { scope: "col" }, s.title));
    return [
      h("p", `Partners agree on ${rows.length - differing(rows).length} of ${plural(rows.length, "question")} and differ on ${differing(rows).length}.`),
      scroller(
        "hb-caption-summary",
        h(
          "table.hb-table",
          h("caption", { id: "hb-caption-summary" }, h("span", "Questions on which partners agree, by principle and stage")),
          h("thead", h("tr", h("th", { scope: "col" }, "Principle"), stages, h("th", { scope: "col" }, "All stages"))),
          h("tbody", HB.bank.principles.map((p) => line(p.title, p.id)), line("All principles")),
        ),
      ),
    ];
  }

  function widest(groups) {
    const rows = differing(groups.flatMap((g) => g.rows).filter((r) => r.q));
    // Array sort is stable: questions of the same spread stay in page order.
    const ranked = rows.map((r) => [r, spread(r)]).sort(([, a], [, b]) => b[0] - a[0] || b[1] - a[1]);
    if (!ranked.length) return h("p", "Partners gave every question the same status.");
    const item = ([r, [distinct]]) => h("li", h("a", { href: `#hb-row-${r.id}` }, `${HB.bank.title(r.q.stage)}, ${label(r)}`), ` (${distinct} statuses). ${byStatus(r)}.`);
    const more = ranked.length - WIDEST;
    return [h("ol", ranked.slice(0, WIDEST).map(item)), more > 0 && h("p", `And ${plural(more, "other question")} where partners differ: see the tables below.`)];
  }

  function partnerItem(p, i) {
    const d = p.data;
    const id = `hb-partner-${i}`;
    const who = [d.partnership, d.organisation && `answered by ${d.organisation}`].filter(Boolean).join(", ");
    const about = [who, d.handbook.edition || "no edition given", d.exported && `exported ${when(d.exported)}`, plural(Object.keys(d.answers).length, "answer")];
    return h(
      "li",
      h("p.hb-form", h("span.hb-field", h("label", { for: id }, `Name for ${p.file}`), " ", h("input", { id, type: "text", value: p.name, autocomplete: "off", "data-hb-partner": i })), h("button.md-button", { type: "button", "data-hb-remove": i }, `Remove ${p.file}`)),
      h("p", `${about.filter(Boolean).join("; ")}.`),
      otherEdition(p) && h("p.hb-flag", `From another edition of the handbook than this one (${HB.bank.edition}): the tables mark questions reworded, added or removed since.`),
    );
  }

  // The "where we differ" sheet: printed alone, landscape (handbook.css).
  function sheet(groups) {
    if (partners.length < 2) return h("p", "Load at least two partners' answers files to print where they differ.");
    const found = groups.filter((g) => differing(g.rows).length);
    return [
      h("h2", "Where we differ"),
      h("p", `${names()}, ${today()}. Compared in ${HB.store.site}, ${HB.bank.edition}. ${DIFFER}`),
      found.length ? found.map((g) => table(g, differing(g.rows), { sheet: true })) : h("p", "Partners gave every question the same status."),
    ];
  }

  function renderResults() {
    const ready = partners.length > 1;
    const groups = ready ? compare() : [];
    $(".hb-compare-partners").hidden = !partners.length;
    $(".hb-compare-results").hidden = !ready;
    fill($(".hb-compare-summary"), ready && summary(groups));
    fill($(".hb-spread"), ready && widest(groups));
    fill($(".hb-side"), groups.map((g) => stageSection(g, $("#hb-only-differ").checked)));
    fill($(".hb-sheet"), sheet(groups));
    // The printed header says whose answers and when, on every page.
    document.documentElement.style.setProperty("--hb-compare-for", css(`Where we differ: ${names()}`));
    document.documentElement.style.setProperty("--hb-compare-date", css(today()));
  }

  function render() {
    if (!$(".hb-partners")) return;
    fill($(".hb-partners"), partners.map(partnerItem));
    renderResults();
  }

  // ---------------------------------------------------------------- keeping it

  function minutes() {
    const groups = compare();
    const rows = groups.flatMap((g) => g.rows).filter((r) => r.q);
    const about = (p) => [p.file, p.data.handbook.edition || "no edition given", p.data.exported && `exported ${when(p.data.exported)}`].filter(Boolean).join(", ");
    const out = ["# Where we differ", "", `Answers compared on ${md(today())} in ${md(HB.store.site)}, ${md(HB.bank.edition)}.`, "", "## Partners", ""];
    for (const p of partners) out.push(`- ${md(nameOf(p))}: ${md(about(p))}`);
    out.push("", md(DIFFER), "", `Partners differ on ${differing(rows).length} of ${plural(rows.length, "question")}.`);
    for (const g of groups) {
      out.push("", `## ${md(g.title)}`, "", md(countLine(g)));
      for (const r of differing(g.rows)) {
        out.push("", `**${md(label(r))}**`, "");
        partners.forEach((p, i) => out.push(`- ${md(nameOf(p))}: ${md(answerLines(r, i).join("\n"))}`));
      }
    }
    return out.join("\n") + "\n";
  }

  const saved = () => ({
    format: FORMAT,
    version: 1,
    handbook: { title: HB.store.site, edition: HB.bank.edition },
    saved: new Date().toISOString(),
    partners: partners.map((p) => ({ name: nameOf(p), file: p.file, answers: JSON.parse(p.text) })),
  });

  function keep(kind) {
    const stem = `${kind === "save" ? "comparison" : "where-we-differ"}-${new Date().toLocaleDateString("en-CA")}`;
    if (kind === "save") download(`${stem}.json`, JSON.stringify(saved(), null, 2), "application/json");
    else download(`${stem}.md`, minutes(), "text/markdown");
    say(kind === "save" ? `Saved the comparison of ${names()}: load the file here to see it again.` : `Exported where ${names()} differ, for the minutes.`);
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
    if (target === $("#hb-only-differ")) renderResults();
    if (target !== $("#hb-files")) return;
    await load([...target.files]);
    target.value = ""; // so the same file can be chosen again
  });
  document.addEventListener("input", ({ target }) => {
    if (!target.matches?.("[data-hb-partner]") || !$(".hb-partners").contains(target)) return;
    partners[target.dataset.hbPartner].name = target.value;
    renderResults();
  });
  document.addEventListener("click", ({ target }) => {
    const { hbRemove, hbCompare } = target.closest?.('[data-hb-app="compare"] button')?.dataset || {};
    if (hbRemove) remove(Number(hbRemove));
    if (hbCompare) keep(hbCompare);
  });

  HB.ui.onPage(() => {
    render();
    if ($(".hb-partners")) report([]);
  });
})();
