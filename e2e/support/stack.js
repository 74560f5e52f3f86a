// The system under test, all real parts, started and stopped by the suite itself:
//   - a fresh PostgreSQL database `e2e_<random>` on the project-local cluster (or on the server of
//     DATABASE_URL when that is set), dropped afterwards;
//   - the stand-ins (`e2e/stand-ins/cli.mjs all`): the oidc-provider playing ORCID and Google, the
//     GitHub stand-in and the ORCID Member API and DataCite doubles, each on a free port;
//   - the real server binary, scaled out: two `target/debug/profiles serve --no-worker` and two
//     `profiles worker` on the one database, behind Debian's haproxy (round-robin, health checks on
//     /heartbeat, a stats page). Browsers and journeys only ever see the balancer's URL.
//
// `startStack()` returns what the journeys need (URLs, the database URL, the OAuth clients, the
// backends and the balancer's stats) and a `stop()`. `node e2e/support/stack.js` starts the same
// stack by hand and keeps it up until Ctrl-C, which is handy for looking at a failing journey in a
// real browser.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
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
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? 'haproxy';
export const LOGS = path.join(ARTIFACTS, 'logs');

/** JWTs live this long in the suite, so journey 11 can watch one expire. */
export const JWT_TTL_SECS = 4;

/**
 * ORCID's Member API limit the app is told (ORCID_RATE_LIMIT_PER_SEC / _BURST), summed over every
 * worker. Lower than ORCID's 24/s, burst 40, so the scale-out journey can set the orcid-api
 * double to exactly this and have two workers' pushes run into it; high enough that the other
 * journeys never wait for it.
 */
export const ORCID_RATE_LIMIT = { perSecond: 10, burst: 10 };

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
  mkdirSync(LOGS, { recursive: true });
  return createWriteStream(path.join(LOGS, name));
}

/** Spawns `command` with its stdout and stderr in artifacts/logs/<name>.log. */
function spawnLogged(name, command, args, env) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = logTo(`${name}.log`);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('error', (err) => log.write(`spawn error: ${err.message}\n`));
  child.logName = `${name}.log`;
  return child;
}

/** Resolves once `child` prints a line matching `pattern` (on stdout or stderr). */
function waitForLine(child, pattern, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    // A plain 'data' listener next to the pipe into the log (a readline would pause the stream).
    const onData = (chunk) => {
      seen = (seen + chunk).slice(-4096);
      if (pattern.test(seen)) done();
    };
    const onExit = (code, signal) => done(new Error(`${what} exited with ${code ?? signal} before it was ready (see artifacts/logs/${child.logName})`));
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${timeoutMs / 1000} s (see artifacts/logs/${child.logName})`)), timeoutMs);
    function done(err) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      if (err) reject(err);
      else resolve();
    }
    child.once('exit', onExit);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

/**
 * Starts the stand-ins and resolves with their URLs once all five have printed their ready line
 * (and `inbox`, the ORCID inbox page's pattern `http://…/inbox/{orcid}`).
 */
async function startStandIns(env) {
  const child = spawn(process.execPath, [path.join(E2E_DIR, 'stand-ins/cli.mjs'), 'all', '--exit-with-stdin'], {
    cwd: ROOT,
    env,
    // stdin stays open for as long as we live: when this process dies, the stand-ins go too.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.pipe(logTo('stand-ins.log'));
  const urls = {};
  let inbox = null;
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
      // orcid-api's ready line also names a person's ORCID inbox: `…/inbox/{orcid}`.
      if (msg.inbox) inbox = msg.inbox;
      if (STANDIN_SERVICES.every((s) => urls[s])) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
  return { child, urls, inbox };
}

async function waitForHeartbeat(url, child, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  const see = `see artifacts/logs/${child.logName}`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited with ${child.exitCode ?? child.signalCode} (${see})`);
    }
    try {
      const res = await fetch(`${url}/heartbeat`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer /heartbeat at ${url} within ${timeoutMs / 1000} s (${see})`);
}

/** haproxy's CSV stats (`/stats;csv`), one object per row (`pxname`, `svname`, `status`, `stot`, …). */
export async function haproxyStats(statsUrl) {
  const res = await fetch(`${statsUrl};csv`);
  if (!res.ok) throw new Error(`GET ${statsUrl};csv → ${res.status}`);
  const [header, ...rows] = (await res.text()).trim().split('\n');
  const names = header.replace(/^# /, '').split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
}

/** haproxy's configuration: the app's port, round-robin over `backends`, a stats page. */
function haproxyConfig({ appPort, statsPort, backends, errorFiles }) {
  return `# Generated by e2e/support/stack.js for one run of the journeys.
global
    log stderr format raw local0 info
    maxconn 1024
    # Room for the longest request line the API documents (a list of DOIs is up to 10,000
    # characters, percent-encoded): what haproxy cannot buffer it refuses with a built-in HTML 400
    # that no errorfile replaces.
    tune.bufsize 131072

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 2s
    # What the balancer answers itself (a request it refuses, no backend up) is problem+json too,
    # like every error of the API behind it.
${errorFiles.map((f) => `    errorfile ${f.status} ${f.file}`).join('\n')}

frontend profiles
    bind 127.0.0.1:${appPort}
    # In each request's log line, between braces: a journey can find its own browser's requests.
    capture request header User-Agent len 200
    default_backend serves

backend serves
    balance roundrobin
    # Readiness: the database answers and is migrated (liveness stays /heartbeat).
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
${backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port}`).join('\n')}

listen stats
    bind 127.0.0.1:${statsPort}
    stats enable
    stats uri /stats
    stats refresh 5s
`;
}

/** The balancer's own answers, as RFC 9457 problem details with the API's codes. */
function haproxyErrorFiles(dir) {
  const answers = [
    [400, 'Bad Request', 'bad_request', 'The request is not valid HTTP.'],
    [408, 'Request Timeout', 'bad_request', 'The request took too long to arrive.'],
    [502, 'Bad Gateway', 'service_unavailable', 'The service answered badly. Please try again shortly.'],
    [503, 'Service Unavailable', 'service_unavailable', 'No server can answer right now. Please try again shortly.'],
    [504, 'Gateway Timeout', 'service_unavailable', 'The service did not answer in time. Please try again shortly.'],
  ];
  return answers.map(([status, title, code, detail]) => {
    const body = JSON.stringify({ type: `urn:profiles:problem:${code}`, title, status, detail, code });
    const file = path.join(dir, `haproxy-${status}.http`);
    writeFileSync(file, `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\n`
      + `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return { status, file };
  });
}

/** Waits until haproxy's health checks see every backend UP. */
async function waitForBackendsUp(statsUrl, haproxy, count, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no stats yet';
  while (Date.now() < deadline) {
    if (haproxy.exitCode !== null || haproxy.signalCode !== null) {
      throw new Error(`haproxy exited with ${haproxy.exitCode ?? haproxy.signalCode} (see artifacts/logs/haproxy.log)`);
    }
    try {
      const servers = (await haproxyStats(statsUrl)).filter((r) => r.pxname === 'serves' && !['FRONTEND', 'BACKEND'].includes(r.svname));
      last = servers.map((r) => `${r.svname} ${r.status}`).join(', ');
      if (servers.length === count && servers.every((r) => r.status === 'UP')) return;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`haproxy did not see every backend UP within ${timeoutMs / 1000} s (${last}; see artifacts/logs/haproxy.log)`);
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
 * Options: `jwtTtlSecs` (JWT_TTL_SECS of the app), `serves` and `workers` (how many `profiles serve
 * --no-worker` and `profiles worker` processes; with workers = 0 every serve runs its worker
 * in-process instead), and `extraEnv`, merged last into the environment of every app process.
 */
export async function startStack({ jwtTtlSecs = JWT_TTL_SECS, serves = 2, workers = 2, extraEnv = {} } = {}) {
  if (!(serves >= 1)) throw new Error('startStack: at least one serve');
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

  // The backends and the balancer's stats page, each on a free port of its own.
  const backends = [];
  for (let i = 1; i <= serves; i += 1) {
    const port = await freePort();
    backends.push({ name: `serve-${i}`, port, url: `http://127.0.0.1:${port}` });
  }
  const statsPort = await freePort();
  const statsUrl = `http://127.0.0.1:${statsPort}/stats`;

  const stack = {
    appUrl, dbName, dbUrl: dbUrls.db, clients, urls: {},
    backendUrls: backends.map((b) => b.url),
    statsUrl,
    logsDir: LOGS,
    pids: { serves: [], workers: [], haproxy: null },
  };
  let standIns = null;
  let haproxy = null;
  const servers = [];
  const workerProcs = [];
  let dbCreated = false;

  const stop = async () => {
    // The balancer first, so nothing new arrives; then every app process at once.
    await stopChild(haproxy, 'SIGTERM', 5_000);
    await Promise.all([...servers, ...workerProcs].map((child) => stopChild(child)));
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
      if (/^(ORCID|GOOGLE|GITHUB|DATACITE|STANDIN|JWT|AUTO_UPDATE|WORKER|CLAIM|SESSION|ENCRYPTION|RUN|DATABASE|UPSTREAM|LOG|EXCLUDE|NOTIFICATION|WAITING)_/.test(name)) {
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
    stack.orcidInboxUrl = standIns.inbox;
    const { urls } = standIns;

    const serverEnv = {
      ...baseEnv,
      ...clients,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      NO_COLOR: '1',
      DATABASE_URL: dbUrls.db,
      HOST: '127.0.0.1',
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
      // "Your DOIs in DataCite Search" leads to the double's copy of DataCite Commons' search page.
      DATACITE_SEARCH_URL: urls.datacite,
      JWT_TTL_SECS: String(jwtTtlSecs),
      ORCID_RATE_LIMIT_PER_SEC: String(ORCID_RATE_LIMIT.perSecond),
      ORCID_RATE_LIMIT_BURST: String(ORCID_RATE_LIMIT.burst),
      // Every request arrives from haproxy on loopback: the client is in X-Forwarded-For.
      TRUSTED_PROXIES: '127.0.0.1/32',
      // No DataCite polling: Auto-Update journeys send their events themselves.
      AUTO_UPDATE_POLL_SECS: '0',
      WORKER_POLL_MS: '100',
      // ORCID inbox permission notifications (issue 17): someone a DOI names who has not granted
      // Auto-Update is asked in their inbox at the ORCID double (the configured ORCID client has
      // the client_credentials grant there, for the /premium-notification token). The sweep that
      // gathers waiting claims into notifications runs every second, so a journey sees its
      // notification at once (and several sweeps within a few seconds).
      ORCID_NOTIFICATIONS: 'on',
      NOTIFICATION_SWEEP_SECS: '1',
      ...extraEnv,
    };
    stack.serverEnv = {
      DATABASE_URL: serverEnv.DATABASE_URL,
      ENCRYPTION_KEY: serverEnv.ENCRYPTION_KEY,
      SESSION_SECRET: serverEnv.SESSION_SECRET,
    };
    stack.notificationSweepSecs = Number(serverEnv.NOTIFICATION_SWEEP_SECS);
    stack.orcidRateLimit = {
      perSecond: Number(serverEnv.ORCID_RATE_LIMIT_PER_SEC),
      burst: Number(serverEnv.ORCID_RATE_LIMIT_BURST),
    };

    // The first serve applies the migrations (and creates the JWT signing key) before any other
    // process starts; the others only serve.
    const inProcessWorker = workers === 0 ? [] : ['--no-worker'];
    for (const [i, backend] of backends.entries()) {
      const args = ['serve', ...inProcessWorker, ...(i === 0 ? [] : ['--no-migrate'])];
      const child = spawnLogged(backend.name, SERVER_BIN, args, { ...serverEnv, PORT: String(backend.port) });
      servers.push(child);
      stack.pids.serves.push(child.pid);
      if (i === 0) await waitForHeartbeat(backend.url, child, `profiles ${args.join(' ')}`);
    }
    for (let i = 1; i <= workers; i += 1) {
      const child = spawnLogged(`worker-${i}`, SERVER_BIN, ['worker'], serverEnv);
      workerProcs.push(child);
      stack.pids.workers.push(child.pid);
    }
    await Promise.all([
      ...backends.slice(1).map((b, i) => waitForHeartbeat(b.url, servers[i + 1], `profiles serve (${b.name})`)),
      ...workerProcs.map((child, i) => waitForLine(child, /worker started/, `profiles worker (worker-${i + 1})`)),
    ]);

    const configFile = path.join(LOGS, 'haproxy.cfg');
    const errorFiles = haproxyErrorFiles(LOGS);
    writeFileSync(configFile, haproxyConfig({ appPort, statsPort, backends, errorFiles }));
    haproxy = spawnLogged('haproxy', HAPROXY_BIN, ['-f', configFile, '-db'], baseEnv);
    stack.pids.haproxy = haproxy.pid;
    await waitForBackendsUp(statsUrl, haproxy, backends.length);
    await waitForHeartbeat(appUrl, haproxy, 'haproxy');
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
  process.stdout.write(`Profiles at ${stack.appUrl} (haproxy over ${stack.backendUrls.join(', ')}; stats at ${stack.statsUrl}); Ctrl-C stops everything and drops ${stack.dbName}.\n`);
  const shutdown = () => stack.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
