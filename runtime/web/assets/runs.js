// runs — the run search: pipeline, state, trigger, run-id prefix, interval
// range, and a task whose rendered field or output contains a text; the
// filters live in the address so a search can be shared; "more" follows the
// API's cursor.
import {api, h, pipelineSelect, pipelines, qs, setPipelineZone, stateEl, timeEl} from './util.js';

const FILTERS = ['pipeline', 'state', 'trigger', 'run_id', 'from', 'to', 'task', 'field', 'output'];
const STATES = ['', 'queued', 'running', 'success', 'failed'];
const TRIGGERS = ['', 'scheduled', 'manual', 'backfill'];

export async function render(view, ctx) {
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) || '']));
  if (f.pipeline) setPipelineZone((await pipelines()).find((p) => p.pipeline === f.pipeline)?.timezone);
  const form = h('form', {class: 'filters', id: 'run-filters'},
    h('label', null, 'Pipeline ', await pipelineSelect(f.pipeline)),
    h('label', null, 'State ', h('select', {name: 'state'}, STATES.map((v) => h('option', {value: v, selected: v === f.state}, v || 'any')))),
    h('label', null, 'Trigger ', h('select', {name: 'trigger'}, TRIGGERS.map((v) => h('option', {value: v, selected: v === f.trigger}, v || 'any')))),
    h('label', null, 'Run id starts with ', h('input', {name: 'run_id', value: f.run_id, size: 16})),
    h('label', null, 'Interval from ', h('input', {name: 'from', value: f.from, placeholder: '2026-11-01T00:00:00Z', size: 20})),
    h('label', null, 'to ', h('input', {name: 'to', value: f.to, placeholder: 'RFC 3339 UTC', size: 20})),
    h('label', null, 'Task ', h('input', {name: 'task', value: f.task, size: 12})),
    h('label', null, 'Rendered field contains ', h('input', {name: 'field', value: f.field, size: 14})),
    h('label', null, 'Output contains ', h('input', {name: 'output', value: f.output, size: 14})),
    h('button', {type: 'submit'}, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    ctx.go(qs(Object.fromEntries(FILTERS.map((k) => [k, (d.get(k) || '').trim()]))));
  });
  const tbody = h('tbody');
  const more = h('button', {type: 'button', id: 'more', hidden: true}, 'More');
  const count = h('p', {class: 'count'});
  view.append(h('h1', null, 'Runs'), form, count,
    h('table', {id: 'runs-table'}, h('thead', null, h('tr', null,
      ['pipeline', 'run', 'state', 'trigger', 'interval start', 'interval end', 'started', 'ended', ''].map((c) => h('th', null, c)))), tbody),
    more);
  let cursor = null, shown = 0;
  // A text search (field, output) gets pages that end where the server's
  // window of runs did, often with fewer runs than asked: they are fetched
  // one after the other, each shown as it comes, until 100 runs are shown
  // or the runs end (leaving the view aborts the rest).
  const load = async () => {
    more.hidden = true;
    let want = 100;
    do {
      const r = await api(`/api/v1/runs${qs({...f, limit: want, cursor})}`, {signal: ctx.signal});
      append(r.items);
      want -= r.items.length;
      cursor = r.next_cursor;
      count.textContent = `${shown} run${shown === 1 ? '' : 's'}${cursor ? (want > 0 ? ' so far, searching…' : ' so far') : ''}`;
    } while (cursor && want > 0);
    more.hidden = !cursor;
  };
  const append = (items) => {
    const rows = document.createDocumentFragment();
    for (const x of items) {
      rows.append(h('tr', {dataset: {run: x.id}},
        h('td', null, x.pipeline),
        h('td', null, h('a', {href: `#/grid/${encodeURIComponent(x.pipeline)}?run=${x.id}`}, x.run_id)),
        h('td', null, stateEl(x.state)), h('td', null, x.trigger),
        h('td', null, timeEl(x.interval_start)), h('td', null, timeEl(x.interval_end)),
        h('td', null, timeEl(x.started)), h('td', null, timeEl(x.ended)),
        h('td', null, h('a', {href: `#/gantt/${x.id}`}, 'gantt'), ' ', h('a', {href: `#/graph?run=${x.id}`}, 'graph'))));
    }
    tbody.append(rows);
    shown += items.length;
  };
  more.addEventListener('click', () => load());
  await load();
}
