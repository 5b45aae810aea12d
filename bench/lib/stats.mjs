// Order statistics for benchmark samples. Medians and high percentiles, never means: the machine is shared and a
// single stall would drag a mean far from what a user typically sees.

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN for no values. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => quantile(values, 0.5);

/** Rounds for people: 3 significant digits, enough to compare and not pretend to more precision. */
export function round(value, digits = 3) {
  if (!Number.isFinite(value)) return value;
  if (value === 0) return 0;
  return Number(value.toPrecision(digits));
}
