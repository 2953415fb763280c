// panel — one task instance of a run: every try with its ready/queued/
// started/ended times, exit status, note, rendered fields (masked by the
// store), outputs, read/written/rejected, a Slurm try's job id, node and
// state, the log of the chosen try, and
// why the task is in its state (the answer of `flux why RUN TASK`).
import {api, fmtDuration, h, stateEl, timeEl} from './util.js';
import {logViewer} from './logview.js';

export function tiId(t) {
  return t.id ?? t.ti ?? null;
}

// latestTi: the grid cell's task-instance id, for a tasks view that names
// no id of its own tries
export async function tiPanel(panel, ctx, runId, task, tryNo, onClose, latestTi = null) {
  const run = await api(`/api/v1/runs/${encodeURIComponent(runId)}`, {signal: ctx.signal});
  const tries = (run.task_instances || []).filter((t) => t.task === task);
  if (latestTi && tries.length && tiId(tries[tries.length - 1]) === null) tries[tries.length - 1].id = Number(latestTi);
  const chosen = tryNo ? tries.find((t) => String(t.try) === String(tryNo)) : tries[tries.length - 1];
  const close = h('button', {type: 'button', class: 'close', 'aria-label': 'close'}, '×');
  close.addEventListener('click', onClose);
  const logBox = h('div', {class: 'log-box'});
  const list = h('div', {class: 'tries'}, tries.length ? tries.map((t) => tryCard(t, t === chosen)) :
    h('p', {class: 'empty'}, 'This task has not started in this run.'));
  list.addEventListener('click', (ev) => {
    const b = ev.target.closest('button.show-log');
    if (!b) return;
    const t = tries.find((x) => String(x.try) === b.dataset.try);
    for (const c of list.querySelectorAll('.try')) c.classList.toggle('chosen', c.dataset.try === b.dataset.try);
    if (t) showLog(logBox, ctx, t);
  });
  const whyBox = h('section', {class: 'why'}, h('h3', null, 'Why'));
  panel.replaceChildren(close,
    h('h2', null, task),
    h('p', {class: 'sub'}, h('a', {href: `#/gantt/${run.id}`}, run.run_id), ' · ', run.pipeline, ' · run ', stateEl(run.state)),
    h('p', {class: 'sub'}, 'interval ', timeEl(run.interval_start), ' – ', timeEl(run.interval_end)),
    whyBox, list, logBox);
  showWhy(whyBox, ctx, run.id, task);
  panel.dataset.run = run.id;
  panel.dataset.task = task;
  panel.dataset.tries = tries.length;
  if (chosen) showLog(logBox, ctx, chosen);
}

// the reasons, the decisive one first, as `flux why` prints them
async function showWhy(box, ctx, runId, task) {
  try {
    const w = await api(`/api/v1/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(task)}/why`,
      {signal: ctx.signal});
    box.append(h('ul', {class: 'reasons'}, (w.reasons || []).map((r, i) =>
      h('li', {class: i === 0 ? 'decisive' : null, dataset: {code: r.code}}, r.text))));
  } catch (e) {
    if (e.name !== 'AbortError') box.append(h('p', {class: 'empty'}, 'Cannot say why: ' + e.message));
  }
}

function showLog(box, ctx, t) {
  const id = tiId(t);
  box.replaceChildren(h('h3', null, `Log of try ${t.try}`));
  if (id === null || !t.log) { box.append(h('p', {class: 'empty'}, 'No log for this try.')); return; }
  box.append(logViewer(id, ctx, {running: t.state === 'running' || t.state === 'queued', compact: true}));
}

function kv(obj) {
  if (obj === null || obj === undefined) return h('span', {class: 'none'}, '—');
  if (typeof obj !== 'object') return h('code', null, String(obj));
  const keys = Object.keys(obj);
  if (!keys.length) return h('span', {class: 'none'}, '—');
  return h('table', {class: 'kv'}, keys.map((k) => h('tr', null, h('th', null, k),
    h('td', null, h('code', null, typeof obj[k] === 'string' ? obj[k] : JSON.stringify(obj[k]))))));
}

function tryCard(t, chosen) {
  const dur = t.started && t.ended ? fmtDuration(Date.parse(t.ended) - Date.parse(t.started)) : '';
  const c = t.counts;
  return h('section', {class: `try${chosen ? ' chosen' : ''}`, dataset: {try: t.try, ti: tiId(t) ?? ''}},
    h('h3', null, `Try ${t.try} `, stateEl(t.state), dur ? ` ${dur}` : ''),
    h('table', {class: 'kv'},
      t.ready !== undefined ? h('tr', null, h('th', null, 'ready'), h('td', null, timeEl(t.ready))) : null,
      t.queued !== undefined ? h('tr', null, h('th', null, 'queued'), h('td', null, timeEl(t.queued))) : null,
      h('tr', null, h('th', null, 'started'), h('td', null, timeEl(t.started))),
      h('tr', null, h('th', null, 'ended'), h('td', null, timeEl(t.ended))),
      h('tr', null, h('th', null, 'exit status'), h('td', {class: 'exit'}, t.exit_status === null || t.exit_status === undefined ? '—' : String(t.exit_status))),
      h('tr', null, h('th', null, 'host / pid'), h('td', null, `${t.host || ''}${t.pid ? ' / ' + t.pid : ''}`)),
      t.slurm ? h('tr', {class: 'slurm'}, h('th', null, 'Slurm job'),
        h('td', null, `${t.slurm.job_id ?? '—'} · node ${t.slurm.node || '—'} · ${t.slurm.state || t.slurm.phase}`)) : null,
      h('tr', null, h('th', null, 'note'), h('td', {class: 'note'}, t.note || '—')),
      c ? h('tr', {class: 'counts'}, h('th', null, 'records'),
        h('td', null, `read ${c.read} · written ${c.written} · rejected ${c.rejected}${c.bytes !== undefined ? ' · ' + c.bytes + ' bytes' : ''}`)) : null,
      t.log_dropped ? h('tr', null, h('th', null, 'log cut'), h('td', null, `${t.log_dropped} bytes dropped (max ${t.max_log_size})`)) : null),
    h('details', null, h('summary', null, 'rendered fields'), kv(t.rendered)),
    h('details', {open: t.outputs && Object.keys(t.outputs).length ? true : null}, h('summary', null, 'outputs'), kv(t.outputs)),
    h('p', null, h('button', {type: 'button', class: 'show-log', dataset: {try: t.try}}, 'show log'),
      tiId(t) !== null ? [' ', h('a', {href: `#/log/${tiId(t)}${t.state === 'running' ? '?running=1' : ''}`}, 'full page')] : null));
}
