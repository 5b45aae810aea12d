// Renders the extension benchmark's figures (bench/extension/results.json) as bench/extension-results.md, with the
// goals of the idle-cost work and whether each is met.

const GOALS = {
  idlePerWindowPct: 0.3, // paused or unfocused: renderer + extension host within +0.3 % of a core of no extension
  focusedBreathingPct: 1, // focused and breathing: ≤ +1 %
  activateMs: 20,
};

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const signed = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');

/** Per state and window: the figures of both variants and the difference (Breath Master minus no extension). */
export function compare(results) {
  const [none, ours] = results.variants;
  return ours.states.map((state, s) => {
    const base = none.states[s];
    return {
      state: state.state,
      storeCommitsPerMin: state.storeCommitsPerMin,
      committedKeys: state.committedKeys ?? {},
      windows: state.windows.map((w, i) => {
        const b = base?.windows[i];
        const total = w.rendererCpuPct + w.extensionHostCpuPct;
        const baseTotal = (b?.rendererCpuPct ?? Number.NaN) + (b?.extensionHostCpuPct ?? Number.NaN);
        return { ...w, base: b, deltaPct: total - baseTotal };
      }),
    };
  });
}

/** Each goal: what it asks, the figure, met or not. */
export function goals(results) {
  const rows = compare(results);
  const out = [];
  for (const row of rows) {
    const breathingFocused = row.state.startsWith('breathing') && !row.state.includes('unfocused');
    for (const w of row.windows) {
      if (row.state.startsWith('session')) continue;
      if (breathingFocused && w.focused) {
        out.push({ goal: `focused and breathing (${row.state}, window ${w.window}): ≤ +${GOALS.focusedBreathingPct} % of a core`, figure: `${signed(w.deltaPct)} %`, met: w.deltaPct <= GOALS.focusedBreathingPct });
      } else {
        out.push({ goal: `${row.state.startsWith('paused') ? 'paused' : 'unfocused'} (${row.state}, window ${w.window}): ≤ +${GOALS.idlePerWindowPct} % of a core`, figure: `${signed(w.deltaPct)} %`, met: w.deltaPct <= GOALS.idlePerWindowPct });
      }
    }
    if (!row.state.startsWith('session')) {
      out.push({ goal: `no store commits when nothing changes (${row.state})`, figure: `${fmt(row.storeCommitsPerMin, 1)} / min`, met: row.storeCommitsPerMin === 0 });
    }
  }
  const activate = results.variants[1]?.activate;
  if (activate) {
    out.push({ goal: `\`activate\` call ≤ ${GOALS.activateMs} ms ("Call Activate", Developer: Startup Performance)`, figure: `${fmt(activate.callActivateMs, 0)} ms`, met: activate.callActivateMs <= GOALS.activateMs });
  }
  return out;
}

/** " (progress 3, presence 1)": the records committed, by key folder name. */
function keysOf(keys) {
  const parts = Object.entries(keys).map(([name, n]) => `${name.replace(/^breathmaster_/, '')} ${n}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export function renderMarkdown(results) {
  const m = results.machine;
  const lines = [];
  lines.push('# Breath Master in real VS Code: what it costs when idle');
  lines.push('');
  lines.push(`\`npm run bench:extension\` (bench/extension/run.mjs): code-server ${results.codeServer} (VS Code ${results.vscode}) and`);
  lines.push(`headless Chromium, two windows with real focus, ${results.secondsPerState} s per state; the same VS Code with no`);
  lines.push('extension installed, then with Breath Master (progress tracking on, default chill pattern). CPU is % of one core,');
  lines.push('from /proc/<pid>/stat (utime + stime) **over the whole state** (work done once per phase or per minute counts),');
  lines.push('of each window\'s renderer process and of its extension host process. "Focused" is what VS Code believes (its title');
  lines.push('bar\'s `inactive` mark), not only the browser\'s `document.hasFocus()`. Status-bar updates: MutationObserver');
  lines.push('callbacks that touch our items, per second and window. Store commits: new `v<seq>.json` version files under the');
  lines.push('extension\'s `globalStorage/…/records/`, per minute (all windows), and which records they were.');
  lines.push('');
  lines.push(`Machine: ${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB, ${m.os}, Node ${m.node}; shared with other work, load`);
  lines.push(`average ${m.loadAverageAtStart?.join(' / ')} at the start and ${m.loadAverageAtEnd?.join(' / ')} at the end. Commit ${results.commit}, ${m.date}.`);
  lines.push('');
  lines.push('## Goals');
  lines.push('');
  lines.push('| goal | figure | met |');
  lines.push('| --- | ---: | :---: |');
  for (const g of goals(results)) lines.push(`| ${g.goal} | ${g.figure} | ${g.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push('## Per state and window');
  lines.push('');
  lines.push('| state | window | focused | renderer: none → Breath Master | extension host: none → Breath Master | Δ (both) | status-bar updates / s | store commits / min |');
  lines.push('| --- | :---: | :---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of compare(results)) {
    row.windows.forEach((w, i) => {
      lines.push(
        `| ${i === 0 ? row.state : ''} | ${w.window} | ${w.focused ? 'yes' : 'no'} | ${fmt(w.base?.rendererCpuPct)} → ${fmt(w.rendererCpuPct)} | ` +
          `${fmt(w.base?.extensionHostCpuPct)} → ${fmt(w.extensionHostCpuPct)} | ${signed(w.deltaPct)} | ${fmt(w.statusBarUpdatesPerS)} | ${i === 0 ? `${fmt(row.storeCommitsPerMin, 1)}${keysOf(row.committedKeys)}` : ''} |`,
      );
    });
  }
  const activate = results.variants[1]?.activate;
  if (activate) {
    lines.push('');
    lines.push('## Activation');
    lines.push('');
    lines.push(`Developer: Startup Performance, window A: load code ${fmt(activate.loadCodeMs, 0)} ms, \`activate\` call ${fmt(activate.callActivateMs, 0)} ms,`);
    lines.push(`finish activate ${fmt(activate.finishActivateMs, 0)} ms.`);
    if (activate.row) lines.push('', '```', activate.row.trim(), '```');
  }
  lines.push('');
  lines.push(`The whole run took ${results.durationS} s. Single runs on a shared machine: differences of a few tenths of a percent`);
  lines.push('are within its noise; the no-extension figures show what the workbench itself costs in the same state.');
  return lines.join('\n');
}
