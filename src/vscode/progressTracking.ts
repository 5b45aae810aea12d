import type { OnboardingManager } from '../engine/onboardingManager';
import type { Settings } from './settings';

/**
 * Whether progress tracking (XP, levels, streaks in the status bar) is on in this window.
 *
 * A setting changed in one window reaches the others late or not at all (measured in code-server: not after 3 s),
 * so the shared truth is the choice kept in the store, which every window sees within milliseconds:
 *   1. an explicit `breathMaster.gamification.enabled` (user/workspace/folder) wins — the user said so here;
 *   2. else the choice in the store (the welcome's answer, or the last explicit setting change any window saw);
 *   3. else off (the setting's default).
 */
export function isTrackingOn(settings: Settings, onboarding: Pick<OnboardingManager, 'progressEnabled'> | undefined): boolean {
  if (settings.gamificationExplicit !== undefined) return settings.gamificationExplicit;
  return onboarding?.progressEnabled() ?? false;
}
