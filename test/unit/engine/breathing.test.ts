import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breathAt,
  breathAtElapsed,
  completedCycles,
  cycleMs,
  FALLBACK_PATTERN,
  nextPatternName,
  parseCustomPattern,
  PATTERNS,
  resolvePattern,
  type BreathingPattern,
} from '../../../src/engine';

const s = 1000;

describe('patterns', () => {
  it('has the five presets with the issue\'s timings', () => {
    const timings = Object.fromEntries(Object.entries(PATTERNS).map(([name, p]) => [name, [p.inhale, p.holdIn, p.exhale, p.holdOut].join('-')]));
    expect(timings).toEqual({ chill: '6-0-8-0', medium: '5-0-5-0', active: '4-2-4-1', boxing: '4-4-4-4', relaxing: '4-7-8-0' });
  });

  it('resolves preset names and warns about unknown ones without throwing', () => {
    expect(resolvePattern('boxing')).toEqual({ pattern: PATTERNS.boxing });
    for (const bad of ['Boxing', '', 'toString', '__proto__', 'constructor', 42, null, undefined, {}]) {
      const r = resolvePattern(bad);
      expect(r.pattern).toBe(FALLBACK_PATTERN);
      expect(r.warning).toMatch(/Unknown breathing pattern .*using the chill pattern \(6-0-8-0\)/);
    }
  });

  it('cycles through the patterns in order, wrapping around', () => {
    expect(nextPatternName('chill')).toBe('medium');
    expect(nextPatternName('relaxing')).toBe('custom');
    expect(nextPatternName('custom')).toBe('chill');
    expect(nextPatternName('relaxing', false)).toBe('chill');
    expect(nextPatternName('nonsense')).toBe('chill');
  });
});

describe('custom pattern', () => {
  it('accepts four whole seconds 0–60 with spaces around the dashes', () => {
    expect(parseCustomPattern('4-7-8-0')).toEqual({ pattern: { name: 'custom', inhale: 4, holdIn: 7, exhale: 8, holdOut: 0 } });
    expect(parseCustomPattern(' 60 - 0 - 1 - 60 ').pattern).toEqual({ name: 'custom', inhale: 60, holdIn: 0, exhale: 1, holdOut: 60 });
    expect(resolvePattern('custom', '0-0-3-0').pattern).toMatchObject({ inhale: 0, exhale: 3 });
  });

  it.each([
    ['0-0-0-0', /all zero/],
    ['61-0-0-0', /longer than 60 seconds/],
    ['99-99-99-99', /longer than 60 seconds/],
    ['4-4-4', /not valid/],
    ['4-4-4-4-4', /not valid/],
    ['-1-2-3-4', /not valid/],
    ['4.5-4-4-4', /not valid/],
    ['1e1-0-0-0', /not valid/],
    ['0x4-0-0-0', /not valid/],
    ['٤-٤-٤-٤', /not valid/],
    ['4−4−4−4', /not valid/],
    ['', /not valid/],
    ['__proto__', /not valid/],
    ['4-4-4-4\n', /not valid|4-4-4-4/],
    ['<script>alert(1)</script>', /not valid/],
    ['4-'.repeat(10_000), /not valid/],
  ])('rejects %j with a clear warning and falls back', (text, message) => {
    const r = parseCustomPattern(text);
    if (r.warning === undefined) {
      // Only a trailing newline may pass (\s allows it); then the timings must be the intended ones.
      expect(r.pattern).toMatchObject({ inhale: 4, holdIn: 4, exhale: 4, holdOut: 4 });
      return;
    }
    expect(r.pattern).toBe(FALLBACK_PATTERN);
    expect(r.warning).toMatch(message);
    expect(r.warning).toMatch(/using the chill pattern/);
    expect(r.warning.length).toBeLessThan(300);
  });

  it('warns about values that are not text', () => {
    for (const v of [undefined, null, 4444, ['4', '4', '4', '4'], { inhale: 4 }]) {
      const r = parseCustomPattern(v);
      expect(r.pattern).toBe(FALLBACK_PATTERN);
      expect(r.warning).toMatch(/not valid/);
    }
  });

  it('never throws and always yields a breathable pattern, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes)), fc.constantFrom('0', '60', '61', '-', ' ', '7').chain((d) => fc.array(fc.constantFrom(d, '-', '4', ' '), { maxLength: 12 }).map((a) => a.join('')))), (text) => {
        const r = parseCustomPattern(text);
        expect(cycleMs(r.pattern)).toBeGreaterThan(0);
        expect(r.warning === undefined || r.pattern === FALLBACK_PATTERN).toBe(true);
      }),
    );
  });
});

describe('breath at an instant', () => {
  it('walks inhale → hold → exhale → hold for active 4-2-4-1 with a whole-second countdown', () => {
    const p = PATTERNS.active;
    const at = (ms: number) => breathAtElapsed(p, ms);
    expect(at(0)).toMatchObject({ phase: 'inhale', step: 'inhale', label: 'Inhale', secondsLeft: 4, cycles: 0 });
    expect(at(0.5 * s).secondsLeft).toBe(4);
    expect(at(1 * s).secondsLeft).toBe(3);
    expect(at(3.999 * s).secondsLeft).toBe(1);
    expect(at(4 * s)).toMatchObject({ phase: 'hold', step: 'holdIn', label: 'Hold', secondsLeft: 2 });
    expect(at(6 * s)).toMatchObject({ phase: 'exhale', step: 'exhale', label: 'Exhale', secondsLeft: 4 });
    expect(at(10 * s)).toMatchObject({ phase: 'hold', step: 'holdOut', secondsLeft: 1 });
    expect(at(11 * s)).toMatchObject({ phase: 'inhale', cycles: 1 });
    expect(at(11 * s * 7 + 5 * s)).toMatchObject({ step: 'holdIn', cycles: 7 });
  });

  it('skips zero-length steps (chill has no holds)', () => {
    const steps = new Set<string>();
    for (let ms = 0; ms < cycleMs(PATTERNS.chill); ms += 100) steps.add(breathAtElapsed(PATTERNS.chill, ms).step);
    expect([...steps]).toEqual(['inhale', 'exhale']);
    expect(breathAtElapsed(PATTERNS.chill, 6 * s)).toMatchObject({ phase: 'exhale', secondsLeft: 8 });
  });

  it('rises smoothly from empty to full on the inhale and back on the exhale', () => {
    const p = PATTERNS.boxing;
    expect(breathAtElapsed(p, 0).amplitude).toBe(0);
    expect(breathAtElapsed(p, 2 * s).amplitude).toBeCloseTo(0.5, 10);
    expect(breathAtElapsed(p, 5 * s).amplitude).toBe(1);
    expect(breathAtElapsed(p, 10 * s).amplitude).toBeCloseTo(0.5, 10);
    expect(breathAtElapsed(p, 13 * s).amplitude).toBe(0);
    // Eased: slow at the ends, fastest in the middle.
    const a = (ms: number) => breathAtElapsed(p, ms).amplitude;
    expect(a(200) - a(0)).toBeLessThan(a(2100) - a(1900));
  });

  it('measures from the start time, and treats a clock before the start as the start', () => {
    const start = 1_700_000_000_000;
    expect(breathAt(PATTERNS.medium, start, start + 7 * s)).toMatchObject({ phase: 'exhale', secondsLeft: 3 });
    expect(breathAt(PATTERNS.medium, start, start - 5 * s)).toMatchObject({ phase: 'inhale', secondsLeft: 5, cycles: 0 });
    expect(breathAtElapsed(PATTERNS.medium, Number.NaN)).toMatchObject({ phase: 'inhale', cycles: 0 });
  });

  it('breathes the fallback for a broken pattern object instead of looping or throwing', () => {
    const broken = { name: 'custom', inhale: 0, holdIn: 0, exhale: 0, holdOut: 0 } as BreathingPattern;
    expect(breathAtElapsed(broken, 3 * s)).toMatchObject({ patternName: 'chill', phase: 'inhale', secondsLeft: 3 });
    const negative = { name: 'custom', inhale: -4, holdIn: 1, exhale: 1e9, holdOut: Number.NaN } as BreathingPattern;
    expect(breathAtElapsed(negative, 0).patternName).toBe('chill');
  });

  const validPattern = fc
    .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
    .filter((t) => t.some((n) => n > 0))
    .map(([inhale, holdIn, exhale, holdOut]): BreathingPattern => ({ name: 'custom', inhale, holdIn, exhale, holdOut }));

  it('always gives a real step of the pattern, a countdown within it and an amplitude in 0..1 (property)', () => {
    fc.assert(
      fc.property(validPattern, fc.double({ min: -1e7, max: 1e12, noNaN: true }), (p, elapsed) => {
        const b = breathAtElapsed(p, elapsed);
        expect(['inhale', 'hold', 'exhale']).toContain(b.phase);
        expect(b.stepMs).toBe(p[b.step] * 1000);
        expect(b.stepMs).toBeGreaterThan(0);
        expect(b.msLeft).toBeGreaterThan(0);
        expect(b.msLeft).toBeLessThanOrEqual(b.stepMs);
        expect(b.secondsLeft).toBeGreaterThanOrEqual(1);
        expect(b.secondsLeft).toBeLessThanOrEqual(p[b.step]);
        expect(b.amplitude).toBeGreaterThanOrEqual(0);
        expect(b.amplitude).toBeLessThanOrEqual(1);
        expect(b.cycles).toBe(completedCycles(p, elapsed));
        expect(b.cycles).toBe(elapsed > 0 ? Math.floor(elapsed / cycleMs(p)) : 0);
      }),
    );
  });

  // Continuity needs an inhale and an exhale to move through: with a 0-second inhale the breath goes from empty to
  // full at once (and likewise for the exhale), which the next property pins down.
  it('is continuous in amplitude when the pattern inhales and exhales: no jumps between nearby instants (property)', () => {
    fc.assert(
      fc.property(validPattern.filter((p) => p.inhale > 0 && p.exhale > 0), fc.integer({ min: 0, max: 10_000_000 }), (p, ms) => {
        const a = breathAtElapsed(p, ms).amplitude;
        const b = breathAtElapsed(p, ms + 10).amplitude;
        // 10 ms of a step at least 1 s long moves the eased curve by at most π/2 × 10/1000.
        expect(Math.abs(b - a)).toBeLessThanOrEqual((Math.PI / 2) * 0.01 + 1e-9);
      }),
    );
  });

  it('switches at once between empty and full when the pattern has no inhale and no exhale (property)', () => {
    fc.assert(
      fc.property(validPattern.map((p) => ({ ...p, inhale: 0, exhale: 0 })).filter((p) => p.holdIn + p.holdOut > 0), fc.integer({ min: 0, max: 10_000_000 }), (p, ms) => {
        expect([0, 1]).toContain(breathAtElapsed(p, ms).amplitude);
      }),
    );
  });
});
