/**
 * Local calendar days, for streaks and "today". A day is the user's wall-calendar date in the process time zone,
 * written `YYYY-MM-DD`. Days are compared by their Y-M-D, never by adding 24 h: across a DST change a day lasts
 * 23 or 25 hours, and "yesterday" must still be the previous date.
 */
export type LocalDay = string;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function format(year: number, monthIndex: number, date: number): LocalDay {
  // Date normalises overflow (Jan 32 → Feb 1), so build first, then read the fields back.
  const d = new Date(year, monthIndex, date);
  const y = String(d.getFullYear()).padStart(4, '0');
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

/** The local calendar day containing the instant `ms`. */
export function localDayOf(ms: number): LocalDay {
  const d = new Date(ms);
  return format(d.getFullYear(), d.getMonth(), d.getDate());
}

/** True for a well-formed `YYYY-MM-DD` naming a real date. */
export function isLocalDay(value: unknown): value is LocalDay {
  if (typeof value !== 'string') return false;
  const m = DAY_PATTERN.exec(value);
  if (!m) return false;
  return format(Number(m[1]), Number(m[2]) - 1, Number(m[3])) === value;
}

/** The day `offset` calendar days after `day` (negative: before). */
export function addDays(day: LocalDay, offset: number): LocalDay {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new RangeError(`Not a local day: ${JSON.stringify(day)}`);
  return format(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + offset);
}

/** Whether `earlier` is the calendar day right before `later`. */
export function isDayBefore(earlier: LocalDay, later: LocalDay): boolean {
  return isLocalDay(later) && addDays(later, -1) === earlier;
}

/** Start of the local calendar day after the one containing `now` (when the adapter should roll "today" over). */
export function nextLocalMidnight(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/**
 * A legacy `Date.toDateString()` value ("Tue Mar 05 2024") as a local day; undefined when unreadable.
 * Parsed by hand: `Date.parse` of that format is implementation-defined.
 */
export function localDayFromDateString(text: unknown): LocalDay | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = /^\s*[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const month = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf((m[1] ?? '').toLowerCase());
  if (month < 0) return undefined;
  const day = format(Number(m[3]), month, Number(m[2]));
  return isLocalDay(day) && Number(day.slice(8)) === Number(m[2]) ? day : undefined;
}
