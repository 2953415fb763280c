// app — the hash router: #/VIEW/ARG?query picks a view module, gives it the
// view element, and, on leaving, aborts its requests and runs its cleanups
// (live-update subscriptions, timers) so no page keeps working in the back.
import {renderZoneLabel, setPipelineZone, setZoneMode, showError, zoneMode} from './util.js';

const VIEWS = {
  '': './dashboard.js',
  dashboard: './dashboard.js',
  runs: './runs.js',
  grid: './grid.js',
  graph: './graph.js',
  gantt: './gantt.js',
  log: './log.js',
  transfers: './transfers.js',
  lineage: './lineage.js',
  versions: './versions.js',
};

let current = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {name: parts[0] || '', args: parts.slice(1), query: new URLSearchParams(query)};
}

async function route() {
  if (current) {
    current.abort.abort();
    for (const fn of current.cleanups) fn();
  }
  const r = parseHash();
  const mod = VIEWS[r.name];
  const view = document.getElementById('view');
  const ctx = {
    ...r,
    abort: new AbortController(),
    cleanups: [],
    onLeave(fn) { this.cleanups.push(fn); },
    get signal() { return this.abort.signal; },
    // the same view with other query values (filters, chosen run ...)
    go(query) { location.hash = `#/${[r.name, ...r.args].map(encodeURIComponent).join('/')}${query}`; },
  };
  current = ctx;
  showError(null);
  setPipelineZone(null);
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('active', a.dataset.view === (r.name || 'dashboard'));
  view.replaceChildren();
  view.dataset.view = r.name || 'dashboard';
  view.setAttribute('aria-busy', 'true');
  if (!mod) {
    view.textContent = `No view "${r.name}".`;
    view.removeAttribute('aria-busy');
    return;
  }
  try {
    const m = await import(mod);
    if (current !== ctx) return;
    await m.render(view, ctx);
  } catch (e) {
    if (current === ctx) showError(e);
  } finally {
    if (current === ctx) {
      view.removeAttribute('aria-busy');
      view.dataset.ready = String(Date.now());
      // when the view was drawn, and the frame after (painted): what the
      // benchmark reads, and what a profile in the browser shows
      performance.clearMarks('flux:view-ready');
      performance.clearMarks('flux:view-painted');
      performance.mark('flux:view-ready', {detail: view.dataset.view});
      requestAnimationFrame(() => setTimeout(() => {
        if (current === ctx) performance.mark('flux:view-painted', {detail: view.dataset.view});
      }));
    }
  }
}

document.getElementById('zone-toggle').addEventListener('click', () => {
  setZoneMode(zoneMode() === 'pipeline' ? 'utc' : 'pipeline');
  route();
});
window.addEventListener('hashchange', route);
renderZoneLabel();
route();
