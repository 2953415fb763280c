// graph — the plan's DAG as the server lays it out (Graphviz SVG, one
// <g id="task-ID" class="node state-STATE"> per task for the chosen run),
// a search that marks the tasks whose id contains the text, and a click on a
// task that keeps only its upstream and downstream in view. A plan too big
// to draw whole (the server says 422) is shown around one task: the page
// asks which, and how many steps up and down.
import {api, ApiError, apiText, h, pipelines, qs, setPipelineZone, stateEl} from './util.js';
import {pickRun} from './gantt.js';

export async function render(view, ctx) {
  const runId = ctx.query.get('run');
  let plan = ctx.query.get('plan');
  let run = null;
  if (runId) {
    run = await api(`/api/v1/runs/${encodeURIComponent(runId)}`, {signal: ctx.signal});
    plan = run.plan_id;
    setPipelineZone((await pipelines()).find((p) => p.pipeline === run.pipeline)?.timezone);
  }
  if (!plan) return pickRun(view, ctx, 'graph');
  const focus = ctx.query.get('focus');
  const depth = ctx.query.get('depth') || '2';
  let text;
  try {
    text = await apiText(`/api/v1/plans/${encodeURIComponent(plan)}/graph.svg${qs({run: run ? run.id : null,
      focus, depth: focus ? depth : null})}`, {signal: ctx.signal});
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 422) throw e;
    return pickFocus(view, ctx, plan, run);
  }
  const svg = parseSvg(text);
  const search = h('input', {type: 'search', name: 'q', placeholder: 'find a task', 'aria-label': 'find a task'});
  const found = h('span', {class: 'count'});
  const reset = h('button', {type: 'button', hidden: true}, 'whole graph');
  const around = focus ? h('span', {class: 'sub', id: 'graph-focus'}, `around ${focus}, ${depth} steps up and down · `,
    h('a', {href: `#/graph${qs({run: run ? run.id : null, plan: run ? null : plan})}`}, 'another task')) : null;
  const box = h('div', {class: 'graph-box', id: 'graph'}, svg);
  view.append(h('h1', null, 'Graph'),
    h('p', {class: 'sub'}, run ? [run.pipeline, ' · ', h('a', {href: `#/grid/${encodeURIComponent(run.pipeline)}?run=${run.id}`}, run.run_id), ' · ', stateEl(run.state), ' · ', h('a', {href: `#/gantt/${run.id}`}, 'gantt')] : `plan ${plan}`),
    h('div', {class: 'filters'}, search, found, reset, around), box);

  const nodes = [...svg.querySelectorAll('g.node')];
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    let n = 0;
    for (const g of nodes) {
      const hit = q && g.id.slice(5).toLowerCase().includes(q);
      g.classList.toggle('match', !!hit);
      g.classList.toggle('dim', !!q && !hit);
      if (hit) n++;
    }
    found.textContent = q ? `${n} task${n === 1 ? '' : 's'}` : '';
    const first = svg.querySelector('g.node.match');
    if (first) first.scrollIntoView({block: 'center', inline: 'center'});
  });

  // neighbourhood: a click keeps a task, its ancestors and its descendants
  let structure = null;
  box.addEventListener('click', async (ev) => {
    const g = ev.target.closest('g.node');
    if (!g) return;
    if (!structure) structure = await api(`/api/v1/plans/${encodeURIComponent(plan)}`, {signal: ctx.signal});
    const keep = neighbourhood(structure, g.id.slice(5));
    for (const n of nodes) n.classList.toggle('dim', !keep.has(n.id.slice(5)));
    for (const e of svg.querySelectorAll('g.edge')) e.classList.add('dim');
    reset.hidden = false;
  });
  reset.addEventListener('click', () => {
    for (const n of svg.querySelectorAll('.dim')) n.classList.remove('dim');
    reset.hidden = true;
  });
}

function neighbourhood(plan, id) {
  const up = new Map(), down = new Map();
  for (const t of plan.tasks || []) {
    up.set(t.id, t.upstream || []);
    for (const u of t.upstream || []) {
      if (!down.has(u)) down.set(u, []);
      down.get(u).push(t.id);
    }
  }
  const keep = new Set([id]);
  for (const edges of [up, down]) {
    const todo = [id];
    while (todo.length) {
      for (const n of edges.get(todo.pop()) || []) if (!keep.has(n)) { keep.add(n); todo.push(n); }
    }
  }
  return keep;
}

// The server's SVG, without anything active in it (scripts, handlers, links
// out), as an element of this document.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg') throw new Error('the server sent no SVG for this graph');
  for (const x of root.querySelectorAll('script, foreignObject')) x.remove();
  for (const x of root.querySelectorAll('*')) {
    for (const a of [...x.attributes]) if (/^on/i.test(a.name) || (/href$/i.test(a.name) && !a.value.startsWith('#'))) x.removeAttribute(a.name);
  }
  root.removeAttribute('width');
  root.removeAttribute('height');
  root.classList.add('dag');
  return document.importNode(root, true);
}

// A plan too big to draw whole: a task to centre on (its ids offered as
// the input is typed) and a depth, kept in the address.
async function pickFocus(view, ctx, plan, run) {
  const structure = await api(`/api/v1/plans/${encodeURIComponent(plan)}`, {signal: ctx.signal});
  const ids = (structure.tasks || []).map((t) => t.id);
  const list = h('datalist', {id: 'graph-tasks'}, ids.map((id) => h('option', {value: id})));
  const task = h('input', {type: 'search', name: 'focus', list: 'graph-tasks', required: true,
    placeholder: 'a task', 'aria-label': 'the task to centre on'});
  const depth = h('select', {name: 'depth', 'aria-label': 'steps up and down'},
    [1, 2, 3, 5, 10].map((d) => h('option', {value: d, selected: d === 2}, `${d} step${d === 1 ? '' : 's'}`)));
  const form = h('form', {class: 'filters', id: 'graph-pick'}, task, list, depth, h('button', {type: 'submit'}, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!ids.includes(task.value)) { task.setCustomValidity('no such task in this plan'); task.reportValidity(); return; }
    ctx.go(qs({run: run ? run.id : null, plan: run ? null : plan, focus: task.value, depth: depth.value}));
  });
  task.addEventListener('input', () => task.setCustomValidity(''));
  view.append(h('h1', null, 'Graph'),
    h('p', {class: 'sub'}, `This plan has ${ids.length} tasks, too many to draw at once: show one task with its upstream and downstream.`),
    form);
}
