#!/usr/bin/env node
// Generates src/api/schema.d.ts from the committed OpenAPI document, or checks that it is up to date.
//
//   node scripts/api-types.mjs generate   (npm run gen:api)
//   node scripts/api-types.mjs check      (npm run check:api; exits 1 when stale)
//
// Both modes run the same openapi-typescript CLI with the same arguments, so a file made by
// `generate` always passes `check`. The spec path can be overridden with OPENAPI_SPEC
// (relative to web-ui/), which is only meant for experiments.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webUiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specPath = path.resolve(webUiDir, process.env.OPENAPI_SPEC ?? '../openapi/openapi.json');
const schemaPath = path.join(webUiDir, 'src/api/schema.d.ts');
// Short paths in messages, absolute ones for files far outside the working directory.
const rel = (p) => {
  const r = path.relative(process.cwd(), p);
  return r === '' || r.startsWith(`..${path.sep}..`) ? p : r;
};

class Failure extends Error {}

// Throws, so that `finally` blocks still clean up; reported once at the bottom of the file.
function fail(message) {
  throw new Failure(message);
}

// Run the CLI through the current node binary, so it works on any OS and without npm's PATH.
function runOpenapiTypescript(outFile) {
  const pkgDir = path.join(webUiDir, 'node_modules/openapi-typescript');
  if (!existsSync(pkgDir)) fail('openapi-typescript is not installed; run `npm ci` in web-ui/ first.');
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['openapi-typescript'];
  const result = spawnSync(process.execPath, [path.join(pkgDir, bin), specPath, '-o', outFile], {
    cwd: webUiDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.error) fail(`could not run openapi-typescript: ${result.error.message}`);
  if (result.status !== 0) fail(`openapi-typescript failed (exit ${result.status}) on ${rel(specPath)}.`);
}

const normalize = (text) => text.replace(/\r\n/g, '\n');

function main() {
  const mode = process.argv[2];
  if (mode !== 'generate' && mode !== 'check') {
    fail('usage: node scripts/api-types.mjs <generate|check>');
  }

  if (!existsSync(specPath)) {
    fail(
      `OpenAPI document not found at ${rel(specPath)}.\n` +
        '       It is exported by the Rust API into openapi/openapi.json; create or refresh it there first,\n' +
        '       then run `npm run gen:api` in web-ui/.',
    );
  }

  if (mode === 'generate') {
    runOpenapiTypescript(schemaPath);
    console.log(`Wrote ${rel(schemaPath)} from ${rel(specPath)}.`);
  } else {
    const tmp = mkdtempSync(path.join(tmpdir(), 'profiles-api-types-'));
    let fresh;
    try {
      runOpenapiTypescript(path.join(tmp, 'schema.d.ts'));
      fresh = normalize(readFileSync(path.join(tmp, 'schema.d.ts'), 'utf8'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    if (!existsSync(schemaPath)) {
      fail(`${rel(schemaPath)} is missing. Run \`npm run gen:api\` in web-ui/ and commit the result.`);
    }
    if (normalize(readFileSync(schemaPath, 'utf8')) !== fresh) {
      fail(
        `${rel(schemaPath)} is out of date with ${rel(specPath)}.\n` +
          '       Run `npm run gen:api` in web-ui/ and commit the result.',
      );
    }
    console.log(`${rel(schemaPath)} is up to date with ${rel(specPath)}.`);
  }
}

try {
  main();
} catch (err) {
  if (!(err instanceof Failure)) throw err;
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
}
