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

  // A browser without the language's own date and list data (Chromium has none for Welsh) writes
  // them by the CLDR patterns the build put in bank.js, rather than in English.
  const calendar = bank.calendar;
  const own = (kind) => !calendar || kind.supportedLocalesOf([locale]).length > 0;
  const TOKENS = /'([^']*)'|y+|M+|d+|H+|h+|m+|a/g;
  const two = (n) => String(n).padStart(2, "0");
  function pattern(format, at) {
    const values = {
      y: at.getFullYear(),
      M: at.getMonth() + 1,
      MM: two(at.getMonth() + 1),
      MMMM: calendar.months[at.getMonth()],
      d: at.getDate(),
      dd: two(at.getDate()),
      H: at.getHours(),
      HH: two(at.getHours()),
      h: at.getHours() % 12 || 12,
      hh: two(at.getHours() % 12 || 12),
      mm: two(at.getMinutes()),
      a: calendar.periods[at.getHours() < 12 ? 0 : 1],
    };
    return format.replace(TOKENS, (token, quoted) => quoted ?? values[token] ?? token);
  }
  const slots = (format, values) => format.replace(/\{([01])\}/g, (_, slot) => values[slot]);
  // "A, B and C" by CLDR's list patterns: the last two joined by "end", the others by "start"/"middle".
  function joined(items, kind) {
    const words = calendar[kind];
    if (items.length < 2) return items.join("");
    if (items.length === 2) return slots(words["2"], items);
    let text = slots(words.end, items.slice(-2));
    for (let at = items.length - 3; at >= 0; at -= 1) {
      text = slots(at ? words.middle : words.start, [items[at], text]);
    }
    return text;
  }
  const native = {
    and: own(Intl.ListFormat) && new Intl.ListFormat(locale, { type: "conjunction" }),
    or: own(Intl.ListFormat) && new Intl.ListFormat(locale, { type: "disjunction" }),
    day: own(Intl.DateTimeFormat) && new Intl.DateTimeFormat(locale, { dateStyle: "long" }),
    when:
      own(Intl.DateTimeFormat) && new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" }),
  };
  const longDate = (at) => (native.day ? native.day.format(at) : pattern(calendar.date, at));
  const dateAndTime = (at) =>
    native.when
      ? native.when.format(at)
      : slots(calendar.dateTime, [pattern(calendar.time, at), pattern(calendar.date, at)]);

  handbook.i18n = {
    t,
    locale,
    language: bank.language || "en",
    // "A, B and C" as the language writes it; "A, B or C" with "or".
    list: (items, kind = "and") =>
      native[kind] ? native[kind].format(items.map(String)) : joined(items.map(String), kind),
    number: (n) => numbers.format(n),
    // A moment as readers see it: "1 March 2031 at 09:00".
    when: (moment) => dateAndTime(new Date(moment)),
    // A day: "1 March 2031". A due date (2031-03-01) is a day wherever the reader is.
    day: (day) => longDate(new Date(`${day}T12:00:00`)),
    // Any date, as the language writes a long one (compare.js, the records).
    date: (at) => longDate(at),
  };
})();
