import * as vscode from 'vscode';
import { HISTORY_KEY, PROGRESS_KEY } from '../engine/progressRecord';
import { ONBOARDING_KEY } from '../engine/onboardingManager';
import type { StorageWrapper } from '@breath-master/store';

/** What people call each record in messages. */
const names = (): Record<string, string> => ({ [PROGRESS_KEY]: vscode.l10n.t('progress'), [HISTORY_KEY]: vscode.l10n.t('session history'), [ONBOARDING_KEY]: vscode.l10n.t('welcome choice') });

function looksRight(key: string, payload: unknown): boolean {
  if (payload === undefined) return true; // absent: a fresh start, nothing odd
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const schema = (payload as { schema?: unknown }).schema;
  if (key === ONBOARDING_KEY) return schema === 2 || schema === undefined; // undefined: the earlier version's shape
  return schema === 1;
}

/**
 * Reads the engine's records fresh from disk once at startup and names those that are unreadable or of an odd
 * shape. The store and the engine already carry on from what they can read (a corrupt record's bytes are kept
 * aside); this only lets the user know, once, instead of silently showing zeros.
 */
export async function checkStoredData(store: Pick<StorageWrapper, 'read'>): Promise<{ unreadable: string[]; odd: string[] }> {
  const unreadable: string[] = [];
  const odd: string[] = [];
  const NAMES = names();
  for (const key of [PROGRESS_KEY, HISTORY_KEY, ONBOARDING_KEY]) {
    const name = NAMES[key] ?? key;
    try {
      const data = await store.read<unknown>(key);
      if (!looksRight(key, data.payload)) odd.push(name);
    } catch {
      unreadable.push(name);
    }
  }
  return { unreadable, odd };
}
