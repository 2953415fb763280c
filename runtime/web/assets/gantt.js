// gantt — one run's tries on a time axis: the time each waited (ready or
// queued until started) and the time it ran, in the order the store gives.
import {api, fmtDuration, fmtTime, h, pipelines, qs, s, setPipelineZone, stateEl, subscribe, debounce, timeEl} from './util.js';

export async function render(view, ctx) {
  const runId = ctx.args[0];
  if (!runId) return pickRun(view, ctx, 'gantt');
  const box = h('div', {class: 'gantt-box'});
  const head = h('div');
  view.append(h('h1', null, 'Gantt'), head, box);
  const load = async () => {
    const g = await api(`/api/v1/runs/${encodeURIComponent(runId)}/gantt`, {signal: ctx.signal});
    setPipelineZone((await pipelines()).find((p) => p.pipeline === g.run.pipeline)?.timezone);
    head.replaceChildren(h('p', {class: 'sub'}, g.run.pipeline, ' · ',
      h('a', {href: `#/grid/${encodeURIComponent(g.run.pipeline)}?run=${g.run.id}`}, g.run.run_id), ' · ', stateEl(g.run.state),
      ' · ', h('a', {href: `#/graph?run=${g.run.id}`}, 'graph')));
    box.replaceChildren(chart(g));
    return g;
  };
  const g = await load();
  if (g.run.state === 'running' || g.run.state === 'queued') {
    const refresh = debounce(() => load().catch(() => {}), 300);
    ctx.onLeave(subscribe(refresh));
  }
}

export async function pickRun(view, ctx, what) {
  const r = await api(`/api/v1/runs${qs({limit: 20})}`, {signal: ctx.signal});
  view.append(h('h1', null, what === 'gantt' ? 'Gantt' : 'Graph'), h('p', null, 'Choose a run:'),
    h('ul', {class: 'pick'}, r.items.map((x) => h('li', null,
      h('a', {href: what === 'gantt' ? `#/gantt/${x.id}` : `#/graph?run=${x.id}`}, `${x.pipeline} ${x.run_id}`), ' ', stateEl(x.state)))));
}

function chart(g) {
  const tries = g.tries || [];
  if (!tries.length) return h('p', {class: 'empty'}, 'No try has started in this run.');
  const now = Date.now();
  const t = (iso) => (iso ? Date.parse(iso) : NaN);
  const begin = (x) => [t(x.ready), t(x.queued), t(x.started)].filter((v) => !isNaN(v));
  const t0 = Math.min(...tries.flatMap(begin));
  const t1 = Math.max(...tries.map((x) => (x.ended ? t(x.ended) : now)), t0 + 1);
  const W = 1200, LABEL = 220, ROW = 22, H = tries.length * ROW + 40;
  const x = (v) => LABEL + ((v - t0) / (t1 - t0)) * (W - LABEL - 10);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'gantt', id: 'gantt', role: 'img', 'aria-label': 'tries over time'});
  for (let i = 0; i <= 4; i++) {
    const v = t0 + ((t1 - t0) * i) / 4;
    svg.append(s('line', {x1: x(v), y1: 20, x2: x(v), y2: H, class: 'gridline'}),
      s('text', {x: x(v), y: 14, class: 'tick', 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}, fmtTime(new Date(v).toISOString()).slice(11)));
  }
  tries.forEach((tr, i) => {
    const y = 24 + i * ROW;
    const g1 = s('g', {class: `row state-${tr.state}`, dataset: {task: tr.task, try: tr.try_number, ti: tr.ti}});
    g1.append(s('text', {x: 4, y: y + 14, class: 'label'}, `${tr.task}${tr.try_number > 1 ? ' #' + tr.try_number : ''}`));
    const wait = begin(tr).filter((v) => v !== t(tr.started));
    const ws = wait.length ? Math.min(...wait) : NaN;
    if (!isNaN(ws) && !isNaN(t(tr.started)) && t(tr.started) > ws)
      g1.append(s('rect', {x: x(ws), y: y + 3, width: Math.max(1, x(t(tr.started)) - x(ws)), height: ROW - 8, class: 'queued'},
        s('title', null, `${tr.task}: waited ${fmtDuration(t(tr.started) - ws)}`)));
    if (!isNaN(t(tr.started))) {
      const e = tr.ended ? t(tr.ended) : now;
      g1.append(s('rect', {x: x(t(tr.started)), y: y + 1, width: Math.max(2, x(e) - x(t(tr.started))), height: ROW - 4, class: `ran state-${tr.state}`},
        s('title', null, `${tr.task} try ${tr.try_number}: ${tr.state}, ran ${fmtDuration(e - t(tr.started))}`)));
    }
    svg.append(g1);
  });
  const legend = h('p', {class: 'legend'}, h('span', {class: 'swatch queued'}), ' waiting (ready/queued) ',
    h('span', {class: 'swatch ran state-success'}), ' running, coloured by state · from ', timeEl(new Date(t0).toISOString()));
  return h('div', null, svg, legend);
}
