// web.mjs — the client half of tests/bench/web: API latencies (sequential
// requests on one keep-alive connection, after a warm-up), the graph of a
// big plan first and cached, and the grid's first paint in Chromium
// (puppeteer-core, as the browser test drives it). Prints one line per
// figure, "name<TAB>value<TAB>unit<TAB>goal" (goal empty: none), which the
// shell half turns into the table.
//
// Environment: BENCH_URL (flux web, ending in /), BENCH_PIPELINE (the big
// pipeline), BENCH_PLAN and BENCH_PLAN_RUN (the 2,000-task plan and a run of
// it), BENCH_SAMPLES, BENCH_PAINTS, BENCH_CHROMIUM, BENCH_TOKEN (optional).
import {performance} from 'node:perf_hooks';
import puppeteer from 'puppeteer-core';

const URL0 = process.env.BENCH_URL;
const PIPELINE = process.env.BENCH_PIPELINE;
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const PAINTS = Number(process.env.BENCH_PAINTS || 15);
const headers = process.env.BENCH_TOKEN ? {Authorization: `Bearer ${process.env.BENCH_TOKEN}`} : {};

function out(name, value, unit, goal = '') {
  console.log([name, typeof value === 'number' ? value.toFixed(1) : value, unit, goal].join('\t'));
}

async function get(path, extra = {}) {
  const t0 = performance.now();
  const r = await fetch(URL0 + path, {headers: {...headers, ...extra}});
  const body = await r.arrayBuffer();
  const ms = performance.now() - t0;
  if (r.status !== 200 && r.status !== 304) throw new Error(`${path}: HTTP ${r.status} ${Buffer.from(body).toString()}`);
  return {ms, r, body};
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function latency(name, path, goal, samples = SAMPLES) {
  for (let i = 0; i < 10; i++) await get(path);
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < samples; i++) {
    const g = await get(path);
    ms.push(g.ms);
    bytes = g.body.byteLength;
  }
  out(`${name} p50`, pct(ms, 50), 'ms', goal);
  out(`${name} p99`, pct(ms, 99), 'ms', goal);
  return bytes;
}

async function json(path) {
  const g = await get(path);
  return JSON.parse(Buffer.from(g.body).toString());
}

// ---- API ----
const enc = encodeURIComponent;
const grid = await json(`api/v1/grid?pipeline=${enc(PIPELINE)}&runs=25`);
if (grid.runs.length !== 25 || grid.tasks.length < 100) throw new Error(`the grid has ${grid.runs.length} runs × ${grid.tasks.length} tasks`);
await latency('grid (25 runs × 100 tasks)', `api/v1/grid?pipeline=${enc(PIPELINE)}&runs=25`, '< 100');
await latency('runs search, first page', 'api/v1/runs?limit=50', '< 100');
// a cursor half way down the store: 5,000 runs on
let cursor = null;
for (let i = 0; i < 10; i++) cursor = (await json(`api/v1/runs?limit=500${cursor ? `&cursor=${enc(cursor)}` : ''}`)).next_cursor;
if (!cursor) throw new Error('no cursor after 5,000 runs');
await latency('runs search, a cursor page 5,000 runs down', `api/v1/runs?limit=50&cursor=${enc(cursor)}`, '< 100');
await latency('runs search, state=failed', `api/v1/runs?state=failed&limit=50`, '< 100');
const field = await json(`api/v1/runs?task=t42&field=${enc('echo t42')}&limit=50`);
if (field.items.length !== 50) throw new Error(`the field search found ${field.items.length} runs`);
await latency('runs search, a task\'s field', `api/v1/runs?task=t42&field=${enc('echo t42')}&limit=50`, '< 100');
await latency('runs search, a field text no run has', `api/v1/runs?field=${enc('no such text')}&limit=50`, '< 100');
await latency('dashboard: runs per day over a year', 'api/v1/stats/daily?days=366', '', 50);
await latency('transfers of all pipelines, a page', 'api/v1/transfers?limit=50', '', 50);
// the first scrape sums every finished run; later ones the runs since
out('/metrics, first scrape', (await get('metrics')).ms, 'ms', '');
await latency('/metrics', 'metrics', '', 50);

// ---- the graph of a 2,000-task plan ----
const plan = process.env.BENCH_PLAN, planRun = process.env.BENCH_PLAN_RUN;
const gpath = `api/v1/plans/${plan}/graph.svg?run=${planRun}`;
const first = await get(gpath);
const svg = Buffer.from(first.body).toString();
const nodes = (svg.match(/<g id="task(-|&#45;)/g) || []).length;
if (nodes !== 2000) throw new Error(`the graph has ${nodes} task groups`);
out('graph of 2,000 tasks, first (laid out)', first.ms, 'ms', '');
const cached = [];
for (let i = 0; i < 50; i++) cached.push((await get(gpath)).ms);
out('graph of 2,000 tasks, cached p50', pct(cached, 50), 'ms', '< 200');
out('graph of 2,000 tasks, cached p99', pct(cached, 99), 'ms', '< 200');
out('graph SVG size', first.body.byteLength / 1024, 'KiB', '');

// ---- the grid's first paint in Chromium ----
// Each load in a fresh browser context (no cached assets): the time from
// the navigation's start to the frame after the grid view was drawn (the
// page's performance mark "flux:view-ready" and the next animation frame).
const browser = await puppeteer.launch({executablePath: process.env.BENCH_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run'], defaultViewport: {width: 1280, height: 800}});
try {
  const paints = [];
  for (let i = 0; i < PAINTS + 1; i++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    if (process.env.BENCH_TOKEN)
      await page.evaluateOnNewDocument((t) => sessionStorage.setItem('flux.token', t), process.env.BENCH_TOKEN);
    await page.goto(`${URL0}#/grid/${enc(PIPELINE)}?runs=25`);
    await page.waitForSelector('#grid td.cell', {timeout: 20000});
    const t = await page.evaluate(() => new Promise((done) => {
      const mark = () => performance.getEntriesByName('flux:view-painted')[0];
      const wait = () => (mark() ? done(mark().startTime) : setTimeout(wait, 5));
      wait();
    }));
    const cells = await page.$$eval('#grid td.cell', (c) => c.length);
    if (cells !== 25 * grid.tasks.length) throw new Error(`the page drew ${cells} cells`);
    if (i > 0) paints.push(t); // the first warms the server's and the OS's caches
    await ctx.close();
  }
  out('grid first paint in Chromium p50', pct(paints, 50), 'ms', '< 300');
  out('grid first paint in Chromium worst', Math.max(...paints), 'ms', '< 300');
} finally {
  await browser.close();
}
