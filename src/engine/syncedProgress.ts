import { addDays, isDayBefore, isLocalDay, type LocalDay } from './calendar';
import { count, isObject, normalizeStreak, normalizeSummary, type ProgressRecord, type SessionSummary, type Streak } from './progressRecord';
import { streakRunDays } from './streak';

/**
 * Progress shared between machines through VS Code Settings Sync: one **part** per machine, written only by that
 * machine (its own progress as its store knows it: XP, time, sessions, today, streak, the days it meditated, its
 * newest sessions), and the newest **reset** (a Clear Data). Settings Sync carries it as one small `globalState` value;
 * it may arrive late, twice, out of order or overwritten whole by another machine's older copy, so it is a
 * state-based CRDT and every copy is merged, never copied over another.
 *
 * Why the merge cannot count twice (docs/design.md, "Progress across machines"): the combined numbers are a sum over
 * machines, one term per machine id; a machine's term is its part, and of two copies of one machine's part the
 * merge keeps the one with the higher `rev` (only that machine writes it and raises `rev` with every change, so the
 * higher is the newer — never a sum of both). Merging is per key a maximum under a total order (rev, then the
 * part's canonical JSON for forged equal revs), so it is commutative, associative and idempotent: however often,
 * late or reordered a copy arrives, the result is the same, and an overwrite by an older copy is healed by the next
 * merge with a copy that has the newer part.
 */
export const SYNC_FORMAT = 1;
/** Newest sessions a part carries (for the other machines' history views). */
export const PART_SESSIONS = 8;
/** Days a part's day set reaches back (for streaks across machines): the days bitset holds this many bits. */
export const PART_DAYS = 400;
/** A state naming more machines is refused as hostile (a person has a handful). */
export const MAX_MACHINES = 64;
/** A machine not heard from for this long keeps only its totals in the synced value (its part is "retired"). */
export const RETIRE_AFTER_MS = 180 * 24 * 3_600_000;
const MACHINE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_FIELD_CHARS = 4_000;

/** What a machine's part says of its progress. */
export interface PartContent {
  readonly xp: number;
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  readonly today: { readonly day: LocalDay | null; readonly activeMs: number; readonly sessions: number };
  readonly streak: Streak;
  /** Days meditated: bit i of the base64 bytes (least significant first) is the day `i` days before `to`. */
  readonly days: { readonly to: LocalDay | null; readonly bits: string };
  /** The machine's newest ended sessions, oldest first. */
  readonly recent: readonly SessionSummary[];
}

export interface MachinePart extends PartContent {
  /** Raised by its machine with every change: of two copies, the higher is the newer. */
  readonly rev: number;
  /** When its machine wrote it (that machine's clock): for resets of machines the resetting one had not seen. */
  readonly at: number;
  /**
   * The same part (same rev) with only its totals kept, because its machine was not heard from for RETIRE_AFTER_MS:
   * any machine may retire it (it is a smaller copy of the same part, not a change), and at the same rev the retired
   * copy wins; the machine itself, back, writes a higher rev and its whole part again.
   */
  readonly retired?: true;
  /** Fields a newer version wrote: kept as they are (a part is kept or replaced whole). */
  readonly [unknown: string]: unknown;
}

/** Clear Data on some machine: every part older than it is not counted, and every machine clears itself on hearing it. */
export interface Reset {
  readonly id: string;
  readonly at: number;
  readonly by: string;
  /** The rev of each part the clearing machine knew: those revs and older are cleared (no clock involved). */
  readonly seen: Readonly<Record<string, number>>;
}

export interface SyncedProgress {
  readonly v: typeof SYNC_FORMAT;
  readonly machines: Readonly<Record<string, MachinePart>>;
  readonly reset: Reset | null;
  /** Top-level fields a newer version wrote: per field the greatest by canonical JSON (a join too). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export const EMPTY_SYNCED: SyncedProgress = { v: SYNC_FORMAT, machines: {}, reset: null, extra: {} };

type Loose = Record<string, unknown>;
function time(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, Number.MAX_SAFE_INTEGER) : 0;
}

/** JSON with every object's keys sorted: one text per value, whatever order its keys were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function greater<T>(a: T, b: T, compare: (a: T, b: T) => number): T {
  const c = compare(a, b);
  if (c !== 0) return c > 0 ? a : b;
  return canonicalJson(a) >= canonicalJson(b) ? a : b;
}

/** The join of two states (see the module comment). Never mutates its arguments. */
export function mergeSynced(a: SyncedProgress, b: SyncedProgress): SyncedProgress {
  const machines: Record<string, MachinePart> = { ...a.machines };
  for (const [id, part] of Object.entries(b.machines)) {
    const mine = machines[id];
    machines[id] = mine === undefined ? part : greater(mine, part, (x, y) => x.rev - y.rev || Number(x.retired === true) - Number(y.retired === true));
  }
  const reset = a.reset === null ? b.reset : b.reset === null ? a.reset : greater(a.reset, b.reset, (x, y) => x.at - y.at);
  const extra: Record<string, unknown> = { ...a.extra };
  for (const [k, v] of Object.entries(b.extra)) extra[k] = k in extra ? greater(extra[k], v, () => 0) : v;
  return { v: SYNC_FORMAT, machines: sortKeys(machines), reset, extra: sortKeys(extra) };
}

function sortKeys<T>(table: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const k of Object.keys(table).sort()) sorted[k] = table[k] as T;
  return sorted;
}

/** Whether a part counts: written after the newest reset (by rev when the resetting machine knew it, else by time). */
export function isCounted(id: string, part: MachinePart, reset: Reset | null): boolean {
  if (reset === null) return true;
  const seen = reset.seen[id];
  return seen !== undefined ? part.rev > seen : part.at > reset.at;
}

// ---- parsing untrusted data ----------------------------------------------------------------------------------

function checkJson(value: unknown, what: string): void {
  const text = JSON.stringify(value);
  if (text === undefined || text.length > MAX_FIELD_CHARS) throw new TypeError(`${what} is not JSON data of at most ${MAX_FIELD_CHARS} characters`);
}

function parseBits(v: unknown): { to: LocalDay | null; bits: string } {
  if (!isObject(v) || !isLocalDay(v.to) || typeof v.bits !== 'string') return { to: null, bits: '' };
  const bits = v.bits;
  if (bits.length > Math.ceil(PART_DAYS / 6) + 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(bits)) return { to: null, bits: '' };
  return { to: v.to, bits };
}

/** A machine's part from untrusted data: fields it does not know are kept (checked as JSON data), bad values zeroed. */
export function parsePart(v: unknown): MachinePart {
  if (!isObject(v)) throw new TypeError('a machine part is not an object');
  const rev = v.rev;
  if (typeof rev !== 'number' || !Number.isSafeInteger(rev) || rev < 1) throw new TypeError('a machine part has no rev (a positive integer)');
  const known = new Set(['rev', 'at', 'xp', 'totals', 'today', 'streak', 'days', 'recent', 'retired']);
  const unknown: Loose = {};
  for (const [k, value] of Object.entries(v)) {
    if (known.has(k) || k === '__proto__') continue;
    checkJson(value, `field ${JSON.stringify(k)}`);
    unknown[k] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  const totals = isObject(v.totals) ? v.totals : {};
  const today = isObject(v.today) ? v.today : {};
  const recent = Array.isArray(v.recent) ? v.recent.slice(-PART_SESSIONS).map(normalizeSummary).filter((s): s is SessionSummary => s !== undefined) : [];
  return {
    ...unknown,
    rev,
    at: time(v.at),
    xp: count(v.xp),
    totals: { activeMs: count(totals.activeMs), sessions: count(totals.sessions) },
    today: { day: isLocalDay(today.day) ? today.day : null, activeMs: count(today.activeMs), sessions: count(today.sessions) },
    streak: normalizeStreak(v.streak),
    days: parseBits(v.days),
    recent,
    ...(v.retired === true ? { retired: true as const } : {}),
  };
}

/** Parts of other machines not heard from for RETIRE_AFTER_MS, retired (see MachinePart.retired); the rest as they are. */
export function retireStale(state: SyncedProgress, me: string, now: number): SyncedProgress {
  let changed = false;
  const machines: Record<string, MachinePart> = {};
  for (const [id, part] of Object.entries(state.machines)) {
    if (id === me || part.retired === true || now - part.at < RETIRE_AFTER_MS) {
      machines[id] = part;
      continue;
    }
    changed = true;
    machines[id] = { rev: part.rev, at: part.at, xp: part.xp, totals: part.totals, today: { day: null, activeMs: 0, sessions: 0 }, streak: part.streak, days: { to: null, bits: '' }, recent: [], retired: true };
  }
  return changed ? { ...state, machines } : state;
}

function parseReset(v: unknown): Reset | null {
  if (v === null || v === undefined) return null;
  if (!isObject(v) || typeof v.id !== 'string' || v.id === '' || v.id.length > 200) throw new TypeError('the reset has no id');
  if (typeof v.by !== 'string' || !MACHINE_ID.test(v.by)) throw new TypeError('the reset names no machine');
  const seen: Record<string, number> = {};
  if (isObject(v.seen)) {
    const entries = Object.entries(v.seen);
    if (entries.length > MAX_MACHINES) throw new TypeError(`the reset names more than ${MAX_MACHINES} machines`);
    for (const [id, rev] of entries) {
      if (MACHINE_ID.test(id) && typeof rev === 'number' && Number.isSafeInteger(rev) && rev >= 0) seen[id] = rev;
    }
  }
  return { id: v.id, at: time(v.at), by: v.by, seen: sortKeys(seen) };
}

/**
 * Checks a value read from `globalState` (another machine's, an older or newer version's, a hand-edited one) and
 * returns it as a state, or throws a TypeError that says what is wrong. Machine ids and bounds are checked; a
 * machine's part that is unreadable is left out (the rest still merges).
 */
export function parseSynced(v: unknown): SyncedProgress {
  if (v === undefined || v === null) return EMPTY_SYNCED;
  if (!isObject(v)) throw new TypeError('synced progress is not an object');
  if (typeof v.v !== 'number' || !Number.isSafeInteger(v.v) || v.v < 1) throw new TypeError('synced progress has no format version');
  if (!isObject(v.machines)) throw new TypeError('synced progress has no machines');
  const entries = Object.entries(v.machines);
  if (entries.length > MAX_MACHINES) throw new TypeError(`synced progress names more than ${MAX_MACHINES} machines`);
  const machines: Record<string, MachinePart> = {};
  for (const [id, part] of entries) {
    if (!MACHINE_ID.test(id)) throw new TypeError(`bad machine id ${JSON.stringify(id.slice(0, 80))}`);
    try {
      machines[id] = parsePart(part);
    } catch {
      // One unreadable part (a newer format, a hand edit) does not make the others unreadable.
    }
  }
  const extra: Loose = {};
  for (const [k, value] of Object.entries(v)) {
    if (k === 'v' || k === 'machines' || k === 'reset' || k === '__proto__') continue;
    checkJson(value, `field ${JSON.stringify(k)}`);
    extra[k] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  return { v: SYNC_FORMAT, machines: sortKeys(machines), reset: parseReset(v.reset), extra: sortKeys(extra) };
}

/** The plain JSON value written to `globalState` (and the local record). */
export function encodeSynced(s: SyncedProgress): Loose {
  return { ...s.extra, v: s.v, machines: s.machines, reset: s.reset };
}

// ---- days ------------------------------------------------------------------------------------------------------

/** A calendar day as a count of days (calendar arithmetic: no time zone, no daylight saving involved). */
function dayNumber(day: LocalDay): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
}

/** Days as a bitset ending at `to` (see MachinePart.days); days outside the PART_DAYS before `to` are dropped. */
export function encodeDays(days: Iterable<LocalDay>, to: LocalDay): MachinePart['days'] {
  const bytes = new Uint8Array(Math.ceil(PART_DAYS / 8));
  const end = dayNumber(to);
  let last = 0;
  for (const day of days) {
    const i = end - dayNumber(day);
    if (!(i >= 0 && i < PART_DAYS)) continue;
    bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
    last = Math.max(last, (i >> 3) + 1);
  }
  if (last === 0) return { to: null, bits: '' };
  return { to, bits: Buffer.from(bytes.subarray(0, last)).toString('base64') };
}

export function decodeDays(days: MachinePart['days']): LocalDay[] {
  if (days.to === null) return [];
  const bytes = Buffer.from(days.bits, 'base64');
  const out: LocalDay[] = [];
  for (let i = 0; i < Math.min(PART_DAYS, bytes.length * 8); i++) {
    if (((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) out.push(addDays(days.to, -i));
  }
  return out;
}

// ---- this machine's part, and the combined progress ----------------------------------------------------------------

/** What a part says, without rev and at: two parts with the same content need no new rev. `meditated`: more days. */
export function partContent(p: ProgressRecord, meditated: Iterable<LocalDay> = []): PartContent {
  const days = new Set([...streakRunDays(p.streak, PART_DAYS), ...meditated]);
  const to = [...days].sort().at(-1) ?? null;
  return {
    xp: p.xp,
    totals: p.totals,
    today: p.today,
    streak: p.streak,
    days: to === null ? { to: null, bits: '' } : encodeDays(days, to),
    recent: p.recent.slice(-PART_SESSIONS),
  };
}

export function samePartContent(part: MachinePart | undefined, content: PartContent): boolean {
  if (part === undefined) return false;
  const { rev: _rev, at: _at, ...rest } = part;
  return canonicalJson(rest) === canonicalJson(content);
}

/** The other machines' progress, as counted here (parts cleared by the newest reset left out). */
export interface OtherMachines {
  readonly machines: number;
  readonly xp: number;
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  /** Per day: time and sessions on that day (today's is what `today` of each part says). */
  readonly today: ReadonlyMap<LocalDay, { readonly activeMs: number; readonly sessions: number }>;
  readonly days: ReadonlySet<LocalDay>;
  readonly longestStreak: number;
  readonly recent: readonly SessionSummary[];
}

export const NO_OTHER_MACHINES: OtherMachines = { machines: 0, xp: 0, totals: { activeMs: 0, sessions: 0 }, today: new Map(), days: new Set(), longestStreak: 0, recent: [] };

export function otherMachines(state: SyncedProgress, me: string): OtherMachines {
  let machines = 0;
  let xp = 0;
  let activeMs = 0;
  let sessions = 0;
  let longestStreak = 0;
  const today = new Map<LocalDay, { activeMs: number; sessions: number }>();
  const days = new Set<LocalDay>();
  const recent: SessionSummary[] = [];
  for (const [id, part] of Object.entries(state.machines)) {
    if (id === me || !isCounted(id, part, state.reset)) continue;
    machines++;
    xp = Math.min(Number.MAX_SAFE_INTEGER, xp + part.xp);
    activeMs = Math.min(Number.MAX_SAFE_INTEGER, activeMs + part.totals.activeMs);
    sessions = Math.min(Number.MAX_SAFE_INTEGER, sessions + part.totals.sessions);
    if (part.today.day !== null) {
      const t = today.get(part.today.day) ?? { activeMs: 0, sessions: 0 };
      today.set(part.today.day, { activeMs: t.activeMs + part.today.activeMs, sessions: t.sessions + part.today.sessions });
    }
    for (const d of decodeDays(part.days)) days.add(d);
    for (const d of streakRunDays(part.streak, PART_DAYS)) days.add(d);
    longestStreak = Math.max(longestStreak, part.streak.longest);
    recent.push(...part.recent);
  }
  return { machines, xp, totals: { activeMs, sessions }, today, days, longestStreak, recent };
}

/**
 * The streak over the union of this machine's days and the others': the run of consecutive days ending at the
 * newest day (counted while that day is today or yesterday, as a streak is), and the longest ever known.
 */
export function combinedStreak(local: Streak, localDays: ReadonlySet<LocalDay>, others: OtherMachines, today?: LocalDay): Streak {
  if (others.days.size === 0) return local;
  // A day beyond tomorrow is no clock skew (an imported or hand-edited date): it must not hold the streak hostage.
  const latest = today === undefined ? undefined : addDays(today, 1);
  const all = new Set<LocalDay>([...localDays, ...others.days].filter((d) => latest === undefined || d <= latest));
  const sorted = [...all].sort();
  let longest = Math.max(local.longest, others.longestStreak);
  let run = 0;
  let previous: LocalDay | null = null;
  for (const d of sorted) {
    run = previous !== null && isDayBefore(previous, d) ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = d;
  }
  return { current: run, longest, lastDay: previous };
}

export function localDays(p: Pick<ProgressRecord, 'streak'>): Set<LocalDay> {
  return new Set(streakRunDays(p.streak, PART_DAYS));
}
