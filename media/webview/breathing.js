/* global window, document, acquireVsCodeApi, matchMedia */
// The breathing view's page. The circle is one Web Animation per pattern, started at the right point of the cycle
// (cycles counted from the same origin as the status bar); the browser moves it. Script runs once a second for the
// countdown and once per phase for the screen-reader announcement — never per frame.
(() => {
  const host = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const orb = $('orb');
  const phaseEl = $('phase');
  const secondsEl = $('seconds');
  const live = $('live');
  const patternEl = $('pattern');
  const announceButton = $('announce');
  const chime = $('chime');
  const motionQuery = matchMedia('(prefers-reduced-motion: reduce)');
  const STEPS = ['inhale', 'holdIn', 'exhale', 'holdOut'];
  const EMPTY = 0.55;
  const FULL = 1;
  // Close to the engine's cosine ease, (1 - cos πt) / 2.
  const EASE = 'cubic-bezier(0.37, 0, 0.63, 1)';

  let state = JSON.parse(document.body.dataset.initial || 'null');
  // The host's clock minus ours. The page and the extension host usually share one machine clock: a difference is
  // only believed when it is larger than a message's delay could explain (a remote extension host). The data
  // written into the page may be old by the time it loads, so only a posted message's clock counts.
  const SKEW_MS = 1000;
  let offset = 0;
  let animation = null;
  let animationKey = '';
  let timer = undefined;
  let lastStepKey = '';
  const saved = host.getState() || {};
  let announce = saved.announce !== false;

  const now = () => Date.now() + offset;
  const cycleMs = (p) => (p.inhale + p.holdIn + p.exhale + p.holdOut) * 1000;
  const reduced = () => state.reduceMotion === 'on' || (state.reduceMotion !== 'off' && motionQuery.matches);
  const label = (step) => (step === 'inhale' ? state.labels.inhale : step === 'exhale' ? state.labels.exhale : state.labels.hold);
  const fill = (text, ...args) => text.replace(/\{(\d+)\}/g, (m, i) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));

  /** Where the breath is at `t`: the same walk over the steps as the engine's breathAtElapsed. */
  function at(t) {
    const p = state.pattern;
    const total = cycleMs(p);
    const elapsed = Math.max(0, t - state.origin);
    const cycle = Math.floor(elapsed / total);
    let into = elapsed - cycle * total;
    for (const step of STEPS) {
      const ms = p[step] * 1000;
      if (ms === 0) continue;
      if (into < ms) return { step, msLeft: ms - into, stepMs: ms, into: elapsed - cycle * total, cycle };
      into -= ms;
    }
    return { step: 'inhale', msLeft: p.inhale * 1000, stepMs: p.inhale * 1000, into: 0, cycle };
  }

  function keyframes(p) {
    const total = cycleMs(p);
    let t = 0;
    const frames = [{ offset: 0, transform: `scale(${EMPTY})`, easing: EASE }];
    t += p.inhale * 1000;
    frames.push({ offset: t / total, transform: `scale(${FULL})`, easing: 'linear' });
    t += p.holdIn * 1000;
    frames.push({ offset: t / total, transform: `scale(${FULL})`, easing: EASE });
    t += p.exhale * 1000;
    frames.push({ offset: t / total, transform: `scale(${EMPTY})`, easing: 'linear' });
    frames.push({ offset: 1, transform: `scale(${EMPTY})` });
    return frames;
  }

  /** Starts (or re-aligns) the one animation; none at all with reduced motion. */
  function align() {
    if (reduced() || document.hidden) {
      if (animation) animation.cancel();
      animation = null;
      animationKey = '';
      return;
    }
    const p = state.pattern;
    const key = JSON.stringify(p);
    const into = at(now()).into;
    if (!animation || key !== animationKey) {
      if (animation) animation.cancel();
      animation = orb.animate(keyframes(p), { duration: cycleMs(p), iterations: Infinity });
      animationKey = key;
      animation.currentTime = into;
      return;
    }
    // Timers and the animation clock drift apart slowly (sleep, a busy machine): nudge only when it shows.
    const current = Number(animation.currentTime) % cycleMs(p);
    const drift = Math.abs(current - into);
    if (Math.min(drift, cycleMs(p) - drift) > 40) animation.currentTime = into;
  }

  /** Text, phase attributes and the announcement; then one timer for the next visible change. */
  function render() {
    clearTimeout(timer);
    const b = at(now());
    const seconds = Math.max(1, Math.ceil(b.msLeft / 1000));
    const stepKey = `${b.cycle}:${b.step}`;
    if (stepKey !== lastStepKey) {
      lastStepKey = stepKey;
      orb.dataset.step = b.step;
      document.body.dataset.step = b.step;
      phaseEl.textContent = label(b.step);
      if (announce) live.textContent = fill(state.labels.announce, label(b.step), Math.round(b.stepMs / 1000));
      align();
    }
    secondsEl.textContent = String(seconds);
    const toNextSecond = b.msLeft % 1000 === 0 ? 1000 : b.msLeft % 1000;
    timer = setTimeout(render, Math.max(16, Math.min(toNextSecond, b.msLeft) + 5));
  }

  function apply(next) {
    if (next) {
      state = next;
      const skew = next.hostNow - Date.now();
      offset = Math.abs(skew) > SKEW_MS ? skew : 0;
    }
    patternEl.textContent = state.labels.pattern;
    document.body.classList.toggle('reduced', reduced());
    document.body.classList.toggle('motion', state.reduceMotion === 'off');
    lastStepKey = '';
    align();
    render();
  }

  function setAnnounce(on) {
    announce = on;
    announceButton.setAttribute('aria-pressed', String(on));
    if (!on) live.textContent = '';
    host.setState({ ...(host.getState() || {}), announce: on });
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'breath') apply(m);
    else if (m.type === 'chime') {
      chime.currentTime = 0;
      chime.volume = 0.6;
      chime.play().catch((error) => host.postMessage({ type: 'problem', message: `chime: ${error && error.message}` }));
    }
  });
  announceButton.addEventListener('click', () => setAnnounce(!announce));
  motionQuery.addEventListener('change', () => apply());
  // A hidden panel's animation and timers are throttled: start over from the clock when it shows again.
  document.addEventListener('visibilitychange', () => apply());

  setAnnounce(announce);
  if (state) apply();
  host.postMessage({ type: 'ready' });
})();
