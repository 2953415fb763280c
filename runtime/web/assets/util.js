// util — what every view shares: the API client (JSON, text, bearer token),
// a DOM builder that only ever sets text (never HTML: the store's strings are
// data), the one time zone every time on a page is shown in, task states, and
// the live-update feed.

// ---- DOM ---------------------------------------------------------------

// h('td', {class: 'x', dataset: {ti: 3}}, 'text', child...) — children are
// strings (set as text), nodes, arrays of either, or null (skipped).
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

function setAttrs(e, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(e, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.appendChild(c);
    else e.appendChild(document.createTextNode(String(c)));
  }
}

export function frag(children) {
  const f = document.createDocumentFragment();
  append(f, children);
  return f;
}

// ---- API ---------------------------------------------------------------

const TOKEN_KEY = 'flux.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers() {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? {Authorization: 'Bearer ' + t} : {};
}

async function request(path, opts = {}) {
  const r = await fetch(path, {...opts, headers: {...headers(), ...(opts.headers || {})}});
  if (r.status === 401) {
    askToken();
    throw new ApiError(401, 'this server needs a token');
  }
  if (!r.ok) {
    let msg = r.statusText;
    try { msg = (await r.json()).error || msg; } catch (_) { /* not JSON */ }
    throw new ApiError(r.status, `${path}: ${msg}`);
  }
  return r;
}

export async function api(path, opts) {
  return (await request(path, opts)).json();
}

export async function apiText(path, opts) {
  return (await request(path, opts)).text();
}

export async function apiRaw(path, opts) {
  return request(path, opts);
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') u.set(k, v);
  const t = u.toString();
  return t ? '?' + t : '';
}

// A token is asked for once per tab, only when the server says it needs one.
function askToken() {
  if (document.getElementById('token-form')) return;
  const input = h('input', {type: 'password', name: 'token', autocomplete: 'off', 'aria-label': 'API token'});
  const form = h('form', {id: 'token-form', class: 'token'},
    h('label', null, 'This server needs its API token: ', input), h('button', {type: 'submit'}, 'Use'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value);
    form.remove();
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  document.body.insertBefore(form, document.getElementById('view'));
}

export function showError(err) {
  const box = document.getElementById('error');
  if (!box) return;
  if (!err) { box.hidden = true; box.textContent = ''; return; }
  if (err.name === 'AbortError') return;
  box.textContent = err.message || String(err);
  box.hidden = false;
}

// ---- pipelines (their zones) -------------------------------------------

let pipelinesPromise = null;
export function pipelines() {
  if (!pipelinesPromise)
    pipelinesPromise = api('/api/v1/pipelines?limit=500').then((r) => r.items || [])
      .catch((e) => { pipelinesPromise = null; throw e; });
  return pipelinesPromise;
}

export async function pipelineSelect(current, name = 'pipeline', any = true) {
  const list = await pipelines();
  const sel = h('select', {name, 'aria-label': 'pipeline'},
    any ? h('option', {value: ''}, 'all pipelines') : null,
    list.map((p) => h('option', {value: p.pipeline, selected: p.pipeline === current}, p.pipeline)));
  return sel;
}

// ---- time: one labelled zone per page ----------------------------------

const ZONE_KEY = 'flux.zone';
const zone = {mode: localStorage.getItem(ZONE_KEY) === 'pipeline' ? 'pipeline' : 'utc', pipelineZone: null};
const formatters = new Map();

export function zoneMode() { return zone.mode; }

export function setZoneMode(mode) {
  zone.mode = mode;
  localStorage.setItem(ZONE_KEY, mode);
}

// The page says which pipeline's zone applies (null: none, or several).
export function setPipelineZone(tz) {
  zone.pipelineZone = tz || null;
  renderZoneLabel();
}

export function currentZone() {
  return zone.mode === 'pipeline' && zone.pipelineZone ? zone.pipelineZone : 'UTC';
}

export function renderZoneLabel() {
  const label = document.getElementById('zone-label');
  const btn = document.getElementById('zone-toggle');
  if (!label || !btn) return;
  const z = currentZone();
  if (zone.mode === 'pipeline' && !zone.pipelineZone)
    label.textContent = 'Times in UTC (this page shows no single pipeline)';
  else
    label.textContent = zone.mode === 'pipeline' ? `Times in ${z} (pipeline zone)` : 'Times in UTC';
  label.dataset.zone = z;
  btn.textContent = zone.mode === 'pipeline' ? 'Use UTC' : 'Use pipeline zone';
}

function formatter(tz) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'});
    formatters.set(tz, f);
  }
  return f;
}

// "2026-11-02 00:00:00" in the page's zone ("" for null).
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = {};
  for (const part of formatter(currentZone()).formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// <time datetime="ISO">formatted</time>: the original stays machine-readable.
export function timeEl(iso) {
  if (!iso) return h('span', {class: 'none'}, '—');
  return h('time', {datetime: iso}, fmtTime(iso));
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const sec = ms / 1000;
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60), r = Math.round(sec % 60);
  if (m < 60) return `${m} min ${r} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function ms(iso) { return iso ? Date.parse(iso) : NaN; }

export function stateEl(state) {
  return h('span', {class: `state state-${state || 'none'}`}, state || 'none');
}

// ---- live updates --------------------------------------------------------

// One stream of the server's events for the tab, opened by the first view
// that listens and closed when the last one leaves; a page that listens to
// nothing holds no connection. It is read with fetch(), not EventSource:
// EventSource sends no Authorization header, and the token of a server that
// has one must never go in a URL (logs, history, Referer). The stream is
// Server-Sent Events' text (id:, event:, data: lines, a blank line ending
// each event, ':' comments as keepalives); when it ends it is opened again
// with Last-Event-ID, after a second, then longer; a 401 ends it (the page
// asks for the token, and the view opened again listens again).
let stream = null;
const listeners = new Set();

export function subscribe(fn) {
  listeners.add(fn);
  if (!stream) stream = openStream();
  return () => {
    listeners.delete(fn);
    if (!listeners.size && stream) { stream.abort(); stream = null; }
  };
}

function openStream() {
  const ctl = new AbortController();
  let lastId = null;
  const dispatch = (ev) => {
    if (ev.id) lastId = ev.id;
    if (!ev.data) return;
    let data = null;
    try { data = JSON.parse(ev.data); } catch (_) { data = ev.data; }
    for (const l of [...listeners]) l(data, ev);
  };
  (async () => {
    let delay = 1000;
    while (!ctl.signal.aborted) {
      try {
        const hs = {...headers(), Accept: 'text/event-stream'};
        if (lastId) hs['Last-Event-ID'] = lastId;
        const r = await fetch('/api/v1/events', {headers: hs, signal: ctl.signal, cache: 'no-store'});
        if (r.status === 401) { askToken(); return; }
        if (!r.ok || !r.body) throw new Error(`events: HTTP ${r.status}`);
        delay = 1000;
        await readEvents(r.body, dispatch);
      } catch (e) {
        if (ctl.signal.aborted) return;
        console.warn(e);
      }
      await new Promise((done) => setTimeout(done, delay));
      delay = Math.min(delay * 2, 15000);
    }
  })();
  return ctl;
}

// the events of an SSE body, each {id, type, data} to dispatch, until it ends
async function readEvents(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '', ev = {id: null, type: 'message', data: []};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buf += value;
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
      if (line === '') {
        dispatch({id: ev.id, type: ev.type, data: ev.data.join('\n')});
        ev = {id: null, type: 'message', data: []};
        continue;
      }
      if (line[0] === ':') continue; // a keepalive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') ev.data.push(v);
      else if (field === 'event') ev.type = v;
      else if (field === 'id') ev.id = v;
    }
  }
}

// fn at most once per wait ms, the last call winning.
export function debounce(fn, wait) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), wait); };
}
