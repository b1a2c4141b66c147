// needs: i18n, answers, store, ui
// Files a user takes away and brings back: the active partnership's answers file, from any
// page's button; an answers file (JSON) or a filled-in workbook (.xlsx), read in this browser
// only. Anything over the size limit is refused at once, before it is read. The office
// formats' code (assets/office.js) loads only when one is asked for.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t } = handbook.i18n;
  const model = handbook.answers;
  // Where this bundle came from: the office code sits beside it.
  const assets = new URL(".", document.currentScript?.src || location.href);
  let office;

  const isWorkbook = (file) => /\.xlsx$/i.test(file.name) || file.type.includes("spreadsheetml");

  // The office formats, loaded once, on first use.
  function loadOffice() {
    office ||= new Promise((resolve, reject) => {
      if (handbook.office) return resolve(handbook.office);
      const script = document.createElement("script");
      script.src = new URL("office.js", assets).href;
      script.onload = () => resolve(handbook.office);
      script.onerror = () => {
        office = undefined;
        reject(new Error(t("browser.file.office_missing")));
      };
      document.head.append(script);
    });
    return office;
  }

  // What a file holds, as answers.js reads an answers file; an Error saying why not.
  async function read(file) {
    if (file.size > model.LIMITS.fileBytes) {
      throw new Error(t("browser.file.too_big", { most: Math.round(model.LIMITS.fileBytes / 2 ** 20) }));
    }
    if (isWorkbook(file)) return (await loadOffice()).readWorkbook(await file.arrayBuffer());
    return model.readFile(await file.text());
  }

  // The active partnership's answers file: to keep, to carry to another browser, to compare.
  function exportAnswers() {
    const partnership = handbook.store.active();
    const file = JSON.stringify(model.toFile(partnership, handbook.store.site), null, 2);
    handbook.ui.download(handbook.ui.fileName(partnership.name, "answers", "json"), file, "application/json");
    handbook.store.exported(handbook.store.workspace.active);
    const n = Object.keys(partnership.answers).length;
    handbook.ui.say(t("browser.export.done", { n, name: partnership.name }));
  }

  document.addEventListener("click", ({ target }) => {
    if (target.closest?.("button[data-hb-do=answers]")) exportAnswers();
    // A workbook or a Word document (data-hb-office: what to make): made by the office code.
    const office = target.closest?.("button[data-hb-office]")?.dataset.hbOffice;
    if (office)
      loadOffice().then(
        (code) => code.run(office),
        (error) => handbook.ui.say(error.message),
      );
  });

  handbook.files = { read, isWorkbook, loadOffice, exportAnswers };
})();
