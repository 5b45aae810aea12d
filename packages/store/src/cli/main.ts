/**
 * The inspector's command line: `breath-master-store <command> <folder> …`. One verb per job, read-only unless
 * `--repair` says otherwise. Exit codes: 0 fine, 1 the check found problems or the key is missing, 2 usage or I/O
 * error. Results on stdout (with `--json`, one JSON object per line, `type` naming what it is), diagnostics on stderr.
 */
import { keyFileName } from '../keys';
import type { StoredRecord } from '../record';
import { check, repair } from './check';
import { type ConvergentModel, headOf, type LogModel, NotAStoreError, readFolder, readKeyFolder } from './inspect';
import { watchFolder } from './watch';

export const usage = `Usage: breath-master-store <command> [options]

  ls <folder> [--json]                 the keys, with version, last writer, lastModified, size, records
  show <folder> <key> [--all] [--entries] [--json]
                                       a key's current record (--all: the older kept versions too);
                                       a convergent key's type, merged value and contributions first;
                                       a log's entry count and writers' logs first (--entries: every
                                       entry, in the order windows read them)
  watch <folder> [key] [--json]        one line per commit, until Ctrl-C (read-only: polls the folder)
  check <folder> [--repair] [--json]   unreadable records, dead writers' leftovers, foreign files,
                                       torn contribution slots and log tails, gone writers' contributions
                                       and logs not folded yet;
                                       --repair removes dead writers' files and keeps copies of unreadable heads

Exit codes: 0 fine, 1 problems found or key missing, 2 usage or I/O error.
`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const flagsOf: Record<string, { args: [number, number]; flags: string[] }> = {
  ls: { args: [1, 1], flags: ['--json'] },
  show: { args: [2, 2], flags: ['--json', '--all', '--entries'] },
  watch: { args: [1, 2], flags: ['--json'] },
  check: { args: [1, 1], flags: ['--json', '--repair'] },
};

class UsageError extends Error {}

/** Runs one command; resolves with the exit code (`watch` resolves when it is stopped by `stop`). */
export async function run(argv: readonly string[], io: Io, stop?: Promise<void>): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.err(usage);
      return 2;
    }
    const spec = flagsOf[command];
    if (spec === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const args: string[] = [];
    const flags = new Set<string>();
    let flagsEnded = false;
    for (const arg of rest) {
      if (!flagsEnded && arg === '--') flagsEnded = true;
      else if (!flagsEnded && arg.startsWith('--')) {
        if (!spec.flags.includes(arg)) throw new UsageError(`${command} has no option ${arg}`);
        flags.add(arg);
      } else args.push(arg);
    }
    if (args.length < spec.args[0] || args.length > spec.args[1]) throw new UsageError(`${command}: wrong number of arguments`);
    const json = flags.has('--json');
    const folder = args[0] as string;
    if (command === 'ls') return ls(folder, json, io);
    if (command === 'show') return show(folder, args[1] as string, flags.has('--all'), flags.has('--entries'), json, io);
    if (command === 'check') return checkCommand(folder, flags.has('--repair'), json, io);
    return await watch(folder, args[1], json, io, stop ?? new Promise(() => undefined));
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`breath-master-store: ${error.message}\n\n${usage}`);
      return 2;
    }
    io.err(`breath-master-store: ${error instanceof NotAStoreError ? error.message : String(error)}`);
    return 2;
  }
}

function ls(folder: string, json: boolean, io: Io): number {
  const model = readFolder(folder);
  if (!json) io.out(['KEY', 'VERSION', 'CLIENT', 'MODIFIED', 'BYTES', 'RECORDS'].join('\t'));
  for (const key of model.keys) {
    const head = headOf(key);
    const r = head?.record;
    const state = head === undefined ? 'empty' : head.problem !== undefined ? 'damaged' : r?.deleted ? 'deleted' : 'ok';
    if (key.key === undefined) io.err(`${key.path}: ${key.keyProblem ?? 'key unknown'}`);
    if (head?.problem !== undefined) io.err(`${head.path}: ${head.problem}`);
    if (json) {
      const c = key.convergent;
      const convergent = c === undefined ? {} : { convergent: c.type?.name ?? null, value: c.value ?? null, contributions: c.contributions.length };
      const log = key.log === undefined ? {} : { log: true, entries: key.log.entries.length, logs: key.log.logs.length };
      io.out(JSON.stringify({ type: 'key', key: key.key ?? null, folder: key.path, state, version: r?.version ?? null, clientId: r?.clientId ?? null, lastModified: r?.lastModified ?? null, bytes: head?.bytes ?? 0, records: key.records.length, ...convergent, ...log }));
    } else {
      const version = r === undefined ? '-' : r.deleted ? `${r.version} (deleted)` : String(r.version);
      const shownKey = key.key === undefined ? `? ${key.path}` : JSON.stringify(key.key);
      io.out([shownKey, state === 'damaged' ? 'damaged' : version, r?.clientId ?? '-', r?.lastModified ?? '-', String(head?.bytes ?? 0), String(key.records.length)].join('\t'));
    }
  }
  return 0;
}

function shown(record: StoredRecord): object {
  const { version, lastModified, clientId, key, deleted, payload } = record;
  return deleted ? { version, lastModified, clientId, key, deleted: true, payload: null } : { version, lastModified, clientId, key, payload };
}

function show(folder: string, key: string, all: boolean, logEntries: boolean, json: boolean, io: Io): number {
  readFolder(folder); // a storage folder, or exit 2
  const model = readKeyFolder(folder, keyFileName(key));
  const head = headOf(model);
  if (model.convergent !== undefined) showConvergent(key, model.convergent, json, io);
  if (model.log !== undefined) showLog(key, model.log, logEntries, json, io);
  else if (logEntries) io.err(`breath-master-store: ${JSON.stringify(key)} is no log: --entries shows nothing`);
  if (head === undefined && (model.convergent !== undefined || model.log !== undefined)) return 0; // contributions or logs only: no fold committed yet
  if (head === undefined) {
    io.err(`breath-master-store: no key ${JSON.stringify(key)} in ${folder}`);
    return 1;
  }
  const entries = all ? [...model.records].reverse() : [head];
  for (const entry of entries) {
    if (entry.record === undefined) {
      io.err(`${entry.path}: ${entry.problem ?? 'unreadable'}`);
      continue;
    }
    io.out(json ? JSON.stringify({ type: 'record', path: entry.path, ...shown(entry.record) }) : JSON.stringify(shown(entry.record), null, 2));
  }
  if (head.record === undefined) {
    io.err(`breath-master-store: the current record of ${JSON.stringify(key)} is unreadable`);
    return 1;
  }
  if (head.record.deleted) {
    io.err(`breath-master-store: ${JSON.stringify(key)} is deleted`);
    return 1;
  }
  return 0;
}

/** A contribution's slot files, as the store reads them. */
function shownSlots(slots: ConvergentModel['contributions'][number]['slots']): object[] {
  return slots.map((s) => ({ slot: s.slot, path: s.path, seq: s.seq ?? null, ...(s.problem === undefined ? {} : { problem: s.problem }) }));
}

/**
 * A convergent key: its type, the merged value (the type's own merge and value, as a window opening the key reads
 * it), the writers folded into the base, and each contribution with its own value.
 */
function showConvergent(key: string, c: ConvergentModel, json: boolean, io: Io): void {
  const problems = [c.baseProblem, c.valueProblem].filter((p): p is string => p !== undefined);
  if (json) {
    io.out(
      JSON.stringify({
        type: 'convergent',
        key,
        convergent: c.type?.name ?? null,
        value: c.value ?? null,
        folded: c.folded,
        contributions: c.contributions.map((w) => ({
          writer: w.writer,
          seq: w.seq ?? null,
          value: w.value ?? null,
          folded: w.folded,
          slots: shownSlots(w.slots),
          ...(w.problem === undefined ? {} : { problem: w.problem }),
        })),
        ...(problems.length === 0 ? {} : { problems }),
      }),
    );
    return;
  }
  const value = c.value === undefined ? '(unknown)' : JSON.stringify(c.value);
  io.out(`${JSON.stringify(key)}: convergent ${c.type?.name ?? '(type unknown)'}, value ${value}`);
  for (const p of problems) io.out(`  ! ${p}`);
  const folded = Object.entries(c.folded);
  io.out(`folded into the base: ${folded.length === 0 ? 'none' : folded.map(([w, seq]) => `${w} (seq ${seq})`).join(', ')}`);
  io.out(c.contributions.length === 0 ? 'contributions: none' : 'contributions:');
  for (const w of c.contributions) {
    const marks = [w.folded ? '(folded)' : '', w.slots.some((s) => s.problem !== undefined) ? '(torn slot)' : '', w.problem === undefined ? '' : `(${w.problem})`].filter((m) => m !== '');
    io.out(['  ' + w.writer, w.seq === undefined ? 'seq -' : `seq ${w.seq}`, w.value === undefined ? 'value -' : `value ${JSON.stringify(w.value)}`, ...marks].join('\t'));
  }
}

/**
 * A per-writer log: how many entries a window opening the key reads, the writers folded into the snapshot, each
 * writer's log (whole lines, folded or not, a torn tail), and with `entries` every entry in the order windows read.
 */
function showLog(key: string, log: LogModel, entries: boolean, json: boolean, io: Io): void {
  const problems = log.snapshotProblem === undefined ? [] : [log.snapshotProblem];
  if (json) {
    io.out(
      JSON.stringify({
        type: 'log',
        key,
        entries: log.entries.length,
        snapshot: { events: log.snapshot.events.length, folded: log.snapshot.folded },
        logs: log.logs.map((l) => ({ writer: l.writer, path: l.path, lines: l.events.length, bytes: l.bytes, torn: l.torn, folded: l.folded, ...(l.problem === undefined ? {} : { problem: l.problem }) })),
        ...(problems.length === 0 ? {} : { problems }),
      }),
    );
    if (entries) for (const e of log.entries) io.out(JSON.stringify({ type: 'entry', key, id: e.id, writer: e.writer, stamp: e.stamp, data: e.data }));
    return;
  }
  const count = log.entries.length;
  io.out(`${JSON.stringify(key)}: log, ${count} ${count === 1 ? 'entry' : 'entries'}`);
  for (const p of problems) io.out(`  ! ${p}`);
  const folded = Object.entries(log.snapshot.folded);
  io.out(`snapshot: ${plural(log.snapshot.events.length, 'event')}; folded into it: ${folded.length === 0 ? 'none' : folded.map(([w, lines]) => `${w} (${plural(lines, 'line')})`).join(', ')}`);
  io.out(log.logs.length === 0 ? 'logs: none' : 'logs:');
  for (const l of log.logs) {
    const marks = [l.folded ? '(folded)' : '', l.torn > 0 ? `(torn tail: ${l.torn} bytes)` : '', l.problem === undefined ? '' : `(${l.problem})`].filter((m) => m !== '');
    io.out(['  ' + l.writer, plural(l.events.length, 'line'), ...marks].join('\t'));
  }
  if (!entries) return;
  io.out(count === 0 ? 'entries: none' : 'entries:');
  for (const e of log.entries) io.out(['  ' + e.stamp, e.writer, JSON.stringify(e.id), JSON.stringify(e.data)].join('\t'));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function checkCommand(folder: string, doRepair: boolean, json: boolean, io: Io): number {
  let findings = check(folder);
  const say = (f: (typeof findings)[number]): void => {
    if (json) io.out(JSON.stringify({ type: f.problem ? 'problem' : 'notice', kind: f.kind, path: f.path, ...(f.key === undefined ? {} : { key: f.key }), detail: f.detail }));
    else io.out([f.problem ? 'problem' : 'notice', f.kind, f.path, f.key === undefined ? '-' : JSON.stringify(f.key), f.detail].join('\t'));
  };
  findings.forEach(say);
  if (doRepair) {
    for (const r of repair(folder, findings)) {
      if (json) io.out(JSON.stringify({ type: 'repair', action: r.action, path: r.path, detail: r.detail }));
      else io.out(`repair\t${r.action}\t${r.path}\t${r.detail}`);
      if (r.action === 'failed') io.err(`breath-master-store: could not repair ${r.path}: ${r.detail}`);
    }
    findings = check(folder);
    if (!json) io.out('after repair:');
    findings.forEach(say);
  }
  const problems = findings.filter((f) => f.problem).length;
  if (json) io.out(JSON.stringify({ type: 'summary', problems, keys: readFolder(folder).keys.length }));
  else io.out(problems === 0 ? 'ok: no problems found' : `${problems} problem${problems === 1 ? '' : 's'} found`);
  return problems === 0 ? 0 : 1;
}

async function watch(folder: string, key: string | undefined, json: boolean, io: Io, stop: Promise<void>): Promise<number> {
  readFolder(folder); // a storage folder, or exit 2; nothing is created
  let failed = false;
  const end = watchFolder(
    folder,
    key,
    100,
    ({ key: k, record }) => {
      if (json) io.out(JSON.stringify({ type: 'commit', key: k, version: record.version, clientId: record.clientId, lastModified: record.lastModified, deleted: record.deleted }));
      else io.out(`${JSON.stringify(k)}\tv${record.version}${record.deleted ? ' (deleted)' : ''}\t${record.clientId}\t${record.lastModified}`);
    },
    (error) => {
      failed = true;
      io.err(`breath-master-store: ${String(error)}`);
    },
  );
  if (!json) io.err(`watching ${folder}${key === undefined ? '' : ` for ${JSON.stringify(key)}`} (Ctrl-C to stop)`);
  await stop;
  end();
  return failed ? 2 : 0;
}
