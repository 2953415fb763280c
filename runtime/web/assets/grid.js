// grid — the last N runs of a pipeline × its tasks in plan order, one cell
// per task instance coloured by state, a duration bar per run. One click
// listener on the table (cells carry their run and task in data attributes)
// opens the task-instance panel; live updates re-fetch the grid and swap the
// table body in one step.
import {api, debounce, fmtDuration, h, pipelines, qs, setPipelineZone, subscribe, timeEl} from './util.js';
import {tiPanel} from './panel.js';

export async function render(view, ctx) {
  // the grid of a pipeline named in the address is asked for at once,
  // beside the pipelines (their zones and the picker)
  const gridOf = (p) => api(`/api/v1/grid${qs({pipeline: p, runs: runsShown(ctx)})}`, {signal: ctx.signal});
  let early = ctx.args[0] ? gridOf(ctx.args[0]) : null;
  early?.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  const list = await pipelines();
  let pipeline = ctx.args[0];
  if (!pipeline) {
    if (!list.length) { view.append(h('h1', null, 'Grid'), h('p', {class: 'empty'}, 'No pipeline has run yet.')); return; }
    pipeline = list[0].pipeline;
  }
  setPipelineZone(list.find((p) => p.pipeline === pipeline)?.timezone);
  const n = runsShown(ctx);

  const pick = h('select', {name: 'pipeline', 'aria-label': 'pipeline'},
    list.map((p) => h('option', {value: p.pipeline, selected: p.pipeline === pipeline}, p.pipeline)));
  pick.addEventListener('change', () => { location.hash = `#/grid/${encodeURIComponent(pick.value)}${qs({runs: n})}`; });
  const count = h('select', {name: 'runs', 'aria-label': 'runs shown'},
    [10, 25, 50, 100].map((v) => h('option', {value: v, selected: v === n}, `${v} runs`)));
  count.addEventListener('change', () => ctx.go(qs({runs: count.value})));
  const live = h('span', {class: 'live', id: 'live'}, '');

  const table = h('table', {class: 'grid', id: 'grid'});
  const panel = h('aside', {id: 'ti-panel', class: 'panel', hidden: true});
  view.append(h('h1', null, 'Grid: ', pipeline),
    h('div', {class: 'filters'}, h('label', null, 'Pipeline ', pick), count,
      h('a', {href: `#/runs${qs({pipeline})}`}, 'search runs'), ' ',
      h('a', {href: `#/transfers${qs({pipeline})}`}, 'transfers'), ' ',
      h('a', {href: `#/versions/${encodeURIComponent(pipeline)}`}, 'versions'), live),
    h('div', {class: 'grid-wrap'}, h('div', {class: 'grid-scroll'}, table), panel));

  let data = null;
  let open = null; // {run, task, try}
  const load = async () => {
    const pending = early || gridOf(pipeline);
    early = null;
    data = await pending;
    draw(table, data);
    if (open) await showPanel(open.run, open.task, open.try, false);
  };

  const showPanel = async (run, task, tryNo, scroll) => {
    open = {run, task, try: tryNo};
    for (const c of table.querySelectorAll('td.selected')) c.classList.remove('selected');
    const cell = table.querySelector(`td.cell[data-run="${run}"][data-task="${CSS.escape(task)}"]`);
    if (cell) cell.classList.add('selected');
    panel.hidden = false;
    await tiPanel(panel, ctx, run, task, tryNo, () => {
      open = null;
      panel.hidden = true;
      if (cell) cell.classList.remove('selected');
    }, cell ? cell.dataset.ti : null);
    if (scroll) panel.scrollTop = 0;
  };

  // a cell's tooltip made when the pointer first reaches it, not for
  // every cell of the table before it is drawn
  table.addEventListener('mouseover', (ev) => {
    const td = ev.target.closest('td.cell');
    if (!td || td.title) return;
    const d = td.dataset;
    td.title = d.ti ? `${d.task} · ${d.state} · try ${d.try}${d.durationMs ? ' · ' + fmtDuration(Number(d.durationMs)) : ''}`
      : `${d.task} · not started`;
  });
  table.addEventListener('click', (ev) => {
    const cell = ev.target.closest('td.cell');
    if (!cell || !cell.dataset.run) return;
    showPanel(cell.dataset.run, cell.dataset.task, null, true).catch((e) => console.warn(e));
  });

  await load();
  const run = ctx.query.get('run');
  if (run) {
    const task = ctx.query.get('task') || firstInteresting(data, run);
    if (task) await showPanel(run, task, null, true);
  }

  // live: any change in the store re-fetches (at most every 250 ms)
  const refresh = debounce(() => {
    load().then(() => { live.textContent = 'updated ' + new Date().toLocaleTimeString(); })
      .catch((e) => { if (e.name !== 'AbortError') console.warn(e); });
  }, 250);
  ctx.onLeave(subscribe(() => refresh()));
}

function runsShown(ctx) {
  return Math.min(500, Math.max(1, parseInt(ctx.query.get('runs') || '25', 10) || 25));
}

// the task to show for a run opened from elsewhere: a failed one, else the last
function firstInteresting(data, runId) {
  const r = data.runs.find((x) => String(x.id) === String(runId));
  if (!r) return data.tasks[0];
  const i = r.cells.findIndex((c) => c && /fail/.test(c.state));
  return data.tasks[i >= 0 ? i : data.tasks.length - 1];
}

function runDuration(r) {
  if (!r.started) return 0;
  const end = r.ended ? Date.parse(r.ended) : Date.now();
  return Math.max(0, end - Date.parse(r.started));
}

// runs oldest first, left to right; the newest at the right as a timeline reads
function draw(table, data) {
  const runs = [...data.runs].reverse();
  const longest = Math.max(1, ...runs.map(runDuration));
  // the table is laid out fixed (from its first row: much faster for
  // thousands of cells), so the first row says how wide the task names are
  const corner = h('th', {class: 'corner'}, 'duration');
  corner.style.width = `${Math.max(8, ...data.tasks.map((t) => t.length)) + 1}ch`;
  const bars = h('tr', {class: 'bars'}, corner);
  const heads = h('tr', {class: 'heads'}, h('th', {class: 'corner'}, 'task \\ run'));
  for (const r of runs) {
    const d = runDuration(r);
    const bar = h('div', {class: `bar state-${r.state}`, title: `${r.run_id}: ${fmtDuration(d)}`});
    bar.style.height = `${Math.max(2, Math.round((d / longest) * 60))}px`;
    bars.append(h('th', {dataset: {run: r.id, durationMs: d}}, bar));
    heads.append(h('th', {class: 'run', dataset: {run: r.id}, title: r.run_id},
      h('a', {href: `#/gantt/${r.id}`}, timeEl(r.interval_start || r.started))));
  }
  const body = document.createDocumentFragment();
  data.tasks.forEach((task, i) => {
    const tr = h('tr', {dataset: {task}}, h('th', {class: 'task', scope: 'row'}, task));
    for (const r of runs) {
      const c = r.cells[i];
      const state = c ? c.state : 'none';
      const td = document.createElement('td');
      td.className = `cell state-${state}`;
      td.dataset.run = r.id;
      td.dataset.task = task;
      td.dataset.state = state;
      if (c) {
        td.dataset.ti = c.ti;
        td.dataset.try = c.try_number;
        if (c.duration_ms !== null && c.duration_ms !== undefined) td.dataset.durationMs = c.duration_ms;
      }
      tr.append(td);
    }
    body.append(tr);
  });
  table.replaceChildren(h('thead', null, bars, heads), h('tbody', null, body));
}
