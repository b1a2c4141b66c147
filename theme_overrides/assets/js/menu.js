// needs: (none)
// The header's language menu (a <details>, where a handbook has three languages or more) acts
// as a menu button does: Escape closes it and gives the focus back to its button, and it
// closes when the focus or a click goes elsewhere. Delegated from the document, so it holds on
// every page Material's instant navigation brings in.
(() => {
  "use strict";
  const MENU = "details.hb-languages__menu[open]";

  function close(menu, focusButton) {
    menu.open = false;
    if (focusButton) menu.querySelector("summary")?.focus();
  }

  document.addEventListener("keydown", (event) => {
    const menu = event.key === "Escape" && event.target.closest?.(MENU);
    if (!menu) return;
    event.preventDefault();
    close(menu, true);
  });
  document.addEventListener("focusout", (event) => {
    const menu = event.target.closest?.(MENU);
    if (menu && !menu.contains(event.relatedTarget)) close(menu, false);
  });
  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll(MENU)) {
      if (!menu.contains(event.target)) close(menu, false);
    }
  });
})();
