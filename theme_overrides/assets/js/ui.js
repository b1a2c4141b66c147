// needs: i18n, store
// What the page modules share: making elements, the status line and warnings, downloads,
// dialogs, work split into short tasks, and each module run on every page view (Material's
// instant navigation changes pages without running scripts again: document$ says when).
(() => {
  "use strict";
  const handbook = self.handbook;

  // h("p.class", {attribute: value}?, ...children); children false, null or "" are left out.
  function h(tag, ...children) {
    const [name, ...classes] = tag.split(".");
    const element = document.createElement(name);
    if (classes.length) element.className = classes.join(" ");
    if (children[0]?.constructor === Object) {
      for (const [attribute, value] of Object.entries(children.shift())) {
        if (value !== false && value !== undefined && value !== null) element.setAttribute(attribute, value);
      }
    }
    return fill(element, ...children);
  }
  // An element's children, replaced: any number of them (no spread, so no argument limit).
  function fill(element, ...children) {
    const fragment = document.createDocumentFragment();
    const add = (child) => {
      if (Array.isArray(child)) child.forEach(add);
      else if (child || child === 0) fragment.append(child);
    };
    children.forEach(add);
    element.replaceChildren(fragment);
    return element;
  }

  // A text with one of its values in bold: "Answers for <strong>Riverside</strong>, kept ...".
  function phrase(key, values, strong) {
    const marker = "\u0000";
    const parts = handbook.i18n.t(key, { ...values, [strong]: marker }).split(marker);
    return parts.flatMap((part, index) => (index ? [h("strong", values[strong]), part] : [part]));
  }

  function say(message) {
    for (const element of document.querySelectorAll(".hb-live")) element.textContent = message;
  }

  function warn() {
    const warnings = handbook.store.warnings();
    for (const element of document.querySelectorAll(".hb-warnings")) {
      fill(
        element,
        warnings.map((warning) => h("p", warning)),
      );
      element.hidden = !warnings.length;
    }
  }

  function download(name, content, type) {
    const link = h("a", { href: URL.createObjectURL(new Blob([content], { type })), download: name });
    link.click();
    // Nothing tells when the download has the data: free it a minute later.
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  // A file name from a partnership's name: "riverside-and-northshire-answers-2031-03-01.json".
  function fileName(name, kind, extension) {
    const stem =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "partnership";
    return `${stem}-${kind}-${new Date().toLocaleDateString("en-CA")}.${extension}`;
  }

  // A modal dialog's answer: the chosen button's value ("" for Cancel and Escape). Focus starts on
  // Cancel, the safe choice, and goes back where it was.
  function ask(dialog) {
    const back = document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("[value='']").focus();
    dialog.onclick = ({ target }) => target.matches("button[value]") && dialog.close(target.value);
    return new Promise((resolve) => {
      dialog.onclose = () => {
        back?.focus();
        resolve(dialog.returnValue);
      };
    });
  }

  // Work on many items in tasks short enough that the page never stalls (each well under 50 ms).
  // The time is shared: lists started in the same task (a page's tables, a chart's panels) take
  // their turns in it, not 12 ms each. What fits in the task's time goes in at once.
  let deadline = 0;
  function inSlices(items, work, done = () => {}) {
    let at = 0;
    const slice = () => {
      if (!deadline) queueMicrotask(() => (deadline = 0)); // the task's script has run
      deadline ||= performance.now() + 12;
      while (at < items.length && performance.now() < deadline) work(items[at++]);
      if (at < items.length) setTimeout(slice, 0);
      else done();
    };
    slice();
  }

  const views = [];
  function view() {
    for (const element of document.querySelectorAll("[data-hb-js]")) element.hidden = false;
    for (const element of document.querySelectorAll("[data-hb-no-js]")) element.remove();
    for (const run of views) run();
    warn();
  }
  // Every module has registered by then: deferred scripts run before DOMContentLoaded. The page
  // views run in a task of their own, after Material's, so neither makes the other's task long.
  const soon = () => setTimeout(view, 0);
  addEventListener("DOMContentLoaded", () => (self.document$ ? self.document$.subscribe(soon) : soon()));
  document.addEventListener("hb:change", warn);

  handbook.ui = {
    h,
    fill,
    phrase,
    say,
    warn,
    download,
    fileName,
    ask,
    inSlices,
    // A CSS string (for the printed header): backslashes and quotes escaped, control characters left out.
    css: (text) => `"${text.replace(/[\\"]/g, "\\$&").replace(/\p{Cc}/gu, "")}"`,
    onPage: (run) => views.push(run),
  };
})();
