// log — one try's log on a page of its own (#/log/TI).
import {h} from './util.js';
import {logViewer} from './logview.js';

export async function render(view, ctx) {
  const ti = ctx.args[0];
  if (!ti || !/^\d+$/.test(ti)) {
    view.append(h('h1', null, 'Log'), h('p', {class: 'empty'}, 'Open a log from a task instance in the grid.'));
    return;
  }
  const running = ctx.query.get('running') === '1';
  view.append(h('h1', null, `Log of task instance ${ti}`), logViewer(ti, ctx, {running}));
}
