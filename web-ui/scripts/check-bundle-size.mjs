// Fails if the JavaScript a first page load needs is over budget, gzipped.
//
//   node scripts/check-bundle-size.mjs [dist]     (npm run check:size, after npm run build)
//
// "Initial" is what dist/index.html loads: its <script type="module" src> tags and
// <link rel="modulepreload"> links, plus every chunk those import statically (`import … from`,
// `import "…"`, `export … from`), followed recursively. Dynamic `import()`s (the lazily loaded pages)
// are not counted. Each file is gzipped on its own, as a server would send it; kB are 1000 bytes,
// as Vite reports them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 120_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(root, process.argv[2] ?? 'dist');
const indexHtml = path.join(dist, 'index.html');
if (!existsSync(indexHtml)) {
  console.error(`check-bundle-size: ${path.relative(root, indexHtml)} not found; run npm run build first.`);
  process.exit(1);
}

/** A same-origin URL from index.html or a chunk, as a path under dist/; null for other origins. */
function distPath(url, from) {
  if (/^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url)) return null;
  const clean = url.split(/[?#]/)[0];
  return clean.startsWith('/') ? path.join(dist, clean) : path.resolve(path.dirname(from), clean);
}

const html = readFileSync(indexHtml, 'utf8');
const queue = [];
for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
  const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1];
  if (src && /\btype\s*=\s*["']?module\b/i.test(tag)) queue.push(distPath(src, indexHtml));
}
for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
  if (!/\brel\s*=\s*["']?modulepreload\b/i.test(tag)) continue;
  const href = /\bhref\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1];
  if (href) queue.push(distPath(href, indexHtml));
}
if (queue.length === 0) {
  console.error('check-bundle-size: dist/index.html loads no module script.');
  process.exit(1);
}

// Static imports in Vite's minified ES output: `import"./a.js"`, `import{x as y}from"./b.js"`,
// `export{z}from"./c.js"`. `import("./d.js")` (dynamic) does not match.
const STATIC_IMPORT = /(?:\bimport\s*|\bfrom\s*)["']([^"']+\.js)["']/g;

const seen = new Map();
while (queue.length > 0) {
  const file = queue.shift();
  if (file === null || seen.has(file)) continue;
  if (!existsSync(file)) {
    console.error(`check-bundle-size: ${path.relative(dist, file)} is referenced but missing.`);
    process.exit(1);
  }
  const code = readFileSync(file);
  seen.set(file, { raw: code.length, gzip: gzipSync(code).length });
  for (const [, spec] of code.toString('utf8').matchAll(STATIC_IMPORT)) queue.push(distPath(spec, file));
}

const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
let raw = 0;
let gzip = 0;
console.log('Initial JavaScript (raw, gzip):');
for (const [file, size] of seen) {
  raw += size.raw;
  gzip += size.gzip;
  console.log(`  ${path.relative(dist, file).padEnd(48)} ${kB(size.raw).padStart(10)} ${kB(size.gzip).padStart(10)}`);
}
console.log(`  ${'total'.padEnd(48)} ${kB(raw).padStart(10)} ${kB(gzip).padStart(10)}  (budget ${kB(BUDGET_BYTES)} gzip)`);
if (gzip > BUDGET_BYTES) {
  console.error(
    `check-bundle-size: the initial JavaScript is ${kB(gzip)} gzip, over the ${kB(BUDGET_BYTES)} budget. ` +
      'Lazy-load a route a first visit does not need (React.lazy in src/App.tsx), or move a large dependency out of the initial chunks.',
  );
  process.exit(1);
}
