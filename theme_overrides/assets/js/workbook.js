// needs: i18n, answers, store, ui, zip
// The checklist workbook (.xlsx): a partnership's answers written in it, and a workbook read back
// once someone has filled it in with Excel, LibreOffice or Google Sheets. The layout is the
// build's (hooks/workbook.py, through assets/bank.js), so this workbook has the sheets, columns
// and rows of the blank one the site offers. Written as SpreadsheetML in a zip (zip.js): every
// text an inline string, never a formula, whatever it starts with. Read by the columns' headings,
// in any language of the handbook, each row matched to its question by its id; a row that cannot
// be read is named by sheet and row and left out, and nothing changes until the user confirms.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const { xml } = handbook.zip;
  const model = handbook.answers;
  const layout = handbook.bank.workbook;
  const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const PACKAGE = "http://schemas.openxmlformats.org/package/2006";
  const TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml";
  const { XML } = handbook.zip;
  const DAY_MS = 86_400_000;
  const MOST_CELL = 32_767;
  // The cell formats of styles.xml (STYLES below), by name.
  const STYLE = { plain: 0, title: 1, bold: 2, header: 3, bank: 4, number: 5, text: 6, date: 7, id: 8 };
  const BY_KIND = { bank: 4, status: 6, text: 6, date: 7, id: 8, kept: 6 };
  const columns = layout.columns;
  const at = Object.fromEntries(columns.map((column, index) => [column.key, index]));
  const widthOf = Object.fromEntries(columns.map((column) => [column.key, column.width]));

  // ------------------------------------------------------------------ cells and sheets

  // "A", "B", ... "AA": a column's letters.
  function letters(index) {
    let name = "";
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    }
    return name;
  }
  // At most a cell's length, in UTF-16 units as spreadsheets count, never half a character.
  const cut = (text, most = MOST_CELL) =>
    text.length > most ? text.slice(0, most).replace(/[\ud800-\udbff]$/, "") : text;
  // Spreadsheets read "_x0041_" as "A": a text holding one keeps it, escaped as Excel escapes it.
  const sheetText = (text) => xml(cut(String(text))).replace(/_x[0-9a-f]{4}_/gi, "_x005F$&");
  // A day (2031-03-01) as the number a spreadsheet keeps a date as (the 1900 system).
  const serial = (day) => {
    const [year, month, date] = day.split("-").map(Number);
    return (Date.UTC(year, month - 1, date) - Date.UTC(1899, 11, 30)) / DAY_MS;
  };

  function cell(ref, value, style) {
    if (value === "" || value === undefined) return "";
    if (typeof value === "number") return `<c r="${ref}" s="${style}"><v>${value}</v></c>`;
    return `<c r="${ref}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${sheetText(value)}</t></is></c>`;
  }

  // As tall as the longest wrapped text of the row (hooks/workbook.py's row_points).
  function rowPoints(cells) {
    const { points, most } = layout.lines;
    let lines = 1;
    for (const [width, text] of cells) if (text) lines = Math.max(lines, wrappedLines(String(text), width));
    return Math.min(lines * points, most);
  }
  // The lines a text takes in a column, wrapped at spaces (hooks/workbook.py's wrapped_lines).
  function wrappedLines(text, width) {
    const room = Math.max(1, Math.floor(width * layout.lines.perWidth));
    let total = 0;
    for (const paragraph of text.split("\n")) {
      let [lines, used] = [1, 0];
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        if (used && used + 1 + word.length > room) [lines, used] = [lines + 1, 0];
        lines += Math.floor((word.length - 1) / room);
        used = (used ? used + 1 : 0) + (((word.length - 1) % room) + 1);
      }
      total += lines;
    }
    return total;
  }

  // A page header or footer's text: "&" starts a code there.
  const headerText = (text) => cut(String(text), 120).replace(/&/g, "&&");

  // A sheet: {name, widths: [[width, style, hidden]], rows: [[[value, style], ...] with .height],
  // freeze, validations, printed (last column printed), title (for the page header)}.
  function sheetXml(sheet, selected) {
    const cols = sheet.widths
      .map(
        ([width, style, hidden], index) =>
          `<col min="${index + 1}" max="${index + 1}" width="${width}" customWidth="1" style="${style}"${hidden ? ' hidden="1"' : ""}/>`,
      )
      .join("");
    const rows = sheet.rows
      .map((row, index) => {
        if (!row) return "";
        const cells = row.map((given, column) => given && cell(`${letters(column)}${index + 1}`, ...given));
        const height = row.height ? ` ht="${row.height}" customHeight="1"` : "";
        return `<row r="${index + 1}"${height}>${cells.join("")}</row>`;
      })
      .join("");
    const top = `A${(sheet.freeze || 0) + 1}`;
    const pane = sheet.freeze
      ? `<pane ySplit="${sheet.freeze}" topLeftCell="${top}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="${top}" sqref="${top}"/>`
      : "";
    const checks = (sheet.validations || []).map(
      ({ type, ref, formula, title, prompt, error }) =>
        `<dataValidation type="${type}"${type === "date" ? ' operator="between"' : ""} allowBlank="1" showInputMessage="1" showErrorMessage="1" promptTitle="${xml(title)}" prompt="${xml(prompt)}" errorTitle="${xml(title)}" error="${xml(error)}" sqref="${ref}">${formula}</dataValidation>`,
    );
    const footer = headerText(t("workbook.page", { page: "{page}", pages: "{pages}" }))
      .replace("{page}", "&P")
      .replace("{pages}", "&N");
    const pageHeader = xml(`&L${headerText(layout.title)}&R${headerText(sheet.title)}`);
    const pageFooter = xml(`&C${footer}`);
    const validations = checks.length
      ? `<dataValidations count="${checks.length}">${checks.join("")}</dataValidations>`
      : "";
    return [
      `${XML}<worksheet xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}">`,
      '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
      `<sheetViews><sheetView workbookViewId="0"${selected ? ' tabSelected="1"' : ""}>${pane}</sheetView></sheetViews>`,
      '<sheetFormatPr defaultRowHeight="15"/>',
      `<cols>${cols}</cols>`,
      `<sheetData>${rows}</sheetData>`,
      validations,
      '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
      '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
      `<headerFooter><oddHeader>${pageHeader}</oddHeader><oddFooter>${pageFooter}</oddFooter></headerFooter>`,
      "</worksheet>",
    ].join("");
  }

  const quoted = (name) => `'${name.replace(/'/g, "''")}'`;

  // The workbook's parts: its sheets, the print titles and areas, the styles, and who made it when.
  // (No template literal inside another: the build's minifier, rjsmin, does not read them.)
  function workbookParts(sheets, when) {
    const names = sheets
      .flatMap((sheet, index) => [
        sheet.freeze &&
          `<definedName name="_xlnm.Print_Titles" localSheetId="${index}">${xml(quoted(sheet.name))}!$${sheet.freeze}:$${sheet.freeze}</definedName>`,
        sheet.printed &&
          `<definedName name="_xlnm.Print_Area" localSheetId="${index}">${xml(quoted(sheet.name))}!$A$1:$${letters(sheet.printed)}$${sheet.rows.length}</definedName>`,
      ])
      .filter(Boolean)
      .join("");
    const defined = names && `<definedNames>${names}</definedNames>`;
    const listed = sheets.map(
      (sheet, index) => `<sheet name="${xml(sheet.name)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`,
    );
    const types = sheets.map(
      (_, index) =>
        `<Override PartName="/xl/worksheets/sheet${index + 1}.xml" ContentType="${TYPE}.worksheet+xml"/>`,
    );
    const links = sheets.map(
      (_, index) =>
        `<Relationship Id="rId${index + 1}" Type="${RELATIONSHIPS}/worksheet" Target="worksheets/sheet${index + 1}.xml"/>`,
    );
    const styles = `<Relationship Id="rId${sheets.length + 1}" Type="${RELATIONSHIPS}/styles" Target="styles.xml"/>`;
    return [
      [
        "[Content_Types].xml",
        `${XML}<Types xmlns="${PACKAGE}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${TYPE}.sheet.main+xml"/>${types.join("")}<Override PartName="/xl/styles.xml" ContentType="${TYPE}.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
      ],
      [
        "_rels/.rels",
        `${XML}<Relationships xmlns="${PACKAGE}/relationships"><Relationship Id="rId1" Type="${RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="${PACKAGE}/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
      ],
      ["docProps/core.xml", handbook.zip.core(layout.title, when)],
      [
        "xl/workbook.xml",
        `${XML}<workbook xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}"><workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets>${listed.join("")}</sheets>${defined}</workbook>`,
      ],
      [
        "xl/_rels/workbook.xml.rels",
        `${XML}<Relationships xmlns="${PACKAGE}/relationships">${links.join("")}${styles}</Relationships>`,
      ],
      ["xl/styles.xml", STYLES],
      ...sheets.map((sheet, index) => [`xl/worksheets/sheet${index + 1}.xml`, sheetXml(sheet, index === 0)]),
    ];
  }

  // Calibri as Excel's default; headings bold on a pale fill; typed columns formatted as text (so
  // what is typed stays as typed); dates as days; the question ids small and grey.
  const font = (extra) => `<font>${extra}<sz val="11"/><name val="Calibri"/><family val="2"/></font>`;
  const TOP = '<alignment vertical="top"/>';
  const WRAP = '<alignment vertical="top" wrapText="1"/>';
  const STYLES = `${XML}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="4">${font("")}${font("<b/>")}<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font><font><sz val="9"/><color rgb="FF595959"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">${WRAP}</xf><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">${WRAP}</xf><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="left" vertical="top"/></xf><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">${WRAP}</xf><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">${TOP}</xf><xf numFmtId="49" fontId="3" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1">${TOP}</xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

  // ------------------------------------------------------------------ writing a partnership's answers

  // What a row said when it was written, so that reading it back tells an edited row from one
  // left as it was (and an edited row takes the workbook's time, an untouched one keeps its own).
  function check(values) {
    const text = JSON.stringify(values.map((value) => String(value).replace(/\r\n?/g, "\n")));
    let hash = 2166136261;
    for (let index = 0; index < text.length; index += 1)
      hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
    return (hash >>> 0).toString(36);
  }
  const inputsOf = (given) => [
    given.status,
    cut(given.notes),
    cut(given.action.text),
    cut(given.action.owner),
    given.action.due,
    given.action.done || "",
  ];

  // One question's row: the handbook's words, then the answer (or nothing), the id, what was kept.
  function questionRow(id, words, given) {
    const row = columns.map(() => null);
    const put = (key, value, style = BY_KIND[columns[at[key]].kind]) => {
      row[at[key]] = [value, style];
    };
    if (words.number !== undefined) put("number", words.number, STYLE.number);
    put("principle", words.principle);
    put("question", words.question);
    put("hint", words.hint || "");
    put("id", id);
    if (given) {
      const day = (value) => (value && serial(value) >= 61 ? serial(value) : value);
      put("status", model.statusLabel(given.status));
      put("notes", given.notes);
      put("action", given.action.text);
      put("owner", given.action.owner);
      put("due", day(given.action.due));
      put("done", day(given.action.done || ""));
      const kept = { u: given.updated, c: check(inputsOf(given)) };
      if (model.reworded(id, given) || !handbook.bank.byId.has(id)) kept.q = given.question;
      if (given.dissent) kept.d = given.dissent;
      put("kept", JSON.stringify(kept));
    }
    row.height = rowPoints(
      ["principle", "question", "hint", "status", "notes", "action", "owner"].map((key) => [
        widthOf[key],
        row[at[key]]?.[0],
      ]),
    );
    return row;
  }

  const headingRow = () => {
    const row = columns.map((column) => [column.label, STYLE.header]);
    row.height = rowPoints(columns.filter((c) => c.kind !== "kept").map((c) => [c.width, c.label]));
    return row;
  };

  function questionSheet(name, title, line, rows) {
    const first = layout.header + 1;
    const last = layout.header + Math.max(rows.length, 1);
    const range = (key) => `${letters(at[key])}${first}:${letters(at[key])}${last}`;
    const statuses = model.STATUSES.length;
    const date = (key) => ({
      type: "date",
      ref: range(key),
      formula: "<formula1>1</formula1><formula2>2958465</formula2>",
      title: t("workbook.validation.date_title"),
      prompt: t("workbook.validation.date_prompt"),
      error: t("workbook.validation.date_error"),
    });
    return {
      name,
      title,
      widths: columns.map((column) => [
        column.width,
        column.key === "number" ? STYLE.number : BY_KIND[column.kind],
        column.kind === "kept",
      ]),
      rows: [
        [[layout.title, STYLE.title]],
        [[title, STYLE.bold]],
        [[line, STYLE.plain]],
        ...Array.from({ length: layout.header - 4 }, () => null),
        headingRow(),
        ...rows,
      ],
      freeze: layout.header,
      printed: at[layout.printed],
      validations: [
        {
          type: "list",
          ref: range("status"),
          formula: `<formula1>${xml(quoted(layout.sheets.overview))}!$A$${layout.statusRow + 1}:$A$${layout.statusRow + statuses}</formula1>`,
          title: t("workbook.validation.status_title"),
          prompt: t("workbook.validation.status_prompt"),
          error: t("workbook.validation.status_error"),
        },
        date("due"),
        date("done"),
      ],
    };
  }

  // The overview: what the workbook is and whose, the statuses (the drop-down's list), the stages.
  function overviewSheet(partnership, site, line, exported) {
    const about = {
      handbook: layout.title || site,
      edition: handbook.bank.edition,
      language: t("language.name"),
      partnership: partnership.name,
      organisation: partnership.organisation,
      exported,
    };
    const rows = [[[layout.title, STYLE.title]], [[line, STYLE.plain]]];
    rows[layout.about.row - 1] = null;
    layout.about.keys.forEach((key, index) => {
      rows[layout.about.row - 1 + index] = [
        [t(`workbook.about.${key}`), STYLE.bold],
        [about[key] || "", STYLE.plain],
      ];
    });
    rows[layout.statusRow - 1] = [[t("workbook.about.statuses"), STYLE.bold]];
    for (const status of model.STATUSES) rows.push([[model.statusLabel(status), STYLE.plain]]);
    rows.push(null, [
      [t("workbook.about.stage"), STYLE.header],
      [t("workbook.about.sheet"), STYLE.header],
      [t("workbook.about.questions"), STYLE.header],
      [t("workbook.about.discussed"), STYLE.header],
    ]);
    for (const stage of handbook.bank.stages) {
      const inStage = handbook.bank.questions.filter((q) => q.stage === stage.id).map((q) => q.id);
      const tally = model.counts(partnership.answers, inStage);
      rows.push([
        [stage.title, STYLE.bank],
        [layout.sheets.stages[stage.id], STYLE.bank],
        [tally.all, STYLE.number],
        [tally.done, STYLE.number],
      ]);
    }
    rows.push(null);
    for (const key of layout.help) rows.push([[t(`workbook.help.${key}`), STYLE.plain]]);
    for (let index = 0; index < rows.length; index += 1) rows[index] ||= null;
    return {
      name: layout.sheets.overview,
      title: layout.sheets.overview,
      widths: [
        [24, STYLE.plain],
        [48, STYLE.plain],
        [12, STYLE.plain],
        [12, STYLE.plain],
      ],
      rows,
    };
  }

  function reviewSheet(partnership) {
    const ids = [...handbook.bank.byId.keys()];
    const heading = [
      [t("workbook.review.name"), STYLE.header],
      [t("workbook.review.taken"), STYLE.header],
      [t("workbook.about.discussed"), STYLE.header],
      ...model.STATUSES.map((status) => [model.statusLabel(status), STYLE.header]),
    ];
    heading.height = rowPoints(heading.map(([label]) => [14, label]));
    const rows = partnership.snapshots.map((point) => {
      const tally = model.counts(point.answers, ids);
      return [
        [point.name, STYLE.bank],
        [handbook.i18n.when(point.taken), STYLE.bank],
        [t("browser.progress.cell", { done: tally.done, n: tally.all }), STYLE.bank],
        ...model.STATUSES.map((status) => [tally.byStatus[status], STYLE.number]),
      ];
    });
    if (!rows.length) rows.push([[t("browser.review.none", { name: partnership.name }), STYLE.plain]]);
    return {
      name: layout.sheets.review,
      title: layout.sheets.review,
      widths: [
        [28, STYLE.bank],
        [24, STYLE.bank],
        [14, STYLE.bank],
        ...model.STATUSES.map(() => [14, STYLE.number]),
      ],
      rows: [[[layout.title, STYLE.title]], [[layout.sheets.review, STYLE.bold]], null, heading, ...rows],
      freeze: 4,
    };
  }

  // The workbook of a partnership's answers, as bytes: the overview, a sheet per stage, the
  // answers to questions no longer in the handbook (if any), and its review points.
  function answersWorkbook(partnership, site, when = new Date()) {
    const exported = when.toISOString();
    const line = t("workbook.answers", {
      edition: handbook.bank.edition,
      name: partnership.name,
      date: handbook.i18n.when(when),
    });
    const principle = (id) => handbook.bank.titleOf(id, handbook.bank.principles);
    const sheets = [overviewSheet(partnership, site, line, exported)];
    for (const stage of handbook.bank.stages) {
      const rows = handbook.bank.questions
        .filter((question) => question.stage === stage.id)
        .map((question) =>
          questionRow(
            question.id,
            {
              number: question.number,
              principle: principle(question.principle),
              question: question.text,
              hint: question.hint,
            },
            partnership.answers[question.id],
          ),
        );
      sheets.push(questionSheet(layout.sheets.stages[stage.id], stage.title, line, rows));
    }
    const retired = Object.keys(partnership.answers).filter((id) => !handbook.bank.byId.has(id));
    if (retired.length) {
      const rows = retired.map((id) =>
        questionRow(
          id,
          { principle: "", question: partnership.answers[id].question || id },
          partnership.answers[id],
        ),
      );
      sheets.push(questionSheet(layout.sheets.retired, layout.sheets.retired, line, rows));
    }
    sheets.push(reviewSheet(partnership));
    return handbook.zip.write(workbookParts(sheets, when), when);
  }

  // ------------------------------------------------------------------ reading a workbook

  const parser = new DOMParser();
  const decoder = new TextDecoder();
  const damaged = (part) => new Error(t("browser.office.damaged", { part }));
  function parse(bytes, part) {
    const text = decoder.decode(bytes);
    // Office parts never declare a document type: one that does may try entity tricks.
    if (/<!DOCTYPE/i.test(text)) throw damaged(part);
    const doc = parser.parseFromString(text, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) throw damaged(part);
    return doc;
  }
  // Elements by their local name, whatever prefix a writer gave them (x:c, c).
  const all = (node, name) => [...node.getElementsByTagNameNS("*", name)];
  const first = (node, name) => node.getElementsByTagNameNS("*", name)[0];
  const children = (node, name) => [...(node?.children || [])].filter((child) => child.localName === name);
  const relationId = (element) =>
    [...element.attributes].find((attribute) => attribute.localName === "id" && attribute.namespaceURI)
      ?.value;
  // Spreadsheets write characters XML cannot hold as _xHHHH_ (and "_x" itself as _x005F_).
  const unescaped = (text) =>
    text.replace(/_x([0-9a-fA-F]{4})_/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  // Shared and inline strings: plain, or rich text runs; phonetic guides (rPh) are not the text.
  const stringOf = (node) =>
    unescaped(
      all(node, "t")
        .filter((run) => run.parentNode.localName !== "rPh")
        .map((run) => run.textContent)
        .join(""),
    );

  function resolve(base, target) {
    if (target.startsWith("/")) return target.slice(1);
    const parts = base.split("/").slice(0, -1);
    for (const piece of target.split("/")) {
      if (piece === "..") parts.pop();
      else if (piece !== "." && piece) parts.push(piece);
    }
    return parts.join("/");
  }
  const relationsOf = (path) => {
    const parts = path.split("/");
    const name = parts.pop();
    return [...parts, "_rels", `${name}.rels`].join("/");
  };

  // Number formats that show a day, a time, or both: Excel's built-in ones by id, others by code.
  const BUILT_IN = new Map([
    ...[14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58].map((id) => [id, "day"]),
    ...[18, 19, 20, 21, 32, 33, 45, 46, 47, 55, 56].map((id) => [id, "time"]),
    [22, "both"],
  ]);
  function kindOfFormat(code) {
    const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\.|_.|\*./g, "").toLowerCase();
    const time = /[hs]/.test(bare);
    const day = /[dy]/.test(bare) || (/m/.test(bare) && !time);
    return day && time ? "both" : day ? "day" : time ? "time" : "";
  }

  // A number a spreadsheet keeps a date as, as a day (2031-03-01) and a time (09:30).
  function fromSerial(value, system1904) {
    // The 1900 system counts a 29 February 1900 that never was: days from 1 March 1900 on are one short.
    const start = system1904
      ? Date.UTC(1904, 0, 1)
      : value < 61
        ? Date.UTC(1899, 11, 31)
        : Date.UTC(1899, 11, 30);
    if (!system1904 && value >= 60 && value < 61) return null;
    const moment = new Date(start + Math.round(value * DAY_MS));
    if (!Number.isFinite(moment.getTime())) return null;
    const iso = moment.toISOString();
    return { day: iso.slice(0, 10), time: iso.slice(11, 16) };
  }

  // Each cell of a sheet as {text, number, formula}: rows (by number) of cells (by column).
  function readSheet(doc, strings, formats, system1904) {
    const rows = new Map();
    let rowNumber = 0;
    for (const row of all(doc, "row")) {
      rowNumber = Number(row.getAttribute("r")) || rowNumber + 1;
      const cells = new Map();
      let column = -1;
      for (const found of children(row, "c")) {
        const ref = found.getAttribute("r");
        column = ref ? columnOf(ref) : column + 1;
        const value = cellValue(found, strings, formats, system1904);
        if (value.text !== "" || value.formula) cells.set(column, value);
      }
      if (cells.size) rows.set(rowNumber, cells);
    }
    return rows;
  }
  const columnOf = (ref) => {
    let index = 0;
    for (const char of ref.toUpperCase().match(/^[A-Z]+/)?.[0] || "A")
      index = index * 26 + char.charCodeAt(0) - 64;
    return index - 1;
  };

  function cellValue(found, strings, formats, system1904) {
    const type = found.getAttribute("t") || "n";
    const raw = first(found, "v")?.textContent ?? "";
    const formula = first(found, "f")?.textContent || "";
    const value = { text: "", formula: formula && `=${formula}` };
    if (type === "s") value.text = strings[Number(raw)] ?? "";
    else if (type === "inlineStr") value.text = stringOf(first(found, "is") || found);
    else if (type === "b") value.text = raw === "1" ? "TRUE" : "FALSE";
    else if (type === "str" || type === "e") value.text = unescaped(raw);
    else if (type === "d") value.text = raw.slice(0, 10);
    else if (raw !== "") {
      value.number = Number(raw);
      const kind = formats[Number(found.getAttribute("s") || 0)] || "";
      value.kind = kind;
      const when = kind && fromSerial(value.number, system1904);
      // A date or a time a spreadsheet made of what was typed shows as it was meant, never as a number.
      value.text = when
        ? [kind !== "time" && when.day, kind !== "day" && when.time].filter(Boolean).join(" ")
        : raw;
    }
    return value;
  }

  // Headings and statuses as typed or chosen: any spacing, case and apostrophe.
  const fold = (text) =>
    String(text)
      .replace(/\s+/g, " ")
      .replace(/[\u2018\u2019]/g, "'")
      .trim()
      .toLowerCase();
  const lookup = (known) => {
    const found = new Map();
    for (const [key, labels] of Object.entries(known)) {
      for (const label of [key, ...labels]) found.set(fold(label), key);
    }
    return found;
  };
  const HEADINGS = lookup(layout.known.columns);
  const STATUS_OF = lookup(layout.known.statuses);
  const ABOUT_OF = lookup(layout.known.about);
  const OTHER_SHEETS = new Set(layout.known.sheets.map(fold));
  const DAY = /^\d{4}-\d\d-\d\d/;

  // A row's input, or a problem saying what cannot be read.
  function readRow(cells, where, column, system1904) {
    const take = (key) => (column[key] === undefined ? undefined : cells.get(column[key]));
    // Text people type: as typed; a formula someone typed is kept as its text.
    const typed = (key) => {
      const value = take(key);
      return (value ? value.formula || value.text : "").replace(/\r\n?/g, "\n");
    };
    const words = (key) => (take(key)?.text || "").replace(/\r\n?/g, "\n");
    const statusText = fold(words("status"));
    const status = statusText ? STATUS_OF.get(statusText) : model.FIRST_STATUS;
    if (!status) {
      // Joined by commas: the browser's list patterns are not there for every language.
      const statuses = model.STATUSES.map(model.statusLabel).join(", ");
      return {
        problem: t("browser.office.not_status", { ...where, value: words("status").trim(), statuses }),
      };
    }
    const day = (key) => {
      const value = take(key);
      if (!value) return "";
      // A number is a day (as the cell's format shows it, or a bare serial), but a time of day is not.
      if (value.number !== undefined && value.kind !== "time") {
        const when = fromSerial(Math.floor(value.number), system1904);
        if (when) return when.day;
      } else if (DAY.test(value.text.trim())) {
        try {
          return model.day(value.text.trim().slice(0, 10), "");
        } catch {
          // said below
        }
      }
      const label = columns[at[key]].label;
      throw new Error(t("browser.office.not_date", { ...where, value: value.text, column: label }));
    };
    let due;
    let done;
    try {
      due = day("due");
      done = day("done");
    } catch (error) {
      return { problem: error.message };
    }
    return {
      inputs: [status, typed("notes"), typed("action"), typed("owner"), due, done],
      question: words("question"),
      kept: words("kept"),
      id: words("id").trim(),
    };
  }

  // A workbook's bytes, read as answers.js reads an answers file, with `problems`: each row or
  // sheet that could not be read, by sheet and row. An Error if it is no workbook of answers.
  async function readWorkbook(buffer) {
    const entries = handbook.zip.read(buffer);
    const part = async (path) => {
      const get = entries.get(path.toLowerCase());
      return get ? parse(await get(), path) : null;
    };
    const relations = async (path) => {
      const doc = await part(relationsOf(path));
      return (doc ? all(doc, "Relationship") : []).map((found) => ({
        id: found.getAttribute("Id"),
        type: found.getAttribute("Type") || "",
        target: resolve(path, found.getAttribute("Target") || ""),
      }));
    };
    const root = await relations("");
    const bookPath =
      root.find((found) => found.type.endsWith("/officeDocument"))?.target || "xl/workbook.xml";
    const book = await part(bookPath);
    if (book?.documentElement.localName !== "workbook") throw new Error(t("browser.office.not_workbook"));
    const linked = await relations(bookPath);
    const ofType = (type) => linked.find((found) => found.type.endsWith(`/${type}`))?.target;
    const shared = ofType("sharedStrings") && (await part(ofType("sharedStrings")));
    const strings = shared ? children(shared.documentElement, "si").map(stringOf) : [];
    const styles = ofType("styles") && (await part(ofType("styles")));
    const codes = new Map(
      (styles ? all(styles, "numFmt") : []).map((format) => [
        Number(format.getAttribute("numFmtId")),
        format.getAttribute("formatCode") || "",
      ]),
    );
    const formats = children(styles && first(styles, "cellXfs"), "xf").map((xf) => {
      const id = Number(xf.getAttribute("numFmtId") || 0);
      return codes.has(id) ? kindOfFormat(codes.get(id)) : BUILT_IN.get(id) || "";
    });
    const system1904 = ["1", "true"].includes(first(book, "workbookPr")?.getAttribute("date1904"));
    const core = await part(
      root.find((found) => found.type.endsWith("/core-properties"))?.target || "docProps/core.xml",
    );
    const saved = Date.parse(core && first(core, "modified")?.textContent);
    // An edited row dates from when the workbook was last saved; without that, from now.
    const editedAt = new Date(Number.isFinite(saved) ? saved : Date.now()).toISOString();

    const problems = [];
    const answers = model.dictionary();
    const seen = new Map(); // id -> where it was first read
    const about = {};
    let questionSheets = 0;
    const idHeading = columns[at.id].label;
    for (const sheet of all(book, "sheet")) {
      const name = sheet.getAttribute("name") || "";
      const target = linked.find((found) => found.id === relationId(sheet))?.target;
      const doc = target && (await part(target));
      if (!doc) continue;
      const rows = readSheet(doc, strings, formats, system1904);
      const header = [...rows.entries()].slice(0, 50).find(([, cells]) => {
        return [...cells.values()].some((value) => HEADINGS.get(fold(value.text)) === "id");
      });
      if (!header) {
        // The overview says what the workbook is; the review points are there to read.
        let known = OTHER_SHEETS.has(fold(name));
        for (const cells of rows.values()) {
          const key = ABOUT_OF.get(fold(cells.get(0)?.text || ""));
          if (key) {
            known = true;
            about[key] ||= cells.get(1)?.text.trim() || "";
          }
        }
        if (!known && rows.size)
          problems.push(t("browser.office.no_ids", { sheet: name, column: idHeading }));
        continue;
      }
      questionSheets += 1;
      const column = {};
      for (const [index, value] of header[1]) {
        const key = HEADINGS.get(fold(value.text));
        if (key && column[key] === undefined) column[key] = index;
      }
      for (const [row, cells] of rows) {
        if (row <= header[0]) continue;
        const where = { sheet: name, row };
        const read = readRow(cells, where, column, system1904);
        if (read.problem) {
          problems.push(read.problem);
          continue;
        }
        const [status, notes, text, owner, due, done] = read.inputs;
        const said = status !== model.FIRST_STATUS || /\S/.test(notes + text + owner + due + done);
        if (!read.id) {
          if (said) problems.push(t("browser.office.no_id", where));
          continue;
        }
        if (!model.ID.test(read.id)) {
          problems.push(t("browser.office.not_id", { ...where, id: read.id.slice(0, 60) }));
          continue;
        }
        if (seen.has(read.id)) {
          const other = seen.get(read.id);
          problems.push(
            t("browser.office.twice", { ...where, id: read.id, other: other.sheet, at: other.row }),
          );
          continue;
        }
        let kept = null;
        try {
          kept = read.kept ? JSON.parse(read.kept) : null;
        } catch {
          kept = null;
        }
        const untouched = model.isObject(kept) && kept.c === check(read.inputs);
        // A row nobody has answered is no answer; one that was, and now says nothing, was cleared.
        if (!said && !model.isObject(kept)) continue;
        seen.set(read.id, where);
        let updated = editedAt;
        if (untouched) {
          try {
            updated = model.moment(kept.u, "");
          } catch {
            updated = editedAt;
          }
        }
        const answer = {
          status,
          notes,
          action: { text, owner, due },
          updated,
          question:
            (untouched && typeof kept.q === "string" && kept.q) ||
            model.questionText(read.id) ||
            (typeof kept?.q === "string" && kept.q) ||
            read.question,
        };
        if (done) answer.action.done = done;
        if (typeof kept?.d === "string" && kept.d) answer.dissent = kept.d;
        answers[read.id] = answer;
      }
    }
    if (!questionSheets) throw new Error(t("browser.office.no_sheets", { column: idHeading }));
    if (Object.keys(answers).length > model.LIMITS.answers) {
      throw new Error(
        t("browser.file.too_many_answers", {
          where: t("browser.file.it"),
          n: Object.keys(answers).length,
          most: model.LIMITS.answers,
        }),
      );
    }
    let exported = "";
    try {
      exported = about.exported ? model.moment(about.exported, "") : "";
    } catch {
      exported = "";
    }
    return {
      version: model.VERSION,
      handbook: { title: about.handbook || "", edition: about.edition || "" },
      partnership: about.partnership || "",
      kind: "",
      sources: [],
      reviewMonths: 6,
      organisation: about.organisation || "",
      exported,
      answers,
      snapshots: [],
      problems,
    };
  }

  // ------------------------------------------------------------------ the buttons

  async function exportWorkbook() {
    const partnership = handbook.store.active();
    const bytes = await answersWorkbook(partnership, handbook.store.site);
    handbook.ui.download(handbook.ui.fileName(partnership.name, "answers", "xlsx"), bytes, `${TYPE}.sheet`);
    handbook.ui.say(
      t("browser.office.workbook_done", {
        n: Object.keys(partnership.answers).length,
        name: partnership.name,
      }),
    );
  }

  // What a button with data-hb-office asks for (files.js loads this code, then calls run).
  const made = { workbook: exportWorkbook };
  async function run(kind) {
    try {
      await made[kind]();
    } catch (error) {
      handbook.ui.say(t("browser.office.failed", { why: error.message }));
    }
  }

  handbook.office = { ...handbook.office, readWorkbook, answersWorkbook, made, run };
})();
