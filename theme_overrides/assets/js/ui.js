// Shared by the page modules; and each module run on every page view (Material's instant
// navigation changes pages without running scripts again: document$ says when).
(() => {
  "use strict";
  const HB = self.handbook;

  // h("p.class", {attribute: value}?, ...children); children false, null or "" are left out.
  function h(tag, ...kids) {
    const [name, ...classes] = tag.split(".");
    const el = document.createElement(name);
    if (classes.length) el.className = classes.join(" ");
    if (kids[0]?.constructor === Object) for (const [k, v] of Object.entries(kids.shift())) if (v !== false) el.setAttribute(k, v);
    return fill(el, ...kids);
  }
  function fill(el, ...kids) {
    el.replaceChildren(...kids.flat(2).filter((k) => k || k === 0));
    return el;
  }

  function say(message) {
    for (const el of document.querySelectorAll(".hb-live")) el.textContent = message;
  }

  function warn() {
    for (const el of document.querySelectorAll(".hb-warnings")) {
      el.hidden = !fill(el, HB.store.warnings().map((w) => h("p", w))).firstChild;
    }
  }

  function download(name, text, type) {
    const a = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
    a.click();
    // Nothing tells when the download has the data: free it a minute later.
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  const views = [];
  function view() {
    for (const el of document.querySelectorAll("[data-hb-js]")) el.hidden = false;
    for (const el of document.querySelectorAll("[data-hb-no-js]")) el.remove();
    for (const run of views) run();
    warn();
  }
  // Every module has registered by then: deferred scripts run before DOMContentLoaded.
  addEventListener("DOMContentLoaded", () => (self.document$ ? self.document$.subscribe(view) : view()));
  document.addEventListener("hb:change", warn);

  HB.ui = {
    h,
    fill,
    say,
    download,
    plural: (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`,
    // A CSS string (for the printed header): backslashes and quotes escaped, control characters left out.
    css: (text) => `"${text.replace(/[\\"]/g, "\\$&").replace(/[\0-\x1f\x7f]/g, "")}"`,
    when: (iso) => new Date(iso).toLocaleString("en-GB", { dateStyle: "long", timeStyle: "short" }),
    onPage: (run) => views.push(run),
  };
})();
