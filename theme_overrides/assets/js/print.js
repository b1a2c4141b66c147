// needs: i18n, store, ui
// Printing: the button, compact print, and what varies in the running header and footer.
(() => {
  "use strict";
  const handbook = self.handbook;
  const root = document.documentElement;
  const COMPACT = handbook.store.keyOf("compact-print");
  const { css } = handbook.ui;

  function compact(on) {
    root.classList.toggle("hb-compact", on);
    for (const box of document.querySelectorAll('[data-hb-action="compact"]')) box.checked = on;
  }
  // Reads the setting, or keeps a new one. Storage off or full: it holds for this page only.
  function remembered(on) {
    try {
      if (on === undefined) return localStorage.getItem(COMPACT) === "1";
      localStorage.setItem(COMPACT, on ? "1" : "");
    } catch {
      return false;
    }
    return on;
  }
  // The active partnership's name on paper, once there is one of the user's: not for someone
  // printing blank forms, whose only partnership is the untouched one every browser starts with.
  function header() {
    const { workspace, active } = handbook.store;
    const partnership = active();
    const blank =
      Object.keys(workspace.partnerships).length === 1 &&
      !Object.keys(partnership.answers).length &&
      partnership.name === handbook.i18n.t("browser.partnerships.default_name");
    root.style.setProperty("--hb-partnership", blank ? '""' : css(` · ${partnership.name}`));
  }

  handbook.ui.onPage(() => {
    // Never a local path (file://): the footer keeps the canonical address then.
    if (/^https?:$/.test(location.protocol)) {
      root.style.setProperty("--hb-address", css(location.origin + location.pathname));
    }
    compact(remembered());
    header();
  });
  document.addEventListener("hb:change", header);
  document.addEventListener("click", ({ target }) => target.closest?.('[data-hb-action="print"]') && print());
  document.addEventListener("change", ({ target }) => {
    if (!target.matches?.('[data-hb-action="compact"]')) return;
    compact(target.checked);
    remembered(target.checked);
  });
})();
