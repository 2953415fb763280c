// logview — a try's log as plain text: the tail first (the server's default
// last 64 KiB), earlier pages by offset on demand, the new bytes of a running
// try as they arrive, and a download of the whole file. A 50 MB log costs one
// 64 KiB request to show.
import {apiRaw, h, qs} from './util.js';

const PAGE = 64 * 1024;

export function logViewer(ti, ctx, {running = false, compact = false} = {}) {
  const pre = h('pre', {class: `log${compact ? ' compact' : ''}`, dataset: {ti}});
  const earlier = h('button', {type: 'button', class: 'earlier', hidden: true}, 'Earlier');
  const info = h('span', {class: 'log-info'});
  const follow = h('label', {class: 'follow', hidden: !running},
    h('input', {type: 'checkbox', checked: true, name: 'follow'}), ' follow');
  const download = h('a', {class: 'download', href: `/api/v1/task-instances/${ti}/log`,
    download: `ti-${ti}.log`}, 'download');
  const box = h('div', {class: 'logview', dataset: {ti}}, h('div', {class: 'log-bar'}, earlier, info, follow, download), pre);
  const decoder = new TextDecoder('utf-8');
  let start = 0, end = 0, size = 0;
  let chunks = []; // Uint8Array pages from start to end

  const fetchRange = async (offset, length) => {
    const r = await apiRaw(`/api/v1/task-instances/${ti}/log${qs({offset, length})}`, {signal: ctx.signal});
    const buf = new Uint8Array(await r.arrayBuffer());
    const total = parseInt(r.headers.get('X-Log-Size') || '0', 10);
    const off = parseInt(r.headers.get('X-Log-Offset') ?? String(offset ?? 0), 10);
    return {buf, total, off};
  };

  const paint = (keepBottom) => {
    const atBottom = keepBottom && pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let p = 0;
    for (const c of chunks) { all.set(c, p); p += c.length; }
    pre.textContent = decoder.decode(all);
    pre.dataset.offset = start;
    pre.dataset.end = end;
    pre.dataset.size = size;
    earlier.hidden = start === 0;
    download.href = `/api/v1/task-instances/${ti}/log${qs({offset: 0, length: Math.max(size, end)})}`;
    info.textContent = start === 0 ? `${size} bytes` : `bytes ${start}–${end} of ${size}`;
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };

  const first = async () => {
    const {buf, total, off} = await fetchRange(null, null);
    chunks = [buf];
    start = off;
    end = off + buf.length;
    size = total;
    paint(false);
    pre.scrollTop = pre.scrollHeight;
  };

  earlier.addEventListener('click', async () => {
    const from = Math.max(0, start - PAGE);
    const {buf} = await fetchRange(from, start - from);
    const before = pre.scrollHeight;
    chunks.unshift(buf);
    start = from;
    paint(false);
    pre.scrollTop += pre.scrollHeight - before; // keep the reader's line in place
  });

  // a running try: ask for what is past the end, once a second
  let timer = null;
  const tail = async () => {
    try {
      const {buf, total} = await fetchRange(end, PAGE);
      if (buf.length) { chunks.push(buf); end += buf.length; }
      size = Math.max(total, end);
      if (buf.length) paint(follow.querySelector('input').checked);
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    timer = setTimeout(tail, 1000);
  };
  first().then(() => { if (running) timer = setTimeout(tail, 1000); })
    .catch((e) => { if (e.name !== 'AbortError') pre.textContent = e.message; });
  ctx.onLeave(() => clearTimeout(timer));
  return box;
}
