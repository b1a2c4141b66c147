// needs: i18n, answers, store, ui, zip, workbook
// Records people open in Word, LibreOffice or Google Docs (.docx): the active partnership's record
// for the minutes, and the compare page's "where we differ". The same words as the Markdown
// records (answers.js, compare.js), in paragraphs with Word's own Heading 1, 2 and 3 styles,
// which carry outline levels, so the navigation pane lists the stages and principles. Every text
// is a run of text, escaped: nothing in it becomes a field, a link or markup.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, when, number } = handbook.i18n;
  const { xml, XML } = handbook.zip;
  const model = handbook.answers;
  const W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
  const RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const PACKAGE = "http://schemas.openxmlformats.org/package/2006";
  const TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml";

  // A paragraph: its style (Heading1 ... or Normal, Question, Answer) and text; line breaks kept.
  function paragraph([style, text]) {
    const runs = String(text)
      .split(/\r\n|\r|\n|\u2028|\u2029/)
      .map((line) =>
        line
          .split("\t")
          .map((piece) => `<w:t xml:space="preserve">${xml(piece)}</w:t>`)
          .join("<w:tab/>"),
      )
      .join("<w:br/>");
    const shape = style === "Normal" ? "" : `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>`;
    return `<w:p>${shape}<w:r>${runs}</w:r></w:p>`;
  }

  // Word's built-in names ("heading 1"), so Word, LibreOffice and Google Docs take them as their own.
  const heading = (level, size) =>
    `<w:style w:type="paragraph" w:styleId="Heading${level}"><w:name w:val="heading ${level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="${level === 1 ? 360 : 240}" w:after="120"/><w:outlineLvl w:val="${level - 1}"/></w:pPr><w:rPr><w:b/><w:sz w:val="${size}"/><w:szCs w:val="${size}"/></w:rPr></w:style>`;
  const styles = (language) =>
    `${XML}<w:styles xmlns:w="${W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="${xml(language)}"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>${heading(1, 32)}${heading(2, 28)}${heading(3, 24)}<w:style w:type="paragraph" w:customStyle="1" w:styleId="Question"><w:name w:val="Question"/><w:basedOn w:val="Normal"/><w:next w:val="Answer"/><w:pPr><w:keepNext/><w:spacing w:before="200" w:after="60"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:customStyle="1" w:styleId="Answer"><w:name w:val="Answer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40"/><w:ind w:left="360"/></w:pPr></w:style></w:styles>`;

  // The document of [[style, text], ...], as bytes.
  function docx(blocks, title) {
    const now = new Date();
    const language = handbook.i18n.locale;
    const body = blocks.map(paragraph).join("");
    // A4, with margins of 2 cm.
    const section =
      '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>';
    return handbook.zip.write(
      [
        [
          "[Content_Types].xml",
          `${XML}<Types xmlns="${PACKAGE}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="${TYPE}.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="${TYPE}.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
        ],
        [
          "_rels/.rels",
          `${XML}<Relationships xmlns="${PACKAGE}/relationships"><Relationship Id="rId1" Type="${RELATIONSHIPS}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="${PACKAGE}/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
        ],
        ["docProps/core.xml", handbook.zip.core(title, now)],
        [
          "word/_rels/document.xml.rels",
          `${XML}<Relationships xmlns="${PACKAGE}/relationships"><Relationship Id="rId1" Type="${RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>`,
        ],
        ["word/styles.xml", styles(language)],
        [
          "word/document.xml",
          `${XML}<w:document xmlns:w="${W}"><w:body>${body}${section}</w:body></w:document>`,
        ],
      ],
      now,
    );
  }

  // ------------------------------------------------------------------ the record for minutes

  // The words of answers.js's Markdown record, as paragraphs: the partnership, then each stage,
  // principle and question with its answer, the answers to retired questions, the review points.
  function record(partnership, site, date) {
    const bank = handbook.bank;
    const ids = [...bank.byId.keys()];
    const tally = model.counts(partnership.answers, ids);
    const blocks = [
      ["Heading1", partnership.name],
      ["Normal", t("browser.record.from", { site, edition: bank.edition, date })],
    ];
    if (partnership.organisation) {
      blocks.push(["Normal", t("browser.record.by", { organisation: partnership.organisation })]);
    }
    blocks.push(["Normal", t("browser.progress.discussed", { n: tally.all, done: tally.done })]);
    const item = (id, words, given = partnership.answers[id] || model.blank) => {
      blocks.push(
        ["Question", words],
        ["Answer", t("browser.record.status", { status: model.statusLabel(given.status) })],
      );
      if (given.notes.trim())
        blocks.push(["Answer", t("browser.record.notes", { notes: given.notes.trim() })]);
      const action = model.actionText(given.action);
      if (action) blocks.push(["Answer", t("browser.record.action", { action })]);
      if (given.dissent) blocks.push(["Answer", t("browser.record.dissent", { dissent: given.dissent })]);
      if (model.reworded(id, given))
        blocks.push(["Answer", t("browser.record.then", { question: given.question })]);
    };
    let stage;
    let principle;
    for (const question of bank.questions) {
      if (question.stage !== stage) {
        stage = question.stage;
        principle = undefined;
        blocks.push(["Heading2", bank.titleOf(stage)]);
      }
      if (question.principle !== principle) {
        principle = question.principle;
        blocks.push(["Heading3", bank.titleOf(principle, bank.principles)]);
      }
      item(question.id, `${question.number}. ${question.text}`);
    }
    const retired = Object.keys(partnership.answers).filter((id) => !bank.byId.has(id));
    if (retired.length) blocks.push(["Heading2", t("browser.record.retired")]);
    for (const id of retired) item(id, partnership.answers[id].question || id);
    blocks.push(["Heading2", t("browser.record.review_points")]);
    if (!partnership.snapshots.length) {
      blocks.push(["Normal", t("browser.review.none", { name: partnership.name })]);
    }
    for (const point of partnership.snapshots) {
      const counted = model.counts(point.answers, ids);
      const progress = t("browser.progress.discussed", { n: counted.all, done: counted.done });
      blocks.push(["Answer", `${point.name}, ${when(point.taken)}: ${progress}`]);
    }
    return blocks;
  }

  // The active partnership's record, or (from the compare page) the agreed position's.
  async function exportRecord(partnership = handbook.store.active()) {
    if (!partnership) return;
    const bytes = await docx(record(partnership, handbook.bank.site, when(Date.now())), partnership.name);
    handbook.ui.download(
      handbook.ui.fileName(partnership.name, "minutes", "docx"),
      bytes,
      `${TYPE}.document`,
    );
    handbook.ui.say(t("browser.office.record_done", { name: partnership.name }));
  }

  // ------------------------------------------------------------------ where we differ

  // compare.js's Markdown for the minutes, as paragraphs: the partners, then per stage each
  // question where they differ, with each partner's answer.
  function differences() {
    const compare = handbook.compare;
    const bank = handbook.bank;
    const partners = compare.partners();
    const groups = compare.compare();
    const differing = (rows) => rows.filter((found) => found.differs);
    const rows = groups.flatMap((group) => group.rows).filter((found) => found.question);
    const blocks = [
      ["Heading1", t("browser.compare.sheet_title")],
      [
        "Normal",
        t("browser.compare.minutes_about", {
          date: compare.today(),
          site: handbook.bank.site,
          edition: bank.edition,
        }),
      ],
      ["Heading2", t("browser.compare.partners")],
    ];
    for (const partner of partners) {
      const about = [
        partner.file,
        partner.data.handbook.edition || t("browser.compare.no_edition"),
        partner.data.exported && t("browser.import.exported", { when: when(partner.data.exported) }),
      ].filter(Boolean);
      blocks.push(["Answer", `${compare.nameOf(partner)}: ${about.join(", ")}`]);
    }
    blocks.push(
      ["Normal", t("browser.compare.rule")],
      ["Normal", t("browser.compare.differ_all", { n: rows.length, differ: number(differing(rows).length) })],
    );
    for (const group of groups) {
      const retired = !bank.stages.some((stage) => stage.id === group.id);
      blocks.push(
        ["Heading2", group.title],
        [
          "Normal",
          t(retired ? "browser.compare.differ_retired" : "browser.compare.differ_stage", {
            n: group.rows.length,
            differ: number(differing(group.rows).length),
          }),
        ],
      );
      for (const found of differing(group.rows)) {
        blocks.push(["Question", compare.label(found)]);
        partners.forEach((partner, index) => {
          blocks.push([
            "Answer",
            `${compare.nameOf(partner)}: ${compare.answerLines(found, index).join("\n")}`,
          ]);
        });
      }
    }
    return blocks;
  }

  async function exportDifferences() {
    if (!handbook.compare || handbook.compare.partners().length < 2) {
      return handbook.ui.say(t("browser.compare.needs_two"));
    }
    const bytes = await docx(differences(), t("browser.compare.sheet_title"));
    const stem = `where-we-differ-${new Date().toLocaleDateString("en-CA")}`;
    handbook.ui.download(`${stem}.docx`, bytes, `${TYPE}.document`);
    handbook.ui.say(t("browser.office.compare_done", { names: handbook.compare.names() }));
  }

  Object.assign(handbook.office.made, {
    record: () => exportRecord(),
    agreed: () => exportRecord(handbook.agreed?.target()),
    compare: exportDifferences,
  });
  Object.assign(handbook.office, { docx, record, differences });
})();
