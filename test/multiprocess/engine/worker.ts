// One stand-in for a VS Code window: a real Node process running the engine (bundled from src/engine by the test)
// on the BUILT store (@breath-master/store's dist/index.js, copied by the test). Driven over IPC: requests {id, cmd, ...} get
// replies {type: 'reply', id, result | error}; engine events are forwarded as they happen.
import { MeditationTracker, OnboardingManager, PATTERNS, type RecordStore } from '../../../src/engine';

interface Store extends RecordStore {
  dispose(): void;
  getMetrics(): { commits: number; conflicts: number; retries: number };
}
type StoreModule = { StorageWrapper: new (context: { globalStoragePath: string }, options: { clientId: string }) => Store };

const options = JSON.parse(process.argv[2] ?? '{}') as { storeModule: string; dir: string; clientId: string };
const { StorageWrapper } = require(options.storeModule) as StoreModule;

/** Time is driven by the test (virtual), so every process agrees on it and cycles are deterministic. */
const clock = { time: 0, now: () => clock.time };

const store = new StorageWrapper({ globalStoragePath: options.dir }, { clientId: options.clientId });
const tracker = new MeditationTracker(store, { clock, pattern: PATTERNS.chill });
const onboarding = new OnboardingManager(store, { clock });

const send = (message: unknown) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

tracker.onDidChangeSnapshot(
  (s) => void send({ type: 'snapshot', xp: s.xp, sessionId: s.session?.id ?? null, state: s.session?.state ?? null, version: s.version, history: tracker.history().sessions.length }),
);
tracker.onDidNotify((n) => void send({ type: 'notify', notification: n }));
tracker.onDidReachGoal((session) => void send({ type: 'goal', clientId: options.clientId, sessionId: session.id }));

/** Opens a second, short-lived store on another folder (for many independent rounds without new processes). */
async function inFolder<R>(dir: string, act: (s: Store) => Promise<R>): Promise<R> {
  const other = new StorageWrapper({ globalStoragePath: dir }, { clientId: `${options.clientId}@${dir.slice(-6)}` });
  try {
    return await act(other);
  } finally {
    other.dispose();
  }
}

/** Waits until wall-clock time `at`, so several processes act at the same instant. */
const until = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

type Request = { id: number; cmd: string; now?: number; at?: number; [k: string]: unknown };

async function handle(m: Request): Promise<unknown> {
  if (typeof m.now === 'number') clock.time = m.now;
  if (typeof m.at === 'number') await until(m.at);
  switch (m.cmd) {
    case 'start':
      return tracker.start(m.goal as number | undefined);
    case 'end':
      return tracker.end();
    case 'pause':
      return tracker.pause();
    case 'tick':
      return tracker.tick();
    case 'focus':
      return tracker.setFocused(m.focused === true);
    case 'snapshot':
      return { ...tracker.snapshot(), isCounter: tracker.isCounter(), history: tracker.history().sessions.map((s) => s.id) };
    case 'importData':
      return tracker.importData(m.data);
    case 'clear':
      return tracker.clear();
    case 'importLegacy':
      return inFolder(m.dir as string, (s) => new MeditationTracker(s, { clock }).importLegacy(m.raw));
    case 'claimWelcome':
      return inFolder(m.dir as string, (s) => new OnboardingManager(s, { clock }).claimWelcome());
    case 'welcomeHere':
      return onboarding.claimWelcome();
    case 'metrics':
      return store.getMetrics();
    case 'exit':
      tracker.dispose();
      onboarding.dispose();
      store.dispose();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown command ${m.cmd}`);
  }
}

process.on('message', (m: Request) => {
  handle(m).then(
    (result) => send({ type: 'reply', id: m.id, result: result ?? null }),
    (error: unknown) => send({ type: 'reply', id: m.id, error: String(error instanceof Error ? error.stack : error) }),
  );
});
void send({ type: 'ready' });
