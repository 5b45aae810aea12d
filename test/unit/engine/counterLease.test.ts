import { describe, expect, it } from 'vitest';
import { focusLease, holdsLease, LEASE_MS, nextLease, NO_LEASE, normalizeLease, releaseLease, RENEW_BEFORE_MS } from '../../../src/engine/counterLease';

const now = 1_000_000;

describe('the cycle-counting lease', () => {
  it('is claimed when free or expired, and then held only while not expired', () => {
    const claimed = nextLease(NO_LEASE, 'a', false, now);
    expect(claimed).toEqual({ holder: 'a', focused: false, expiresAt: now + LEASE_MS });
    expect(holdsLease(claimed, 'a', now + LEASE_MS - 1)).toBe(true);
    expect(holdsLease(claimed, 'a', now + LEASE_MS)).toBe(false);
    expect(holdsLease(claimed, 'b', now)).toBe(false);
    expect(nextLease(claimed, 'b', false, now + LEASE_MS)).toEqual({ holder: 'b', focused: false, expiresAt: now + 2 * LEASE_MS });
  });

  it('is left alone (no write) while another live holder has it, unless a focused window meets an unfocused holder', () => {
    const heldFocused = { holder: 'a', focused: true, expiresAt: now + 1000 };
    expect(nextLease(heldFocused, 'b', false, now)).toBe(heldFocused);
    expect(nextLease(heldFocused, 'b', true, now)).toBe(heldFocused);
    const heldBlurred = { holder: 'a', focused: false, expiresAt: now + 1000 };
    expect(nextLease(heldBlurred, 'b', false, now)).toBe(heldBlurred);
    expect(nextLease(heldBlurred, 'b', true, now)).toMatchObject({ holder: 'b', focused: true });
  });

  it('is renewed by its holder only when little time is left or its focus changed', () => {
    const fresh = { holder: 'a', focused: true, expiresAt: now + LEASE_MS };
    expect(nextLease(fresh, 'a', true, now)).toBe(fresh);
    expect(nextLease(fresh, 'a', true, now + LEASE_MS - RENEW_BEFORE_MS + 1)).toMatchObject({ holder: 'a', expiresAt: now + 2 * LEASE_MS - RENEW_BEFORE_MS + 1 });
    expect(nextLease(fresh, 'a', false, now)).toMatchObject({ holder: 'a', focused: false });
  });

  it('goes to a window that gains focus at once, and is freed by its holder on release only', () => {
    expect(focusLease('b', now)).toEqual({ holder: 'b', focused: true, expiresAt: now + LEASE_MS });
    const held = { holder: 'a', focused: false, expiresAt: now + 1000 };
    expect(releaseLease(held, 'b')).toBe(held);
    expect(releaseLease(held, 'a')).toEqual(NO_LEASE);
  });

  it('counts a lease that ends more than its length ahead (written before the clock went back) as expired', () => {
    const fromTheFuture = { holder: 'a', focused: false, expiresAt: now + LEASE_MS + 3_600_000 };
    expect(holdsLease(fromTheFuture, 'a', now)).toBe(false);
    expect(nextLease(fromTheFuture, 'b', false, now)).toEqual({ holder: 'b', focused: false, expiresAt: now + LEASE_MS });
    expect(nextLease(fromTheFuture, 'a', false, now)).toEqual({ holder: 'a', focused: false, expiresAt: now + LEASE_MS });
    expect(holdsLease({ ...fromTheFuture, expiresAt: now + LEASE_MS }, 'a', now)).toBe(true);
  });

  it('reads odd stored values as no lease', () => {
    for (const v of [undefined, null, 'x', 5, [], { holder: 7, expiresAt: 'soon' }]) {
      const lease = normalizeLease(v);
      expect(lease.holder).toBeNull();
      expect(holdsLease(lease, 'a', now)).toBe(false);
    }
  });
});
