// versions — a pipeline's plan versions, newest first, and the diff of two.
import {api, apiRaw, h, pipelines, qs, setPipelineZone, timeEl} from './util.js';

export async function render(view, ctx) {
  const list = await pipelines();
  const pipeline = ctx.args[0] || (list[0] && list[0].pipeline);
  view.append(h('h1', null, 'Versions'));
  if (!pipeline) { view.append(h('p', {class: 'empty'}, 'Nothing is deployed.')); return; }
  setPipelineZone(list.find((p) => p.pipeline === pipeline)?.timezone);
  const pick = h('select', {name: 'pipeline', 'aria-label': 'pipeline'},
    list.map((p) => h('option', {value: p.pipeline, selected: p.pipeline === pipeline}, p.pipeline)));
  pick.addEventListener('change', () => { location.hash = `#/versions/${encodeURIComponent(pick.value)}`; });
  view.append(h('div', {class: 'filters'}, h('label', null, 'Pipeline ', pick)));
  let vs;
  try {
    vs = await api(`/api/v1/pipelines/${encodeURIComponent(pipeline)}/versions`, {signal: ctx.signal});
  } catch (e) {
    if (e.status !== 404) throw e;
    view.append(h('p', {class: 'empty'}, `${pipeline} was never deployed: it has no versions (runs of a source still show in the grid).`));
    return;
  }
  const items = Array.isArray(vs) ? vs : vs.items || [];
  const a = ctx.query.get('a') || (items[1] && items[1].plan) || '', b = ctx.query.get('b') || (items[0] && items[0].plan) || '';
  const form = h('form', {class: 'versions'}, h('table', {id: 'versions-table'},
    h('thead', null, h('tr', null, ['old', 'new', 'version', 'plan', 'deployed', 'commit', 'source', ''].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((v) => h('tr', {dataset: {plan: v.plan}},
      h('td', null, h('input', {type: 'radio', name: 'a', value: v.plan, checked: v.plan === a, 'aria-label': 'old'})),
      h('td', null, h('input', {type: 'radio', name: 'b', value: v.plan, checked: v.plan === b, 'aria-label': 'new'})),
      h('td', null, String(v.version)), h('td', null, h('code', null, v.plan.slice(0, 12))), h('td', null, timeEl(v.deployed_at)),
      h('td', null, v.commit || ''), h('td', null, v.source || ''), h('td', null, v.current ? 'current' : ''))))),
  h('button', {type: 'submit'}, 'Diff'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    ctx.go(qs({a: d.get('a'), b: d.get('b')}));
  });
  view.append(form);
  if (a && b && a !== b && ctx.query.get('a')) {
    const r = await apiRaw(`/api/v1/plans/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}`, {signal: ctx.signal});
    let text;
    if ((r.headers.get('Content-Type') || '').includes('json')) {
      const j = await r.json();
      // the engine's plan diff: {summary, added, removed, changed} (or a text)
      text = typeof j === 'string' ? j : typeof j.diff === 'string' ? j.diff : [
        j.summary || '', ...(j.added || []).map((x) => `+ ${x}`), ...(j.removed || []).map((x) => `- ${x}`),
        ...(j.changed || []).map((x) => `~ ${x}`)].join('\n');
    } else text = await r.text();
    const pre = h('pre', {class: 'diff', id: 'diff'});
    const f = document.createDocumentFragment();
    for (const line of text.split('\n')) {
      const c = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') || line.startsWith('~') ? 'hunk' : '';
      f.append(h('span', {class: c}, line), '\n');
    }
    pre.append(f);
    view.append(h('h2', null, 'Diff'), text.trim() ? pre : h('p', {class: 'empty'}, 'The two plans are the same.'));
  }
}
