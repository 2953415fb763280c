// transfers — records read, written and rejected per run of a pipeline's
// tasks, and the loss ratio ((read − written) / read) over time as a chart.
import {api, h, pipelineSelect, pipelines, qs, s, setPipelineZone} from './util.js';

export async function render(view, ctx) {
  const pipeline = ctx.query.get('pipeline') || '';
  const task = ctx.query.get('task') || '';
  if (pipeline) setPipelineZone((await pipelines()).find((p) => p.pipeline === pipeline)?.timezone);
  const sel = await pipelineSelect(pipeline);
  const taskIn = h('input', {name: 'task', value: task, size: 14, 'aria-label': 'task'});
  const form = h('form', {class: 'filters'}, h('label', null, 'Pipeline ', sel), h('label', null, 'Task ', taskIn),
    h('button', {type: 'submit'}, 'Show'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); ctx.go(qs({pipeline: sel.value, task: taskIn.value.trim()})); });
  const r = await api(`/api/v1/transfers${qs({pipeline, task, limit: 500})}`, {signal: ctx.signal});
  const items = r.items || [];
  const tot = items.reduce((a, x) => ({read: a.read + x.records_read, written: a.written + x.records_written,
    rejected: a.rejected + x.records_rejected, bytes: a.bytes + (x.bytes || 0)}), {read: 0, written: 0, rejected: 0, bytes: 0});
  const rows = document.createDocumentFragment();
  for (const x of items) {
    rows.append(h('tr', {dataset: {ti: x.ti}},
      h('td', null, h('a', {href: `#/grid/${encodeURIComponent(x.pipeline || pipeline)}?run=${x.run}&task=${encodeURIComponent(x.task)}`}, x.run_id)),
      h('td', null, x.task), h('td', {class: 'num'}, String(x.records_read)), h('td', {class: 'num'}, String(x.records_written)),
      h('td', {class: 'num'}, String(x.records_rejected)), h('td', {class: 'num'}, String(x.bytes)),
      h('td', {class: 'num'}, ratio(x.loss_ratio))));
  }
  view.append(h('h1', null, 'Transfers'), form,
    h('section', {class: 'card'}, h('h2', null, 'Loss ratio per run (oldest left)'), chart(items)),
    h('table', {id: 'transfers-table'},
      h('thead', null, h('tr', null, ['run', 'task', 'read', 'written', 'rejected', 'bytes', 'loss ratio'].map((c) => h('th', null, c)))),
      h('tbody', null, rows),
      h('tfoot', null, h('tr', {id: 'transfer-totals', dataset: tot}, h('th', null, 'total'), h('th', null, `${items.length} tries`),
        h('th', {class: 'num'}, String(tot.read)), h('th', {class: 'num'}, String(tot.written)),
        h('th', {class: 'num'}, String(tot.rejected)), h('th', {class: 'num'}, String(tot.bytes)),
        h('th', {class: 'num'}, ratio(tot.read ? (tot.read - tot.written) / tot.read : null))))));
}

function ratio(v) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)} %`;
}

function chart(items) {
  if (!items.length) return h('p', {class: 'empty'}, 'No transfer has been recorded.');
  const pts = [...items].reverse();
  const W = 1000, H = 160, pad = 40;
  const max = Math.max(0.01, ...pts.map((x) => x.loss_ratio || 0));
  const step = pts.length > 1 ? (W - pad - 10) / (pts.length - 1) : 0;
  const y = (v) => H - 10 - ((v || 0) / max) * (H - 30);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H + 10}`, class: 'chart', id: 'loss-chart', role: 'img', 'aria-label': 'loss ratio per run'});
  svg.append(s('line', {x1: pad, y1: H - 10, x2: W, y2: H - 10, class: 'axis'}),
    s('text', {x: 2, y: 24, class: 'tick'}, ratio(max)), s('text', {x: 2, y: H - 10, class: 'tick'}, '0 %'));
  svg.append(s('polyline', {class: 'line', points: pts.map((p, i) => `${pad + i * step},${y(p.loss_ratio)}`).join(' ')}));
  pts.forEach((p, i) => svg.append(s('circle', {cx: pad + i * step, cy: y(p.loss_ratio), r: 4, class: p.loss_ratio > 0 ? 'dot lossy' : 'dot'},
    s('title', null, `${p.run_id} ${p.task}: ${ratio(p.loss_ratio)} (${p.records_rejected} rejected)`))));
  return svg;
}
