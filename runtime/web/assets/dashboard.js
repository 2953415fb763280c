// dashboard — succeeded vs failed runs per day over the last 14 days (per
// pipeline or all), what is running now, the latest failures with their
// failing task and note, whether each scheduler is alive, and the notifiers
// whose notifications keep failing.
import {api, fmtDuration, h, pipelineSelect, pipelines, qs, s, setPipelineZone, stateEl, timeEl} from './util.js';

const DAYS = 14;

export async function render(view, ctx) {
  const pipeline = ctx.query.get('pipeline') || '';
  if (pipeline) setPipelineZone((await pipelines()).find((p) => p.pipeline === pipeline)?.timezone);
  const sel = await pipelineSelect(pipeline);
  sel.addEventListener('change', () => ctx.go(qs({pipeline: sel.value})));

  const [daily, running, failed, scheds, notifiers] = await Promise.all([
    api(`/api/v1/stats/daily${qs({days: DAYS, pipeline})}`, {signal: ctx.signal}),
    api(`/api/v1/runs${qs({state: 'running', pipeline, limit: 50})}`, {signal: ctx.signal}),
    api(`/api/v1/runs${qs({state: 'failed', pipeline, limit: 10})}`, {signal: ctx.signal}),
    api('/api/v1/schedulers', {signal: ctx.signal}),
    api('/api/v1/notifiers/failing', {signal: ctx.signal}),
  ]);
  // the failing task and its note come from each failed run's tasks
  const details = await Promise.all(failed.items.map((r) =>
    api(`/api/v1/runs/${r.id}`, {signal: ctx.signal}).catch(() => null)));

  view.append(
    h('h1', null, 'Dashboard'),
    h('div', {class: 'filters'}, h('label', null, 'Pipeline ', sel)),
    h('section', {class: 'card', id: 'daily'}, h('h2', null, `Runs per day, last ${DAYS} days`),
      chart(daily.items || [])),
    h('section', {class: 'card', id: 'running'}, h('h2', null, 'Running now'), runningTable(running.items)),
    h('section', {class: 'card', id: 'failures'}, h('h2', null, 'Recent failures'), failuresTable(failed.items, details)),
    h('section', {class: 'card', id: 'schedulers'}, h('h2', null, 'Schedulers'), schedTable(scheds)),
    h('section', {class: 'card', id: 'notifiers'}, h('h2', null, 'Notifiers'), notifierTable(notifiers.items || [])),
  );
}

// days: the last DAYS calendar days (UTC, as the API counts them), oldest first
function chart(items) {
  const byDay = new Map();
  for (const it of items) {
    const d = byDay.get(it.day) || {succeeded: 0, failed: 0, running: 0};
    d.succeeded += it.succeeded || 0;
    d.failed += it.failed || 0;
    d.running += it.running || 0;
    byDay.set(it.day, d);
  }
  const days = [];
  const today = new Date();
  for (let i = DAYS - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    days.push(d.toISOString().slice(0, 10));
  }
  for (const k of byDay.keys()) if (!days.includes(k)) days.push(k);
  days.sort();
  const max = Math.max(1, ...days.map((d) => { const v = byDay.get(d); return v ? Math.max(v.succeeded, v.failed) : 0; }));
  const W = 1000, H = 220, pad = 30, slot = (W - pad) / days.length, bw = slot / 2 - 4;
  const svg = s('svg', {viewBox: `0 0 ${W} ${H + 40}`, class: 'chart', role: 'img',
    'aria-label': 'succeeded and failed runs per day'});
  svg.append(s('line', {x1: pad, y1: H, x2: W, y2: H, class: 'axis'}),
    s('text', {x: 2, y: 12, class: 'tick'}, String(max)), s('text', {x: 2, y: H, class: 'tick'}, '0'));
  days.forEach((day, i) => {
    const v = byDay.get(day) || {succeeded: 0, failed: 0, running: 0};
    const x = pad + i * slot + 2;
    const hs = (v.succeeded / max) * (H - 10), hf = (v.failed / max) * (H - 10);
    const g = s('g', {class: 'day', 'data-day': day, 'data-succeeded': v.succeeded, 'data-failed': v.failed});
    g.append(
      s('rect', {x, y: H - hs, width: bw, height: hs, class: 'bar-success'},
        s('title', null, `${day}: ${v.succeeded} succeeded`)),
      s('rect', {x: x + bw + 2, y: H - hf, width: bw, height: hf, class: 'bar-failed'},
        s('title', null, `${day}: ${v.failed} failed`)),
      s('text', {x: x + bw, y: H + 16, class: 'tick', 'text-anchor': 'middle'}, day.slice(5)));
    svg.append(g);
  });
  const legend = h('p', {class: 'legend'}, h('span', {class: 'swatch bar-success'}), ' succeeded ',
    h('span', {class: 'swatch bar-failed'}), ' failed (days in UTC)');
  return [svg, legend];
}

function runLink(r) {
  return h('a', {href: `#/grid/${encodeURIComponent(r.pipeline)}?run=${r.id}`}, r.run_id);
}

function runningTable(items) {
  if (!items.length) return h('p', {class: 'empty'}, 'Nothing is running.');
  const now = Date.now();
  return h('table', null, h('thead', null, h('tr', null, ['pipeline', 'run', 'started', 'for'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((r) => h('tr', {dataset: {run: r.id}},
      h('td', null, r.pipeline), h('td', null, runLink(r)), h('td', null, timeEl(r.started)),
      h('td', null, r.started ? fmtDuration(now - Date.parse(r.started)) : '')))));
}

function failuresTable(items, details) {
  if (!items.length) return h('p', {class: 'empty'}, 'No failed runs.');
  return h('table', null,
    h('thead', null, h('tr', null, ['pipeline', 'run', 'ended', 'failing task', 'note'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((r, i) => {
      const d = details[i];
      const tries = d ? d.task_instances || [] : [];
      // the last try of each failed task, the first such in plan order
      const bad = (d ? d.tasks || [] : []).filter((t) => /fail/.test(t.state));
      const first = bad[0];
      const last = first ? tries.filter((t) => t.task === first.task).pop() : null;
      return h('tr', {dataset: {run: r.id}}, h('td', null, r.pipeline), h('td', null, runLink(r)),
        h('td', null, timeEl(r.ended)),
        h('td', null, first ? h('a', {href: `#/grid/${encodeURIComponent(r.pipeline)}?run=${r.id}&task=${encodeURIComponent(first.task)}`}, first.task) : ''),
        h('td', {class: 'note'}, last && last.note ? last.note : ''));
    })));
}

function schedTable(sc) {
  const items = Array.isArray(sc) ? sc : sc.items || sc.schedulers || [];
  if (!items.length) return h('p', {class: 'empty'}, 'No scheduler has run against this store.');
  return h('table', null, h('thead', null, h('tr', null, ['scheduler', 'health', 'last heartbeat'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((x) => h('tr', null, h('td', null, x.scheduler),
      h('td', null, stateEl(x.alive ? 'alive' : x.stopped ? 'stopped' : 'dead')),
      h('td', null, x.heartbeat_age_ms === null || x.heartbeat_age_ms === undefined ? '' : `${fmtDuration(x.heartbeat_age_ms)} ago`)))));
}

// notifiers whose latest notification failed for good or keeps being retried
function notifierTable(items) {
  if (!items.length) return h('p', {class: 'empty'}, 'No notifier is failing.');
  return h('table', null, h('thead', null, h('tr', null, ['notifier', 'state', 'last error'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((x) => h('tr', {class: 'failing'}, h('td', null, x.notifier),
      h('td', null, x.failing || x.state || ''), h('td', {class: 'note'}, x.last_error || '')))));
}
