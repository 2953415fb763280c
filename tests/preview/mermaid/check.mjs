// check.mjs FILE... — parses each file with Mermaid's own parser (in jsdom,
// no browser), so `flux graph --format mermaid` is known to be valid Mermaid,
// not just text that looks like it.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'fs';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let failed = 0;
for (const file of process.argv.slice(2)) {
    try {
        await mermaid.parse(readFileSync(file, 'utf8'));
        console.log(`valid mermaid: ${file}`);
    } catch (e) {
        failed++;
        console.log(`INVALID mermaid: ${file}: ${String(e.message || e).slice(0, 400)}`);
    }
}
process.exit(failed ? 1 : 0);
