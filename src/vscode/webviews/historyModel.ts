import { dayNumber, type HistoryChart } from '../../engine/history';
import type { Translate } from './api';
import { durationText } from '../durationText';
import { escapeHtml } from './page';

/** Everything the history page shows, ready to put in place: text, two charts, the table rows. */
export interface HistoryModel {
  readonly type: 'history';
  readonly today: string;
  readonly week: string;
  readonly streak: string;
  readonly goal: string;
  readonly goalPercent: number;
  /** The two charts, markup generated (and escaped) here. */
  readonly heatmapMarkup: string;
  readonly barsMarkup: string;
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

/**
 * The heatmap as an HTML grid, not an SVG: a viewBox scaled to a narrow sidebar scaled its labels down with it (to
 * about 7 px). The page's CSS lays it out (history.css, `.heatmap`): column by column, a first column of weekday
 * names, then one column per week (the month's name above its first week, then its 7 days); the cells share the
 * width and stay square, and every label is text at the page's own size.
 */
function heatmapMarkup(chart: HistoryChart, t: Translate, locale: string): string {
  const { weeks, cells } = chart.heatmap;
  const dayLabel = formatter(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const month = formatter(locale, { month: 'short', timeZone: 'UTC' });
  const weekdayName = formatter(locale, { weekday: 'short', timeZone: 'UTC' });
  const meditated = cells.filter((c) => c.ms > 0).length;
  const title = t('Minutes meditated per day, last {0} weeks: {1} days with meditation', weeks, meditated);
  const out: string[] = [`<div class="heatmap" role="img" aria-label="${escapeHtml(title)}">`, '<span class="corner"></span>'];
  for (let row = 0; row < 7; row++) {
    // Every other day is named (as before): names at full size need the room of two rows.
    const first = cells[row];
    const name = first && row % 2 === 0 && row < 6 ? escapeHtml(weekdayName.format(dateOf(first.day))) : '';
    out.push(`<span class="weekday axis">${name}</span>`);
  }
  // A month's name over its first week, when it has room: three weeks before the next name (at full size it is about
  // that wide), and never over the last week (nothing to its right). The month the chart starts in is named only
  // when three of its weeks are shown.
  const months = Array.from({ length: weeks }, (_, w) => {
    const top = cells[w * 7];
    return top ? month.format(dateOf(top.day)) : '';
  });
  const starts = months.flatMap((m, w) => (m !== '' && (w === 0 || m !== months[w - 1]) ? [w] : []));
  const named = new Set<number>();
  let lastLabel = -Infinity;
  starts.forEach((w, i) => {
    const next = starts[i + 1] ?? weeks;
    if (w === 0 && next < 3) return;
    if (w < weeks - 1 && w - lastLabel >= 3) {
      named.add(w);
      lastLabel = w;
    }
  });
  for (let w = 0; w < weeks; w++) {
    if (!cells[w * 7]) continue;
    out.push(`<span class="month axis">${named.has(w) ? escapeHtml(months[w] ?? '') : ''}</span>`);
    for (let d = 0; d < 7; d++) {
      const c = cells[w * 7 + d];
      if (!c) continue;
      if (c.future) out.push('<span class="cell future"></span>');
      else out.push(`<span class="cell l${c.level}" title="${escapeHtml(`${dayLabel.format(dateOf(c.day))}: ${durationText(c.ms, t)}`)}"></span>`);
    }
  }
  out.push('</div>');
  return out.join('');
}

/**
 * The weekly bars: the bars alone are an SVG stretched to the width (no text in it, so nothing is scaled), the
 * dates under them and the peak above them are HTML text at the page's size, in a grid of one column per bar.
 */
function barsMarkup(chart: HistoryChart, t: Translate, locale: string): string {
  const short = formatter(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const bars = chart.bars;
  const max = Math.max(1, ...bars.map((b) => b.ms));
  const BAR = 16;
  const STEP = 22;
  const CHART_H = 80;
  const width = Math.max(1, bars.length) * STEP;
  const title = t('Minutes meditated per week, last {0} weeks', bars.length);
  const peak = bars.reduce((best, b) => (b.ms > best.ms ? b : best), bars[0] ?? { ms: 0, start: '', sessions: 0 });
  const out: string[] = [
    '<div class="bar-chart">',
    `<p class="peak axis" aria-hidden="true">${peak.ms > 0 ? escapeHtml(t('max {0}', durationText(peak.ms, t))) : ''}</p>`,
    `<svg class="bars" viewBox="0 0 ${width} ${CHART_H}" preserveAspectRatio="none" role="img" aria-labelledby="bars-title"><title id="bars-title">${escapeHtml(title)}</title>`,
    `<line class="baseline" x1="0" y1="${CHART_H - 0.5}" x2="${width}" y2="${CHART_H - 0.5}" vector-effect="non-scaling-stroke"></line>`,
  ];
  bars.forEach((b, i) => {
    const h = b.ms > 0 ? Math.max(2, Math.round((b.ms / max) * (CHART_H - 4))) : 0;
    const current = i === bars.length - 1 ? ' current' : '';
    out.push(`<rect class="bar${current}" x="${i * STEP + (STEP - BAR) / 2}" y="${CHART_H - h}" width="${BAR}" height="${h}"><title>${escapeHtml(t('Week of {0}: {1}', short.format(dateOf(b.start)), durationText(b.ms, t)))}</title></rect>`);
  });
  out.push('</svg>', '<div class="dates axis" aria-hidden="true">');
  // Dates at full size need room: about four of them, counted back from the current week; none over the first
  // bar (it would stick out on the left).
  const every = Math.max(3, Math.ceil(bars.length / 4));
  bars.forEach((b, i) => {
    const shown = (bars.length - 1 - i) % every === 0 && (i > 0 || bars.length === 1);
    const last = i === bars.length - 1 ? ' class="last"' : '';
    out.push(`<span${last}>${shown ? escapeHtml(short.format(dateOf(b.start))) : ''}</span>`);
  });
  out.push('</div></div>');
  return out.join('');
}

/** The page's model for a chart (pure: the same chart and locale give the same model). */
export function historyModel(chart: HistoryChart, t: Translate, locale: string): HistoryModel {
  // A narrow sidebar: a session of this year is shown without the year ("Dec 6, 2:12 PM"), so the row fits.
  const thisYear = dateOf(chart.today.day).getUTCFullYear();
  const whenThisYear = formatter(locale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const whenEarlier = formatter(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const when = { format: (d: Date): string => (d.getFullYear() === thisYear ? whenThisYear : whenEarlier).format(d) };
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
    heatmapMarkup: heatmapMarkup(chart, t, locale),
    barsMarkup: barsMarkup(chart, t, locale),
    weekRows: [...chart.bars].reverse().map((b) => [t('Week of {0}', short.format(dateOf(b.start))), durationText(b.ms, t)] as const),
    recentRows: chart.recent.map((s) => [
      Number.isFinite(new Date(s.startedAt).getTime()) ? when.format(new Date(s.startedAt)) : '—',
      durationText(s.activeMs, t),
      s.goalReached ? t('{0} min ✓', s.goalMinutes) : t('{0} min', s.goalMinutes),
    ] as const),
    empty: chart.totals.sessions === 0,
  };
}
