import { Emitter } from '@breath-master/store';
import { systemClock, type Clock } from './clock';
import type { Disposable, Event, RecordStore } from './recordStore';

/**
 * Store key of the onboarding record. It is also the earlier version's globalState key: when the adapter lets the
 * store import that value (`migrate`), the legacy shape lands here and is read as such until the first update
 * rewrites it in the current shape.
 */
export const ONBOARDING_KEY = 'breathMaster.onboarding';

export type ProgressChoice = 'on' | 'off';

export interface OnboardingState {
  readonly schema: 2;
  /**
   * Which window is showing the welcome, and since when; null while nobody is. A claim is a lease: released when
   * the window closes with the welcome unanswered, and void after WELCOME_CLAIM_MS (a window that crashed).
   */
  readonly welcomeClaimedBy: string | null;
  readonly welcomeClaimedAt: number | null;
  /** The user answered or dismissed the welcome: never shown again. */
  readonly welcomeDone: boolean;
  /** How many times a window put it on screen (it is offered at most WELCOME_MAX_SHOWS times, however it went). */
  readonly welcomeShows: number;
  /** The user's answer to "track your progress?"; null while unanswered. */
  readonly progressChoice: ProgressChoice | null;
  readonly choiceAt: number | null;
  /** The earlier version's onboarding was taken over (never again). */
  readonly legacyImported: boolean;
}

export const EMPTY_ONBOARDING: OnboardingState = {
  schema: 2,
  welcomeClaimedBy: null,
  welcomeClaimedAt: null,
  welcomeDone: false,
  welcomeShows: 0,
  progressChoice: null,
  choiceAt: null,
  legacyImported: false,
};

type Loose = Record<string, unknown>;

function isLegacyShape(o: Loose): boolean {
  return o.schema === undefined && ('hasSeenTour' in o || 'gamificationOptIn' in o || 'hasSeenWelcome' in o || 'completed' in o);
}

/** A legacy onboarding value folded into the current shape: whoever saw the old welcome or tour is not welcomed again. */
function fromLegacy(state: OnboardingState, o: Loose): OnboardingState {
  const seen = o.hasSeenTour === true || o.hasSeenWelcome === true || o.completed === true || typeof o.gamificationOptIn === 'boolean';
  const choice: ProgressChoice | null = o.gamificationOptIn === true ? 'on' : o.gamificationOptIn === false ? 'off' : null;
  return {
    ...state,
    welcomeClaimedBy: state.welcomeClaimedBy ?? (seen ? 'legacy' : null),
    welcomeClaimedAt: state.welcomeClaimedAt ?? (seen ? 0 : null),
    welcomeDone: state.welcomeDone || seen,
    progressChoice: state.progressChoice ?? choice,
    choiceAt: state.choiceAt ?? (choice ? 0 : null),
    legacyImported: true,
  };
}

/** Any stored value (current shape, legacy shape, odd, absent) as an OnboardingState. */
export function normalizeOnboarding(v: unknown): OnboardingState {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return EMPTY_ONBOARDING;
  const o = v as Loose;
  if (isLegacyShape(o)) return fromLegacy(EMPTY_ONBOARDING, o);
  const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const claimedBy = typeof o.welcomeClaimedBy === 'string' ? o.welcomeClaimedBy : null;
  const choice = o.progressChoice === 'on' || o.progressChoice === 'off' ? o.progressChoice : null;
  // Records written before `welcomeDone` existed: an answer, or the earlier version's welcome, means done.
  const done = typeof o.welcomeDone === 'boolean' ? o.welcomeDone : choice !== null || claimedBy === 'legacy';
  return {
    schema: 2,
    welcomeClaimedBy: claimedBy,
    welcomeClaimedAt: claimedBy === null ? null : (time(o.welcomeClaimedAt) ?? 0),
    welcomeDone: done,
    welcomeShows: typeof o.welcomeShows === 'number' && Number.isInteger(o.welcomeShows) && o.welcomeShows > 0 ? Math.min(o.welcomeShows, 1000) : 0,
    progressChoice: choice,
    choiceAt: choice === null ? null : (time(o.choiceAt) ?? 0),
    legacyImported: o.legacyImported === true,
  };
}

/** A claim older than this belongs to a window that is gone without releasing it (crashed, killed). */
export const WELCOME_CLAIM_MS = 12 * 60 * 60_000;
/** The welcome is put on screen at most this often, answered or not (closed windows, Do Not Disturb). */
export const WELCOME_MAX_SHOWS = 3;

function claimable(state: OnboardingState, now: number): boolean {
  if (state.welcomeDone || state.welcomeShows >= WELCOME_MAX_SHOWS) return false;
  return state.welcomeClaimedBy === null || state.welcomeClaimedAt === null || now - state.welcomeClaimedAt >= WELCOME_CLAIM_MS || state.welcomeClaimedAt > now;
}

export interface OnboardingManagerOptions {
  clock?: Clock;
}

/** The welcome, shown once per user in exactly one window, and the progress-tracking choice every window follows. */
export class OnboardingManager implements Disposable {
  private readonly clock: Clock;
  private readonly changes = new Emitter<OnboardingState>();
  private readonly subscription: Disposable;

  /** Fires when the onboarding record changed (here or in another window), e.g. the choice was made elsewhere. */
  readonly onDidChange: Event<OnboardingState> = this.changes.event;

  constructor(
    private readonly store: RecordStore,
    options: OnboardingManagerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.subscription = store.onDidChange((e) => {
      if (e.key === ONBOARDING_KEY) this.changes.fire(this.state());
    });
  }

  state(): OnboardingState {
    return normalizeOnboarding(this.store.get<unknown>(ONBOARDING_KEY).payload);
  }

  /** true / false once the user chose; undefined while unanswered (then progress tracking stays off). */
  progressEnabled(): boolean | undefined {
    const choice = this.state().progressChoice;
    return choice === null ? undefined : choice === 'on';
  }

  /**
   * Claims the right to show the welcome now. Resolves true in exactly one window at a time — even when several
   * windows call at once: the claim is a compare-and-set, and only the commit that finds it claimable wins. Not
   * claimable once the welcome was answered or dismissed (`completeWelcome`), while another window holds a live
   * claim, or after WELCOME_MAX_SHOWS showings.
   */
  async claimWelcome(): Promise<boolean> {
    const now = this.clock.now();
    if (!claimable(this.state(), now)) return false;
    const me = this.store.clientId;
    let won = false;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      won = claimable(state, now);
      return won ? { ...state, welcomeClaimedBy: me, welcomeClaimedAt: now, welcomeShows: state.welcomeShows + 1 } : state;
    });
    return won;
  }

  /** The user answered or closed the welcome: it is never shown again, in any window. */
  async completeWelcome(): Promise<void> {
    if (this.state().welcomeDone) return;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      return state.welcomeDone ? state : { ...state, welcomeDone: true };
    });
  }

  /**
   * This window closes with its welcome still unanswered (the user never saw it: Do Not Disturb, a window closed at
   * once): gives the claim back, so the next window to start offers it again.
   */
  async releaseWelcome(): Promise<void> {
    const me = this.store.clientId;
    const cached = this.state();
    if (cached.welcomeDone || cached.welcomeClaimedBy !== me) return;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      return state.welcomeDone || state.welcomeClaimedBy !== me ? state : { ...state, welcomeClaimedBy: null, welcomeClaimedAt: null };
    });
  }

  /**
   * Keeps the user's answer (the latest answer wins: it is a deliberate choice, not a counter); null forgets it
   * ("not chosen": tracking off until the user chooses).
   */
  async setProgressChoice(choice: ProgressChoice | null): Promise<void> {
    const now = this.clock.now();
    if (this.state().progressChoice === choice) return;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      return state.progressChoice === choice ? state : { ...state, progressChoice: choice, choiceAt: choice === null ? null : now };
    });
  }

  /**
   * Takes over the earlier version's onboarding (pass the raw globalState value) once: someone who already saw
   * the old welcome is not welcomed again, and their opt-in is kept. Resolves true in the window that imported.
   */
  async importLegacy(raw: unknown): Promise<boolean> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !isLegacyShape(raw as Loose)) return false;
    if (this.state().legacyImported) return false;
    let imported = false;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      imported = !state.legacyImported;
      return imported ? fromLegacy(state, raw as Loose) : state;
    });
    return imported;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }
}
