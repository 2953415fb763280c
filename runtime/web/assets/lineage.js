// lineage — where a record went: a Kafka topic (with partition and offset),
// a table or a file, and the path from it through each task instance that
// wrote or read it, with links to the run and the log.
import {api, h, qs, stateEl} from './util.js';

const KINDS = {topic: 'Kafka topic', table: 'table', file: 'file'};

export async function render(view, ctx) {
  const kind = ['topic', 'table', 'file'].find((k) => ctx.query.get(k)) || 'table';
  const name = ctx.query.get(kind) || '';
  const partition = ctx.query.get('partition') || '', offset = ctx.query.get('offset') || '';
  const kindSel = h('select', {name: 'kind', 'aria-label': 'kind'},
    Object.entries(KINDS).map(([k, v]) => h('option', {value: k, selected: k === kind}, v)));
  const nameIn = h('input', {name: 'name', value: name, size: 40, 'aria-label': 'name', placeholder: 'db.table, /path/file or topic'});
  const partIn = h('input', {name: 'partition', value: partition, size: 4, 'aria-label': 'partition'});
  const offIn = h('input', {name: 'offset', value: offset, size: 8, 'aria-label': 'offset'});
  const form = h('form', {class: 'filters', id: 'lineage-form'}, kindSel, nameIn,
    h('label', null, 'partition ', partIn), h('label', null, 'offset ', offIn), h('button', {type: 'submit'}, 'Follow'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const k = kindSel.value;
    ctx.go(qs({[k]: nameIn.value.trim(), partition: k === 'topic' ? partIn.value.trim() : '', offset: k === 'topic' ? offIn.value.trim() : ''}));
  });
  view.append(h('h1', null, 'Lineage'), form);
  if (!name) return;
  const tree = await api(`/api/v1/lineage${qs({[kind]: name, partition, offset})}`, {signal: ctx.signal});
  const out = h('div', {id: 'lineage-tree', class: 'lineage'});
  if (!tree.moves || !tree.moves.length) out.append(h('p', {class: 'empty'}, `No task instance moved ${name}.`));
  else out.append(h('ul', null, tree.moves.map(node)));
  view.append(h('h2', null, `${KINDS[kind]} ${tree.name || name}`), out);
}

function row(r) {
  return h('li', {class: `moved ${r.direction}`}, `${r.direction} ${r.kind} `, h('code', null, r.name),
    r.detail ? [' ', h('span', {class: 'detail'}, typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail))] : null);
}

function node(n) {
  return h('li', {class: 'node', dataset: {run: n.run, task: n.task, try: n.try}},
    h('span', {class: 'path'}, n.matched ? [`${n.matched.direction} ${n.matched.kind} `, h('code', null, n.matched.name), ' → '] : null,
      h('a', {href: `#/grid/${encodeURIComponent(n.pipeline)}?run=${n.run}&task=${encodeURIComponent(n.task)}`}, `${n.pipeline} ${n.run_id} ${n.task}`),
      ` try ${n.try} `, stateEl(n.state)),
    n.moved && n.moved.length ? h('ul', {class: 'rows'}, n.moved.map(row)) : null,
    n.then && n.then.length ? h('ul', null, n.then.map(node)) : null);
}
