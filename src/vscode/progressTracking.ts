import type { OnboardingManager } from '../engine/onboardingManager';
import type { Settings } from './settings';

/**
 * Whether progress tracking (XP, levels, streaks) is on in this window. Three states, because "not chosen yet"
 * differs from "off" (the welcome still asks):
 *   1. `breathMaster.progress.tracking` "on" or "off" (user level) wins — the user said so;
 *   2. "ask" (the default): the choice kept in the store (the welcome's answer), which every window sees within
 *      milliseconds (a settings change reaches other windows late: measured in code-server, not after 3 s);
 *   3. nothing chosen: off.
 */
export function isTrackingOn(settings: Pick<Settings, 'tracking'>, onboarding: Pick<OnboardingManager, 'progressEnabled'> | undefined): boolean {
  if (settings.tracking !== 'ask') return settings.tracking === 'on';
  return onboarding?.progressEnabled() ?? false;
}
