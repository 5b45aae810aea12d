import { Emitter } from '../store/emitter';
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
  /** Which window showed the welcome, and when; null while nobody has. */
  readonly welcomeClaimedBy: string | null;
  readonly welcomeClaimedAt: number | null;
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
  return {
    schema: 2,
    welcomeClaimedBy: claimedBy,
    welcomeClaimedAt: claimedBy === null ? null : (time(o.welcomeClaimedAt) ?? 0),
    progressChoice: choice,
    choiceAt: choice === null ? null : (time(o.choiceAt) ?? 0),
    legacyImported: o.legacyImported === true,
  };
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
   * Claims the right to show the welcome. Resolves true in exactly one window per user, ever — even when several
   * windows call at once: the claim is a compare-and-set, and only the commit that finds it unclaimed wins.
   */
  async claimWelcome(): Promise<boolean> {
    if (this.state().welcomeClaimedBy !== null) return false;
    const me = this.store.clientId;
    const now = this.clock.now();
    let won = false;
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => {
      const state = normalizeOnboarding(cur);
      won = state.welcomeClaimedBy === null;
      return won ? { ...state, welcomeClaimedBy: me, welcomeClaimedAt: now } : state;
    });
    return won;
  }

  /** Keeps the user's answer (the latest answer wins: it is a deliberate choice, not a counter). */
  async setProgressChoice(choice: ProgressChoice): Promise<void> {
    const now = this.clock.now();
    await this.store.update<unknown>(ONBOARDING_KEY, (cur) => ({ ...normalizeOnboarding(cur), progressChoice: choice, choiceAt: now }));
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
