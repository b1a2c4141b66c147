// needs: (none; first)
// The page's language: its interface texts (the strings table's, from assets/bank.js), plural
// forms by the browser's CLDR rules (Intl.PluralRules, as the build's Babel), and numbers,
// dates and lists written as the language writes them.
(() => {
  "use strict";
  self.handbook ||= {};
  const handbook = self.handbook;
  const bank = self.handbookBank || { strings: {}, language: "en" };
  const texts = bank.strings || {};
  const locale = texts["language.locale"] || bank.language || "en";
  const plurals = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const PLACEHOLDER = /\{([a-z_]+)\}/g;

  // The text for a key, its placeholders filled in; a plural is chosen by values.n.
  function t(key, values = {}) {
    let text = Object.hasOwn(texts, key) ? texts[key] : undefined;
    if (text === undefined) {
      console.error(`handbook: no text for "${key}" in the strings table`);
      return key;
    }
    let filled = values;
    if (typeof text === "object") {
      const n = values.n;
      text = text[`=${n}`] ?? text[plurals.select(n)] ?? text.other;
      filled = { ...values, n: numbers.format(n) };
    }
    return text.replace(PLACEHOLDER, (whole, name) =>
      Object.hasOwn(filled, name) ? String(filled[name]) : whole,
    );
  }

  const lists = {
    and: new Intl.ListFormat(locale, { type: "conjunction" }),
    or: new Intl.ListFormat(locale, { type: "disjunction" }),
  };
  const longDate = new Intl.DateTimeFormat(locale, { dateStyle: "long" });
  const dateAndTime = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" });

  handbook.i18n = {
    t,
    locale,
    language: bank.language || "en",
    // "A, B and C" as the language writes it; "A, B or C" with "or".
    list: (items, kind = "and") => lists[kind].format(items.map(String)),
    number: (n) => numbers.format(n),
    // A moment as readers see it: "1 March 2031 at 09:00".
    when: (moment) => dateAndTime.format(new Date(moment)),
    // A day: "1 March 2031". A due date (2031-03-01) is a day wherever the reader is.
    day: (day) => longDate.format(new Date(`${day}T12:00:00`)),
  };
})();
