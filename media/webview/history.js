/* global window, document, acquireVsCodeApi */
// The history page: puts each posted model in place. Text goes in as textContent; the two charts are markup
// generated (and escaped) by the extension, replaced only when they changed.
(() => {
  const host = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const setText = (id, text) => {
    const el = $(id);
    if (el && el.textContent !== text) el.textContent = text;
  };
  const setMarkup = (id, markup) => {
    const el = $(id);
    if (el && el.dataset.markup !== markup) {
      el.dataset.markup = markup;
      el.innerHTML = markup;
    }
  };
  const rows = (id, data) => {
    const body = $(id);
    if (!body) return;
    const key = JSON.stringify(data);
    if (body.dataset.key === key) return;
    body.dataset.key = key;
    body.replaceChildren(...data.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      return tr;
    }));
  };

  function apply(m) {
    if (!m || m.type !== 'history') return;
    setText('today', m.today);
    setText('week', m.week);
    setText('streak', m.streak);
    setText('goal-text', m.goal);
    const meter = $('goal-meter');
    if (meter) {
      meter.setAttribute('aria-valuenow', String(m.goalPercent));
      $('goal-fill').style.width = `${m.goalPercent}%`;
      meter.classList.toggle('reached', m.goalPercent >= 100);
    }
    setMarkup('heatmap', m.heatmapMarkup);
    setMarkup('bars', m.barsMarkup);
    rows('week-rows', m.weekRows);
    rows('recent-rows', m.recentRows);
    $('recent').hidden = m.recentRows.length === 0;
    $('empty').hidden = !m.empty;
    document.body.dataset.sessions = String(m.recentRows.length);
  }

  window.addEventListener('message', (event) => apply(event.data));
  apply(JSON.parse(document.body.dataset.initial || 'null'));
  host.postMessage({ type: 'ready' });
})();
