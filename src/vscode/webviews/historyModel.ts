import { dayNumber, type HistoryChart } from '../../engine/history';
import type { Translate } from './api';
import { durationText } from '../durationText';
import { escapeHtml } from './page';

/** Everything the history page shows, ready to put in place: text, two SVG charts, the table rows. */
export interface HistoryModel {
  readonly type: 'history';
  readonly today: string;
  readonly week: string;
  readonly streak: string;
  readonly goal: string;
  readonly goalPercent: number;
  readonly heatmapSvg: string;
  readonly barsSvg: string;
  /** The weekly chart as a table (screen readers, and anyone who prefers numbers). */
  readonly weekRows: readonly (readonly [string, string])[];
  /** Newest first: started, active, goal. */
  readonly recentRows: readonly (readonly [string, string, string])[];
  readonly empty: boolean;
}

function dateOf(day: string): Date {
  // Noon UTC of that calendar date, formatted in UTC: the label is the date itself, never shifted by a zone.
  return new Date(dayNumber(day) * 86_400_000 + 43_200_000);
}

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

const CELL = 11;
const GAP = 2;
const LEFT = 26;
const TOP = 14;

function heatmapSvg(chart: HistoryChart, t: Translate, locale: string): string {
  const { weeks, cells } = chart.heatmap;
  const dayLabel = formatter(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const month = formatter(locale, { month: 'short', timeZone: 'UTC' });
  const weekdayName = formatter(locale, { weekday: 'short', timeZone: 'UTC' });
  const width = LEFT + weeks * (CELL + GAP);
  const height = TOP + 7 * (CELL + GAP);
  const meditated = cells.filter((c) => c.ms > 0).length;
  const title = t('Minutes meditated per day, last {0} weeks: {1} days with meditation', weeks, meditated);
  const out: string[] = [
    `<svg class="heatmap" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="heatmap-title"><title id="heatmap-title">${escapeHtml(title)}</title>`,
  ];
  for (const row of [0, 2, 4]) {
    const first = cells[row];
    if (first) out.push(`<text class="axis" x="0" y="${TOP + row * (CELL + GAP) + CELL - 2}">${escapeHtml(weekdayName.format(dateOf(first.day)))}</text>`);
  }
  let lastMonth = '';
  for (let w = 0; w < weeks; w++) {
    const top = cells[w * 7];
    if (!top) continue;
    const m = month.format(dateOf(top.day));
    if (m !== lastMonth && w < weeks - 1) {
      if (lastMonth !== '' || w === 0) out.push(`<text class="axis" x="${LEFT + w * (CELL + GAP)}" y="${TOP - 4}">${escapeHtml(m)}</text>`);
      lastMonth = m;
    }
    for (let d = 0; d < 7; d++) {
      const c = cells[w * 7 + d];
      if (!c) continue;
      const cls = c.future ? 'future' : `l${c.level}`;
      const label = c.future ? '' : `<title>${escapeHtml(`${dayLabel.format(dateOf(c.day))}: ${durationText(c.ms, t)}`)}</title>`;
      out.push(`<rect class="${cls}" x="${LEFT + w * (CELL + GAP)}" y="${TOP + d * (CELL + GAP)}" width="${CELL}" height="${CELL}" rx="2">${label}</rect>`);
    }
  }
  out.push('</svg>');
  return out.join('');
}

function barsSvg(chart: HistoryChart, t: Translate, locale: string): string {
  const short = formatter(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const bars = chart.bars;
  const max = Math.max(1, ...bars.map((b) => b.ms));
  const BAR = 16;
  const STEP = 22;
  const CHART_H = 80;
  const PAD = 14; // room for the first and last date labels
  const width = 2 * PAD + bars.length * STEP;
  const height = CHART_H + 30;
  const title = t('Minutes meditated per week, last {0} weeks', bars.length);
  const out: string[] = [`<svg class="bars" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="bars-title"><title id="bars-title">${escapeHtml(title)}</title>`];
  out.push(`<line class="baseline" x1="0" y1="${CHART_H + 0.5}" x2="${width}" y2="${CHART_H + 0.5}"></line>`);
  bars.forEach((b, i) => {
    const h = b.ms > 0 ? Math.max(2, Math.round((b.ms / max) * (CHART_H - 12))) : 0;
    const x = PAD + i * STEP;
    const current = i === bars.length - 1 ? ' current' : '';
    out.push(`<rect class="bar${current}" x="${x}" y="${CHART_H - h}" width="${BAR}" height="${h}" rx="2"><title>${escapeHtml(t('Week of {0}: {1}', short.format(dateOf(b.start)), durationText(b.ms, t)))}</title></rect>`);
    if (i % 3 === bars.length % 3 || i === bars.length - 1) {
      out.push(`<text class="axis" x="${x + BAR / 2}" y="${CHART_H + 14}" text-anchor="middle">${escapeHtml(short.format(dateOf(b.start)))}</text>`);
    }
  });
  const peak = bars.reduce((best, b) => (b.ms > best.ms ? b : best), bars[0] ?? { ms: 0, start: '', sessions: 0 });
  if (peak.ms > 0) out.push(`<text class="axis" x="${width}" y="9" text-anchor="end">${escapeHtml(t('max {0}', durationText(peak.ms, t)))}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The page's model for a chart (pure: the same chart and locale give the same model). */
export function historyModel(chart: HistoryChart, t: Translate, locale: string): HistoryModel {
  const when = formatter(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const short = formatter(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const goalPercent = Math.round(chart.goal.fraction * 100);
  return {
    type: 'history',
    today: durationText(chart.today.ms, t),
    week: durationText(chart.week.ms, t),
    streak: chart.streak.current === 1 ? t('1 day') : t('{0} days', chart.streak.current),
    goal: chart.goal.reached
      ? t('Daily goal of {0} min reached', chart.goal.minutes)
      : t('{0} of {1} min today', Math.floor(chart.goal.ms / 60_000), chart.goal.minutes),
    goalPercent,
    heatmapSvg: heatmapSvg(chart, t, locale),
    barsSvg: barsSvg(chart, t, locale),
    weekRows: [...chart.bars].reverse().map((b) => [t('Week of {0}', short.format(dateOf(b.start))), durationText(b.ms, t)] as const),
    recentRows: chart.recent.map((s) => [
      Number.isFinite(new Date(s.startedAt).getTime()) ? when.format(new Date(s.startedAt)) : '—',
      durationText(s.activeMs, t),
      s.goalReached ? t('{0} min ✓', s.goalMinutes) : t('{0} min', s.goalMinutes),
    ] as const),
    empty: chart.totals.sessions === 0,
  };
}
