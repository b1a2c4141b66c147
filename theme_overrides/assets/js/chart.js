// needs: i18n, answers, ui
// The charts: on "Your partnerships", how each principle stood at each review point and now;
// on the compare page, each partner's statuses per principle. One SVG per principle, drawn
// here (no library, nothing fetched), with its change in words as its text alternative and
// its figures in a table. The statuses drawn are the bank's (every one but the first), so a
// fork that rewords or adds statuses or principles is drawn as it is. Every text goes in as
// text: names from a file and titles from a bank are data. Colours are handbook.css's.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, number } = handbook.i18n;
  const { h, fill, inSlices } = handbook.ui;
  const model = handbook.answers;
  const SVG = "http://www.w3.org/2000/svg";
  // The drawing's units: its viewBox is WIDTH wide, and scales with the page (handbook.css).
  const WIDTH = 320;
  const FONT = 12;
  const GROUP = 19; // a group's name (review point or partner) above its bars
  const ROW = 17; // one bar
  const BAR = 12;
  const AFTER = 8; // space after a group
  const INKS = 5; // colours in handbook.css: --hb-chart-1 ...
  // How bars that are not of the most settled status (drawn solid) are filled, by scale.
  const PATTERNS = ["hatch", "dots", "cross", "rule"];

  // The statuses drawn: every one but the first (not yet discussed), in the list's order.
  const drawn = () => handbook.bank.statuses.filter((status) => status.scale > 0);

  // Each status's colour and fill, so that neither colour nor fill alone tells them apart.
  function looks(statuses) {
    const top = Math.max(...statuses.map((status) => status.scale));
    const ranked = statuses
      .filter((status) => status.scale !== top)
      .sort((a, b) => a.scale - b.scale)
      .map((status) => status.id);
    return new Map(
      statuses.map((status, index) => [
        status.id,
        {
          ink: (index % INKS) + 1,
          pattern: status.scale === top ? "" : PATTERNS[ranked.indexOf(status.id) % PATTERNS.length],
        },
      ]),
    );
  }

  function svg(tag, attributes = {}, text = undefined) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // About as wide as a text is drawn, a little wider than most fonts draw it (fit() checks).
  const widthOf = (text) => text.length * FONT * 0.62;
  // A text cut to about `room` units, with an ellipsis: the table and the words give it whole.
  function cut(text, room) {
    const most = Math.floor(room / (FONT * 0.62));
    return text.length <= most ? text : `${text.slice(0, Math.max(1, most - 1)).trimEnd()}…`;
  }
  // A text drawn in the room it has, cut by that estimate until fit() measures it.
  // Spaces as SVG draws them, one between words: what it counts when it measures (fit()).
  const label = (given, room, attributes) => {
    const text = given.replace(/\s+/g, " ").trim();
    return svg("text", { ...attributes, "data-room": Math.round(room), "data-whole": text }, cut(text, room));
  };

  function pattern(id, kind, ink) {
    const shapes = {
      hatch: [["rect", { width: 3, height: 6 }]],
      dots: [["circle", { cx: 3, cy: 3, r: 1.6 }]],
      cross: [
        ["rect", { width: 2, height: 6 }],
        ["rect", { width: 6, height: 2 }],
      ],
      rule: [["rect", { width: 6, height: 2.5 }]],
    }[kind];
    const tile = svg("pattern", {
      id,
      class: `hb-chart__ink-${ink}`,
      width: 6,
      height: 6,
      patternUnits: "userSpaceOnUse",
      ...(kind !== "rule" && kind !== "dots" && { patternTransform: "rotate(45)" }),
    });
    for (const [tag, attributes] of shapes) tile.append(svg(tag, { ...attributes, fill: "currentColor" }));
    return tile;
  }

  // ------------------------------------------------------------------ the figures

  // Per principle with questions: how many of its questions each group gave each status. Each
  // group's answers are counted once, whatever the bank's size; what it did not answer is of the
  // first status.
  function figures(groups, statuses) {
    const { principles, questions, byId } = handbook.bank;
    const sizes = new Map(principles.map((principle) => [principle.id, 0]));
    for (const question of questions) sizes.set(question.principle, sizes.get(question.principle) + 1);
    const tallies = groups.map((group) => {
      const tally = new Map(
        principles.map((principle) => [
          principle.id,
          Object.fromEntries(model.STATUSES.map((status) => [status, 0])),
        ]),
      );
      for (const id of Object.keys(group.answers)) {
        const question = byId.get(id);
        const status = group.answers[id].status || model.FIRST_STATUS;
        if (question && status !== model.FIRST_STATUS) tally.get(question.principle)[status] += 1;
      }
      for (const [principle, byStatus] of tally) {
        const said = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
        byStatus[model.FIRST_STATUS] = sizes.get(principle) - said;
      }
      return tally;
    });
    return principles
      .map((principle) => ({
        principle,
        n: sizes.get(principle.id),
        rows: groups.map((group, index) => ({ name: group.name, counts: tallies[index].get(principle.id) })),
      }))
      .filter((found) => found.n > 0 && statuses.length);
  }

  const heading = (found) => t("chart.questions", { title: found.principle.title, n: found.n });

  // ------------------------------------------------------------------ drawing

  // One principle: each group's name, then a bar per status, as long as its share of the
  // principle's questions, its status named before it and its count after it.
  function drawing(found, statuses, look, prefix, labelledBy) {
    const names = statuses.map((status) => model.statusLabel(status.id));
    const left = Math.min(Math.max(...names.map(widthOf)), WIDTH * 0.42) + 6;
    const right = widthOf(number(found.n)) + 8;
    const length = WIDTH - left - right;
    const defs = svg("defs");
    for (const status of statuses) {
      const { ink, pattern: kind } = look.get(status.id);
      if (kind) defs.append(pattern(`${prefix}-${status.id}`, kind, ink));
    }
    const marks = [];
    let y = 0;
    for (const row of found.rows) {
      marks.push(label(row.name, WIDTH, { x: 0, y: y + 14, class: "hb-chart__group" }));
      y += GROUP;
      statuses.forEach((status, index) => {
        const count = row.counts[status.id];
        const { ink, pattern: kind } = look.get(status.id);
        const long = (length * count) / found.n;
        const top = y + (ROW - BAR) / 2;
        marks.push(
          label(names[index], left - 6, { x: left - 6, y: y + 12, "text-anchor": "end" }),
          svg("rect", { class: "hb-chart__track", x: left, y: top, width: length, height: BAR }),
          svg("rect", {
            class: `hb-chart__bar hb-chart__ink-${ink}`,
            x: left,
            y: top,
            width: long,
            height: BAR,
            fill: kind ? `url(#${prefix}-${status.id})` : "currentColor",
            stroke: "currentColor",
            "stroke-width": 1.5,
            "data-status": status.id,
          }),
          svg("text", { class: "hb-chart__count", x: left + long + 5, y: y + 12 }, number(count)),
        );
        y += ROW;
      });
      y += AFTER;
    }
    const height = y - AFTER + 2;
    const root = svg("svg", {
      class: "hb-chart__drawing",
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: "img",
      "aria-labelledby": labelledBy,
      "font-size": FONT,
    });
    root.append(defs);
    for (const mark of marks) root.append(mark);
    return root;
  }

  // Once drawn, each text as much of itself as its room takes in the reader's font: whole if
  // it fits, else cut with an ellipsis (the table and the words give it whole); what even one
  // letter and the ellipsis overflow is narrowed to the room. Every text is put whole, with an
  // ellipsis after it, then all are measured, then cut: measuring after each write would lay the
  // page out again every time (seconds, with a hundred review points).
  function fit(container) {
    const texts = [...container.querySelectorAll("text[data-room]")];
    const estimates = texts.map((text) => text.textContent);
    for (const text of texts) text.textContent = `${text.dataset.whole}…`;
    const cuts = texts.map((text, index) => {
      if (!text.getComputedTextLength()) return [estimates[index]]; // not drawn (hidden): the estimate stands
      const room = Number(text.dataset.room);
      const letters = [...text.dataset.whole];
      // How wide the first `kept` letters are drawn (in UTF-16 units, as SVG counts them).
      const ends = [0];
      for (const letter of letters) ends.push(ends.at(-1) + letter.length);
      if (text.getNumberOfChars() !== ends.at(-1) + 1) return [estimates[index]]; // drawn otherwise than counted
      const width = (kept) => (kept ? text.getSubStringLength(0, ends[kept]) : 0);
      const ellipsis = text.getSubStringLength(ends.at(-1), 1);
      if (width(letters.length) <= room) return [text.dataset.whole];
      let [low, high] = [1, letters.length - 1];
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (width(middle) + ellipsis <= room) low = middle;
        else high = middle - 1;
      }
      return [`${letters.slice(0, low).join("").trimEnd()}…`, width(low) + ellipsis > room];
    });
    texts.forEach((text, index) => {
      const [shown, narrowed] = cuts[index];
      text.textContent = shown;
      if (narrowed) {
        text.setAttribute("textLength", text.dataset.room);
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  function table(prefix, found, statuses, { caption, column }) {
    const id = `${prefix}-table`;
    const head = h(
      "tr",
      h("th", { scope: "col" }, t("chart.principle")),
      h("th", { scope: "col" }, column),
      statuses.map((status) => h("th", { scope: "col" }, model.statusLabel(status.id))),
    );
    const body = (each) =>
      h(
        "tbody",
        each.rows.map((row, index) =>
          h(
            "tr",
            index === 0 && h("th", { scope: "rowgroup", rowspan: each.rows.length }, heading(each)),
            h("th", { scope: "row" }, row.name),
            statuses.map((status) => h("td", number(row.counts[status.id]))),
          ),
        ),
      );
    return h(
      "details.hb-chart__figures",
      h("summary", t("chart.show_table")),
      h(
        "div.hb-scroll",
        { tabindex: 0, role: "region", "aria-labelledby": id },
        h("table.hb-table.hb-chart__table", h("caption", { id }, caption), h("thead", head), found.map(body)),
      ),
    );
  }

  // The chart: a title and what it shows, a drawing per principle with its words, the table.
  // The drawings go in one task each (a hundred review points make thousands of marks), the
  // panels busy until the last is in; a newer chart in the same place stops an older one.
  const latest = new WeakMap();
  function chart(container, groups, texts) {
    const statuses = drawn();
    const found = figures(groups, statuses);
    if (!found.length) return fill(container);
    const look = looks(statuses);
    const prefix = `hb-chart-${texts.kind}`;
    const panels = h("div.hb-chart__panels", { "aria-busy": "true" });
    fill(
      container,
      h(
        "figure.hb-chart__figure",
        h("figcaption", h("strong", texts.title), " ", texts.intro),
        panels,
        table(prefix, found, statuses, texts),
      ),
    );
    latest.set(container, panels);
    const current = () => latest.get(container) === panels;
    const panel = (each, index) => {
      const id = `${prefix}-${index}`;
      const figure = h(
        "figure.hb-chart__panel",
        h("figcaption", { id }, heading(each)),
        h("p.hb-chart__said", { id: `${id}-said` }, texts.said(each, statuses)),
        drawing(each, statuses, look, id, `${id} ${id}-said`),
      );
      panels.append(figure);
      fit(figure);
    };
    inSlices(
      [...found.entries()],
      ([index, each]) => current() && panel(each, index),
      () => current() && panels.removeAttribute("aria-busy"),
    );
  }

  // ------------------------------------------------------------------ the two pages

  const day = (moment) => handbook.i18n.day(new Date(moment).toLocaleDateString("en-CA"));

  // Your partnerships: each review point, then now; in words, the change from the first to now.
  function progress(container, partnership) {
    if (!container) return;
    const points = partnership.snapshots || [];
    if (!points.length) return fill(container);
    const groups = [
      ...points.map((point) => ({
        name: t("chart.point", { name: point.name, date: day(point.taken) }),
        answers: point.answers,
      })),
      { name: t("chart.now"), answers: partnership.answers },
    ];
    chart(container, groups, {
      kind: "progress",
      title: t("chart.progress_title"),
      intro: t("chart.progress_intro"),
      caption: t("chart.progress_caption"),
      column: t("chart.point_column"),
      said(found, statuses) {
        const [first, now] = [found.rows[0].counts, found.rows.at(-1).counts];
        const changes = statuses.map((status) => {
          const [from, to] = [first[status.id], now[status.id]];
          const way = to > from ? "up" : to < from ? "down" : "same";
          return t(`chart.${way}`, {
            status: model.statusLabel(status.id),
            from: number(from),
            to: number(to),
            n: number(found.n),
          });
        });
        return t("chart.between", { from: points[0].name, changes: changes.join("; ") });
      },
    });
  }

  // The compare page: each partner's answers as they are, side by side per principle.
  function partners(container, ready) {
    if (!container) return;
    const compare = handbook.compare;
    if (!ready || !compare) return fill(container);
    const groups = compare.partners().map((partner) => ({
      name: compare.nameOf(partner),
      answers: partner.data.answers,
    }));
    chart(container, groups, {
      kind: "compare",
      title: t("chart.compare_title"),
      intro: t("chart.compare_intro"),
      caption: t("chart.compare_caption"),
      column: t("chart.partner_column"),
      said: (found, statuses) =>
        found.rows
          .map((row) =>
            t("chart.partner", {
              name: row.name,
              n: number(found.n),
              figures: statuses
                .map((status) =>
                  t("chart.figure", {
                    status: model.statusLabel(status.id),
                    count: number(row.counts[status.id]),
                  }),
                )
                .join(", "),
            }),
          )
          .join(" "),
    });
  }

  document.addEventListener("hb:compared", ({ detail }) =>
    partners(document.querySelector('[data-hb-app="compare"] .hb-chart'), detail?.ready),
  );

  handbook.chart = { progress, partners, figures };
})();
