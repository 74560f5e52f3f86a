// The system under test, all real parts, started and stopped by the suite itself:
//   - a fresh PostgreSQL database `e2e_<random>` on the project-local cluster (or on the server of
//     DATABASE_URL when that is set), dropped afterwards;
//   - the stand-ins (`e2e/stand-ins/cli.mjs all`): the oidc-provider playing ORCID and Google, the
//     GitHub stand-in and the ORCID Member API and DataCite doubles, each on a free port;
//   - the real server binary, `target/debug/profiles serve`, with its worker in-process.
//
// `startStack()` returns what the journeys need (URLs, the database URL, the OAuth clients) and a
// `stop()`. `node e2e/support/stack.js` starts the same stack by hand and keeps it up until Ctrl-C,
// which is handy for looking at a failing journey in a real browser.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(E2E_DIR, '..');
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
export const SERVER_BIN = process.env.PROFILES_BIN ?? path.join(ROOT, 'target/debug/profiles');

/** JWTs live this long in the suite, so journey 11 can watch one expire. */
export const JWT_TTL_SECS = 4;

const STANDIN_SERVICES = ['orcid', 'google', 'github', 'orcid-api', 'datacite'];

/** A port that was free a moment ago (the server needs it before the stand-ins know the app's URL). */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const token = (bytes) => randomBytes(bytes).toString('hex');
const upperAlnum = (n) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(36)]).join('');

/** The admin URL (database `postgres`) and the URL of a new database on the same server. */
function databaseUrls(baseUrl, name) {
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const db = new URL(baseUrl);
  db.pathname = `/${name}`;
  return { admin: admin.toString(), db: db.toString() };
}

async function psql(adminUrl, sql) {
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', adminUrl, '-c', sql], { timeout: 60_000 });
}

/** The project-local cluster's URL; starts the cluster if needed (scripts/pg.sh is idempotent). */
async function localClusterUrl() {
  await run(path.join(ROOT, 'scripts/pg.sh'), ['start'], { timeout: 120_000 });
  const { stdout } = await run(path.join(ROOT, 'scripts/pg.sh'), ['url']);
  return stdout.trim();
}

function logTo(name) {
  mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  return createWriteStream(path.join(ARTIFACTS, 'logs', name));
}

/** Starts the stand-ins and resolves with their URLs once all five have printed their ready line. */
async function startStandIns(env) {
  const child = spawn(process.execPath, [path.join(E2E_DIR, 'stand-ins/cli.mjs'), 'all', '--exit-with-stdin'], {
    cwd: ROOT,
    env,
    // stdin stays open for as long as we live: when this process dies, the stand-ins go too.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.pipe(logTo('stand-ins.log'));
  const urls = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the stand-ins did not become ready within 30 s (see artifacts/logs/stand-ins.log)')), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stand-ins exited with ${code} before they were ready (see artifacts/logs/stand-ins.log)`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ready) urls[msg.ready] = msg.url;
      if (STANDIN_SERVICES.every((s) => urls[s])) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
  return { child, urls };
}

async function waitForHeartbeat(url, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  server.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`profiles serve exited with ${exited} (see artifacts/logs/server.log)`);
    try {
      const res = await fetch(`${url}/heartbeat`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`profiles serve did not answer /heartbeat within ${timeoutMs / 1000} s (see artifacts/logs/server.log)`);
}

function stopChild(child, signal = 'SIGTERM', graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Starts everything. The returned object is plain data plus `stop()`; `env()` gives the same data
 * as environment variables for the Playwright workers.
 *
 * Options: `jwtTtlSecs` (JWT_TTL_SECS of the app), `serves` and `workers` (how many `profiles serve`
 * and `profiles worker` processes; with workers = 0 the serve runs its worker in-process), and
 * `extraEnv`, merged last into the environment of every app process.
 */
export async function startStack({ jwtTtlSecs = JWT_TTL_SECS, serves = 1, workers = 0, extraEnv = {} } = {}) {
  if (serves !== 1 || workers !== 0) throw new Error('startStack: only serves = 1, workers = 0 so far');
  const dbName = `e2e_${token(6)}`;
  const baseDbUrl = process.env.DATABASE_URL || (await localClusterUrl());
  const dbUrls = databaseUrls(baseDbUrl, dbName);
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;

  // OAuth clients of this run, registered by the stand-ins from the environment with redirect
  // URIs on the app's URL.
  const clients = {
    ORCID_CLIENT_ID: `APP-${upperAlnum(16)}`,
    ORCID_CLIENT_SECRET: token(16),
    GOOGLE_CLIENT_ID: `${randomInt(1e11)}-e2e.apps.googleusercontent.com`,
    GOOGLE_CLIENT_SECRET: `GOCSPX-${token(12)}`,
    GITHUB_CLIENT_ID: `Ov23li${upperAlnum(14)}`,
    GITHUB_CLIENT_SECRET: token(20),
  };

  const stack = { appUrl, dbName, dbUrl: dbUrls.db, clients, urls: {} };
  let standIns = null;
  let server = null;
  let dbCreated = false;

  const stop = async () => {
    await stopChild(server);
    if (standIns) {
      standIns.child.stdin.end();
      await stopChild(standIns.child, 'SIGTERM', 5_000);
    }
    if (dbCreated) {
      await psql(dbUrls.admin, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((err) => {
        process.stderr.write(`e2e: could not drop database ${dbName}: ${err.message}\n`);
      });
    }
  };

  try {
    await psql(dbUrls.admin, `CREATE DATABASE "${dbName}"`);
    dbCreated = true;

    const baseEnv = { ...process.env };
    // Whatever the developer's shell has must not leak into the app or the stand-ins.
    for (const name of Object.keys(baseEnv)) {
      if (/^(ORCID|GOOGLE|GITHUB|DATACITE|STANDIN|JWT|AUTO_UPDATE|WORKER|CLAIM|SESSION|ENCRYPTION|RUN|DATABASE|UPSTREAM|LOG|EXCLUDE)_/.test(name)) {
        delete baseEnv[name];
      }
    }

    standIns = await startStandIns({
      ...baseEnv,
      ...clients,
      APP_BASE_URL: appUrl,
      STANDIN_ORCID_PORT: '0',
      STANDIN_GOOGLE_PORT: '0',
      STANDIN_GITHUB_PORT: '0',
      STANDIN_ORCID_API_PORT: '0',
      STANDIN_DATACITE_PORT: '0',
    });
    stack.urls = standIns.urls;
    const { urls } = standIns;

    const serverEnv = {
      ...baseEnv,
      ...clients,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      NO_COLOR: '1',
      DATABASE_URL: dbUrls.db,
      HOST: '127.0.0.1',
      PORT: String(appPort),
      PUBLIC_URL: appUrl,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(64).toString('base64'),
      WEB_UI_DIR: path.join(ROOT, 'web-ui/dist'),
      ORCID_URL: urls.orcid,
      ORCID_API_URL: urls['orcid-api'],
      GOOGLE_ISSUER_URL: urls.google,
      GITHUB_URL: urls.github,
      GITHUB_API_URL: urls.github,
      DATACITE_API_URL: urls.datacite,
      JWT_TTL_SECS: String(jwtTtlSecs),
      // No DataCite polling: Auto-Update journeys send their events themselves.
      AUTO_UPDATE_POLL_SECS: '0',
      WORKER_POLL_MS: '100',
      ...extraEnv,
    };
    stack.serverEnv = {
      DATABASE_URL: serverEnv.DATABASE_URL,
      ENCRYPTION_KEY: serverEnv.ENCRYPTION_KEY,
      SESSION_SECRET: serverEnv.SESSION_SECRET,
    };
    server = spawn(SERVER_BIN, ['serve'], { cwd: ROOT, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const serverLog = logTo('server.log');
    server.stdout.pipe(serverLog);
    server.stderr.pipe(serverLog);
    server.on('error', (err) => serverLog.write(`spawn error: ${err.message}\n`));
    await waitForHeartbeat(appUrl, server);
  } catch (err) {
    await stop();
    throw err;
  }

  return { ...stack, stop };
}

/** The stack as environment variables, for the Playwright worker processes. */
export function stackEnv(stack) {
  return { E2E_STACK: JSON.stringify({ ...stack, stop: undefined }) };
}

/** In a worker: the stack that the global setup started. */
export function currentStack() {
  const raw = process.env.E2E_STACK;
  if (!raw) throw new Error('E2E_STACK is not set: run the journeys with `make e2e` (or `npx playwright test` in e2e/)');
  return JSON.parse(raw);
}

// `node e2e/support/stack.js`: the same stack by hand, until Ctrl-C.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stack = await startStack();
  process.stdout.write(`${JSON.stringify({ ...stack, stop: undefined }, null, 2)}\n`);
  process.stdout.write(`Profiles at ${stack.appUrl}; Ctrl-C stops everything and drops ${stack.dbName}.\n`);
  const shutdown = () => stack.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
