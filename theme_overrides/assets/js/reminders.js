// needs: i18n, store, ui
// Review reminders: when the active partnership's last review point is older than the period it
// chose (six months unless it chose another), the stage pages and Your partnerships say so. The
// period is counted on the reader's own clock, in calendar months.
(() => {
  "use strict";
  const handbook = self.handbook;
  const { t, when } = handbook.i18n;

  // Months between two moments, by the calendar: 31 January to 28 February is not yet a month.
  function monthsBetween(from, to) {
    const [start, end] = [new Date(from), new Date(to)];
    let months = (end.getFullYear() - start.getFullYear()) * 12 + end.getMonth() - start.getMonth();
    if (end.getDate() < start.getDate()) months -= 1;
    return months;
  }

  // What to say, or "" when no review is due (or none was ever saved: nothing to be late for).
  function due(partnership, now = Date.now()) {
    const last = partnership.snapshots.at(-1);
    if (!last) return "";
    const months = partnership.reviewMonths || 6;
    if (monthsBetween(last.taken, now) < months) return "";
    return t("browser.reminder.due", { name: last.name, taken: when(last.taken), n: months });
  }

  // The reminder as a line after `after`, made once and kept up to date.
  function show(container, after) {
    let line = container.querySelector(".hb-reminder");
    const text = due(handbook.store.active());
    if (!line && text) {
      line = handbook.ui.h("p.hb-reminder");
      after.after(line);
    }
    if (line) {
      line.textContent = text;
      line.hidden = !text;
    }
  }

  handbook.reminders = { monthsBetween, due, show };
})();
