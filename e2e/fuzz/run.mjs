#!/usr/bin/env node
// `make fuzz` (and part of `make test`): the API fuzzed from its own OpenAPI document with
// schemathesis, against the real stack (PostgreSQL, the stand-ins, the servers behind haproxy).
//
// A person signs in with ORCID in Debian's Chromium, as anyone would; the JWT the web UI would
// get from POST /api/v1/tokens is what schemathesis presents. Every check, every phase (examples,
// coverage, fuzzing, stateful), a fixed seed and a bounded number of examples, so a run is
// repeatable and fits in `make test`:
//   FUZZ_EXAMPLES   examples per operation (default 50)
//   FUZZ_SEED       the seed (default 20261201)
//   FUZZ_MAX_TIME   a time budget in seconds for the whole run (default: none)
// Reports (JUnit, and an NDJSON log of every case) land in e2e/artifacts/fuzz/.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { randomOrcid } from '../support/doubles.js';
import { ARTIFACTS, ROOT, startStack } from '../support/stack.js';

const SCHEMATHESIS = path.join(ROOT, '.run/venv/bin/schemathesis');
const examples = process.env.FUZZ_EXAMPLES ?? '50';
const seed = process.env.FUZZ_SEED ?? '20261201';
const reports = path.join(ARTIFACTS, 'fuzz');
const METRICS_TOKEN = randomBytes(24).toString('hex');

/** Signs a new person in with ORCID and returns a JWT of theirs (and the browser, to close). */
async function signedInJwt(stack) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ baseURL: stack.appUrl });
  const orcid = randomOrcid();
  await page.goto('/sign-in?return_to=/settings');
  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  await page.waitForURL((u) => u.origin === new URL(stack.urls.orcid).origin && u.pathname.startsWith('/interaction/'));
  await page.getByLabel('ORCID iD').fill(orcid);
  await page.getByLabel('Password').fill('not checked');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.origin === new URL(stack.appUrl).origin && u.pathname === '/settings');
  const minted = await page.evaluate(async () => {
    const res = await fetch('/api/v1/tokens', { method: 'POST' });
    return { status: res.status, body: await res.json() };
  });
  if (minted.status !== 201 || !minted.body.access_token) {
    throw new Error(`POST /api/v1/tokens answered ${minted.status}: ${JSON.stringify(minted.body)}`);
  }
  return { browser, orcid, jwt: minted.body.access_token };
}

function schemathesis(args, jwt) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PROFILES_FUZZ_JWT: jwt, PROFILES_FUZZ_METRICS_TOKEN: METRICS_TOKEN };
    const child = spawn(SCHEMATHESIS, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let stack;
let browser;
let status = 1;
try {
  // JWTs outlive the run here (the journeys' 4 s would expire mid-run).
  stack = await startStack({ jwtTtlSecs: 3600, extraEnv: { METRICS_TOKEN } });
  const signedIn = await signedInJwt(stack);
  browser = signedIn.browser;
  mkdirSync(reports, { recursive: true });
  process.stderr.write(`fuzz: ${stack.appUrl} as ${signedIn.orcid}; ${examples} examples per operation, seed ${seed}\n`);
  const args = [
    '--config-file', path.join(ROOT, 'e2e/fuzz/schemathesis.toml'),
    'run', path.join(ROOT, 'openapi/openapi.json'),
    '--url', stack.appUrl,
    '--checks', 'all',
    // DELETE on a claim keeps it readable, by design (see schemathesis.toml); the config's switch
    // does not reach the stateful phase when --checks names them all, so say it here too.
    '--exclude-checks', 'use_after_free',
    '--phases', 'examples,coverage,fuzzing,stateful',
    '--seed', seed,
    '--max-examples', examples,
    // The sign-in flows answer with redirects to the providers; they are checked as answered.
    '--max-redirects', '0',
    '--workers', '2',
    '--request-timeout', '15',
    '--suppress-health-check', 'too_slow',
    '--report', 'junit,ndjson',
    '--report-dir', reports,
    '--warnings', 'off',
  ];
  if (process.env.FUZZ_MAX_TIME) args.push('--max-time', process.env.FUZZ_MAX_TIME);
  status = await schemathesis(args, signedIn.jwt);
} catch (err) {
  process.stderr.write(`fuzz: ${err.stack ?? err}\n`);
  status = 1;
} finally {
  await browser?.close().catch(() => {});
  await stack?.stop();
}
process.exit(status);
