// needs: i18n, answers
// The record of a partnership's answers as Markdown, for minutes: on the partnerships page, and
// on the compare page for the minutes and the agreed position. Text is data in it (md).
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const { blank, counts, statusLabel, actionText, reworded } = handbook.answers;
  const bank = handbook.bank;
  const { byId, titleOf } = bank;

  // Text is data in Markdown: nothing it holds starts a structure, and it keeps its lines.
  // Addresses stay as typed (so renderers can link them), everything else that Markdown or an
  // extension reads as syntax is escaped, and no line starts a list, a heading or code.
  const ADDRESS = /https?:\/\/[^\s<>"'`\\]+[^\s<>"'`\\.,;:!?)\]}]/g;
  function escapeWords(words) {
    return words
      .replace(/&(?=#?\w+;)/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*[\]|~{}]/g, "\\$&")
      .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (match) => match.replace("_", "\\_"));
  }
  function md(source) {
    return String(source)
      .split(/\r\n|\r|\n|\u2028|\u2029/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        let escaped = "";
        let at = 0;
        for (const found of line.matchAll(ADDRESS)) {
          escaped += escapeWords(line.slice(at, found.index)) + found[0];
          at = found.index + found[0].length;
        }
        escaped += escapeWords(line.slice(at));
        // What would start a block at the start of a line: a heading, list, quote, rule, table.
        // A numbered list's mark is escaped at its dot or bracket: "\1." would show the backslash.
        return escaped.replace(/^[#>+=-]/, "\\$&").replace(/^(\d+)([.)])/, "$1\\$2");
      })
      .join("\\\n  ");
  }

  function markdown(partnership, site, date) {
    const ids = [...byId.keys()];
    const tally = counts(partnership.answers, ids);
    const lines = [
      `# ${md(partnership.name)}`,
      "",
      md(t("browser.record.from", { site, edition: bank.edition, date })),
    ];
    if (partnership.organisation) {
      lines.push("", md(t("browser.record.by", { organisation: partnership.organisation })));
    }
    lines.push("", md(t("browser.progress.discussed", { n: tally.all, done: tally.done })));
    const item = (id, heading, given = partnership.answers[id] || blank) => {
      lines.push(
        "",
        `**${md(heading)}**`,
        "",
        `- ${md(t("browser.record.status", { status: statusLabel(given.status) }))}`,
      );
      if (given.notes.trim()) lines.push(`- ${md(t("browser.record.notes", { notes: given.notes }))}`);
      if (actionText(given.action)) {
        lines.push(`- ${md(t("browser.record.action", { action: actionText(given.action) }))}`);
      }
      if (given.dissent) lines.push(`- ${md(t("browser.record.dissent", { dissent: given.dissent }))}`);
      for (const source of partnership.sources || []) {
        const theirs = source.answers[id];
        if (!theirs) continue;
        const answer = [statusLabel(theirs.status), theirs.notes.trim(), actionText(theirs.action)];
        const values = { name: source.name, answer: answer.filter(Boolean).join("; ") };
        lines.push(`- ${md(t("browser.record.partner", values))}`);
      }
      if (reworded(id, given)) lines.push(`- ${md(t("browser.record.then", { question: given.question }))}`);
    };
    let stage;
    let principle;
    for (const question of bank.questions) {
      if (question.stage !== stage) {
        stage = question.stage;
        lines.push("", `## ${md(titleOf(stage))}`);
        principle = undefined;
      }
      if (question.principle !== principle) {
        principle = question.principle;
        lines.push("", `### ${md(titleOf(principle, bank.principles))}`);
      }
      item(question.id, `${question.number}. ${question.text}`);
    }
    const retired = Object.keys(partnership.answers).filter((id) => !byId.has(id));
    if (retired.length) lines.push("", `## ${md(t("browser.record.retired"))}`);
    for (const id of retired) item(id, partnership.answers[id].question || id);
    if (partnership.snapshots?.length) {
      lines.push("", `## ${md(t("browser.record.review_points"))}`, "");
      for (const point of partnership.snapshots) {
        const tallied = counts(point.answers, ids);
        lines.push(
          `- ${md(`${point.name}, ${handbook.i18n.when(point.taken)}: ${t("browser.progress.discussed", { n: tallied.all, done: tallied.done })}`)}`,
        );
      }
    }
    return `${lines.join("\n")}\n`;
  }

  handbook.record = { md, markdown };
})();
