// Small helpers shared by the stand-ins, and the test-control harness every stand-in serves under
// /_control/ (`createControl`, described in README.md "Test controls"). Nothing here talks to the
// network.

import http from 'node:http';
import { createHash } from 'node:crypto';

/** Escape text for HTML element content and double-quoted attributes. */
export function esc(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A stable, all-digit number derived from a string. Real providers key users on numeric ids
 * (Google's 21-digit `sub`, GitHub's integer `id`); deriving them from the login keeps an
 * identity the same across restarts without any stored state.
 */
export function digitsFrom(text, digits) {
  const hash = createHash('sha256').update(String(text)).digest();
  const n = hash.readBigUInt64BE(0) * 2n ** 64n + hash.readBigUInt64BE(8);
  return (n % 10n ** BigInt(digits)).toString().padStart(digits, '0');
}

/** Read a request body (at most `limit` bytes) as a string. */
export async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parse a form-encoded or JSON body into a plain object of strings. GitHub accepts both on its
 * token endpoint, and tests find JSON handy on the control endpoints.
 */
export function parseBody(text, contentType = '') {
  if (!text) return {};
  if (contentType.includes('json')) {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * One page layout for every stand-in: no external fonts or scripts (the machines are offline and
 * a blocked stylesheet would stall a headless browser), real <label>s so tests can find fields
 * by their accessible names, and a banner saying this is not the real provider.
 */
export function page({ title, provider, body, status }) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(provider)} (local stand-in)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
  .banner { background: #fff4ce; border: 1px solid #d9b600; padding: .5rem .75rem; font-size: .9rem; }
  form { margin: 1rem 0; }
  label { display: block; font-weight: 600; margin-top: .75rem; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  button { margin-top: 1rem; padding: .5rem 1rem; font-size: 1rem; cursor: pointer; }
  .error { color: #a00; font-weight: 600; }
  table { border-collapse: collapse; font-size: .9rem; }
  td, th { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
  code { font-size: .95em; }
</style>
</head>
<body>
<header><p class="banner" role="note">This is a local test stand-in for ${esc(provider)}, not the real service.</p></header>
<main>
<h1>${esc(title)}</h1>
${status ? `<p class="error" role="alert">${esc(status)}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** Listen on host:port (0 = any free port) and resolve with the port actually bound. */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/** Close a server, also dropping idle keep-alive connections so close() does not hang. */
export function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** The host part of an http URL as written in issuer strings: IPv6 literals need brackets. */
export function urlHost(host) {
  return host.includes(':') ? `[${host}]` : host;
}

/** As `urlHost`, but a wildcard bind address (0.0.0.0, ::) becomes 127.0.0.1, which a client can reach. */
export function reachableHost(host) {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : urlHost(host);
}

/** Answer with a text body of the given type (`text/html`, …) in UTF-8. */
export function sendText(res, status, text, type, headers = {}) {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Answer with JSON (`application/json; charset=utf-8`), not to be cached. */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers,
  });
  res.end(text);
}

/**
 * The stock page a load balancer (nginx and the like) answers with when the service behind it is
 * down, overloaded or slow: 502, 503 and 504 from a real API usually look like this, not like the
 * API's own error JSON. `reasons` maps a status to its wording; `server` adds nginx's footer line.
 */
export function gatewayPage(status, { reasons = http.STATUS_CODES, server } = {}) {
  const title = `${status} ${reasons[status] ?? http.STATUS_CODES[status]}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n${server ? `<hr><center>${server}</center>\r\n` : ''}</body>\r\n</html>\r\n`;
}

// ── The test-control harness ─────────────────────────────────────────────────────────────────

const REQUEST_LOG_SIZE = 1000;
const CONTROL_BODY_LIMIT = 10 * 1024 * 1024;
const GATEWAY_STATUSES = [502, 503, 504];
const DEFAULT_FAULT_STATUSES = Object.freeze([500, 502, 503, 504, 'timeout']);
const DEFAULT_TIMEOUT_MS = 30_000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NOTE = Symbol('fault note'); // on a call's `res`: what answered it, for the request log
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded PRNG, uniform in [0, 1). The same seed gives the same sequence. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A control request the harness refuses with 400 `{"error": message}`. */
class ControlError extends Error {
  status = 400;
}

/** A fault status as a control body may give it: an HTTP status, "timeout" or "reset"; else null. */
function faultStatus(value) {
  if (value === 'timeout' || value === 'reset') return value;
  const n = Number(value);
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
}

const ratioOf = (value, name) => {
  const n = Number(value ?? 0);
  if (!(n >= 0 && n <= 1)) throw new ControlError(`${name} must be a number from 0 to 1`);
  return n;
};

/**
 * `faultRate` of `POST config`: false/null/0 (off) or {ratio, statuses?, seed?, appliedBeforeFailure?,
 * method?, path?, …the stand-in's fault fields}. Returns false or the normalised setting.
 */
function normalizeFaultRate(value, faultFields) {
  if (value === false || value === null || value === 0) return false;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ControlError('faultRate must be {"ratio", "statuses"?, "seed"?} or false');
  const ratio = ratioOf(value.ratio, 'faultRate.ratio');
  if (ratio === 0) return false;
  const list = value.statuses ?? DEFAULT_FAULT_STATUSES;
  const statuses = Array.isArray(list) ? list.map(faultStatus) : [];
  if (statuses.length === 0 || statuses.includes(null)) {
    throw new ControlError('faultRate.statuses must be a non-empty list of HTTP statuses, "timeout" or "reset"');
  }
  const seed = value.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (!Number.isSafeInteger(Number(seed))) throw new ControlError('faultRate.seed must be an integer');
  return {
    ratio,
    statuses,
    seed: Number(seed),
    appliedBeforeFailure: ratioOf(value.appliedBeforeFailure, 'faultRate.appliedBeforeFailure'),
    method: value.method ? String(value.method).toUpperCase() : null,
    path: value.path ?? null,
    ...faultFields?.(value),
  };
}

function normalizeDown(value) {
  if (value === true || value === false || value === 'reset') return value;
  if (value === null || value === 0) return false;
  throw new ControlError('down must be true, false or "reset"');
}

function normalizeTimeoutMs(value) {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new ControlError('timeoutMs must be a number of milliseconds');
  return n;
}

/** A control body that is neither JSON nor a form: the harness answers 400 `{"error":"invalid JSON: …"}`. */
class PayloadError extends Error {
  status = 400;
}

/**
 * A control request's body as a plain object: JSON, or a form when it is sent as one (and does
 * not look like JSON: `curl -d '{…}'` sends JSON with a form content type). Empty, `null`, arrays
 * and other non-objects read as {}.
 */
async function readPayload(req) {
  const text = await readBody(req, CONTROL_BODY_LIMIT);
  if (!text.trim()) return {};
  if ((req.headers['content-type'] ?? '').includes('x-www-form-urlencoded') && !/^\s*[{[]/.test(text)) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PayloadError(`invalid JSON: ${err.message}`);
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/**
 * The test controls and fault injection every stand-in shares; README.md "Test controls" is the
 * reference for the endpoints. `handler(inner)` returns the server's request listener:
 *
 * - `/_control/…` goes to the control API: the shared `fail-next`, `stats`, `requests`, `config`
 *   and `reset`, then the stand-in's own `routes`; anything else there is 404. Control calls are
 *   not counted, delayed or faulted.
 * - Every other request is a call to the service: counted (stats, request log), then refused when
 *   the service is `down`, then `admit` (a rate limit may answer it), then delayed by
 *   `config.latencyMs`, then answered by the first queued fault that matches it, else by a random
 *   fault (`config.faultRate`), else passed to `inner(req, res, url)`.
 *
 * A fault answers `fault.body` as JSON when one was given; else 502/503/504 get the gateway page
 * (`gateway`: the options of `gatewayPage`) and other statuses `faultBody(status, req, url)` with
 * `faultHeaders(status, req, url)`. `Retry-After` is added when asked for. `"reset"` drops the
 * connection; `"timeout"` holds the answer for `config.timeoutMs`, then drops the connection. A
 * fault that *applies* on a write (any method but GET/HEAD/OPTIONS) first passes the call to
 * `inner` with a response that goes nowhere, so the service does the work and the client never
 * hears of it: "timeout" faults when `config.timeoutApplies`, queued faults with `applied: true`,
 * random status faults at `faultRate.appliedBeforeFailure`.
 *
 * @param {object} [options]
 * @param {object} [options.config] initial settings; `latencyMs` (default 0), `timeoutMs` (30000),
 *   `timeoutApplies` (false), `faultRate` (false) and `down` (false) are the harness's, the rest is
 *   the stand-in's and is set by `configure`.
 * @param {(payload:object, config:object) => void} [options.configure] apply other keys of `POST config`.
 * @param {string[]} [options.counters] extra counters in `stats` (the stand-in increments them).
 * @param {Record<string, (ctx) => [number, unknown] | Promise<[number, unknown]>>} [options.routes]
 *   the stand-in's own control endpoints, keyed `'METHOD name'` (`'POST dois'` is
 *   POST /_control/dois) or `'METHOD name/*'` for a prefix (`ctx.rest` is what follows, still
 *   percent-encoded). A handler gets `{ req, res, url, rest, query, payload }` (`payload()` reads
 *   the body; a body that is not JSON throws, answered 400 unless the handler catches it) and
 *   returns `[status, body]`, sent as JSON.
 * @param {() => void} [options.reset] put the stand-in's own data back as it started (`POST reset`).
 * @param {(payload:object) => object} [options.faultFields] extra fields of a fault from `POST fail-next`
 *   (and of `faultRate`).
 * @param {(fault:object, req, url:URL) => boolean} [options.matchFault] an extra condition for a fault
 *   (queued or random) to apply to a call (besides its `method` and `path`).
 * @param {(req, res, url:URL) => boolean} [options.admit] false when it has answered the call itself.
 * @param {(req, res, status:number, body:unknown, headers:object) => void} [options.send] the
 *   stand-in's JSON writer, for fault bodies (default: `sendJson`).
 * @param {(status:number, req, url:URL) => unknown} [options.faultBody]
 * @param {(status:number, req, url:URL) => object} [options.faultHeaders]
 * @param {object} [options.gateway] options of `gatewayPage` for 502/503/504 faults.
 * @param {'gateway'|'service'} [options.outage] what `down` answers: the gateway's 503 page (default,
 *   as a 503 fault) or the service's own 503 body (`faultBody(503)`).
 * @param {(err:Error, req, res) => void} [options.onError] answer a call whose handler threw.
 */
export function createControl({
  config = {},
  configure,
  counters = [],
  routes = {},
  reset,
  faultFields,
  matchFault,
  admit,
  send = (req, res, status, body, headers) => sendJson(res, status, body, headers),
  faultBody = (status) => ({ error: http.STATUS_CODES[status] ?? 'Error' }),
  faultHeaders,
  gateway = {},
  outage = 'gateway',
  onError,
} = {}) {
  const settings = {
    latencyMs: 0, timeoutMs: DEFAULT_TIMEOUT_MS, timeoutApplies: false, faultRate: false, down: false, ...config,
  };
  settings.faultRate = normalizeFaultRate(settings.faultRate, faultFields);
  settings.down = normalizeDown(settings.down);
  /** Queued faults, first match wins: {status, remaining, method, path, delayMs, retryAfter, body, applied, …faultFields}. */
  const faults = [];
  /** The last REQUEST_LOG_SIZE calls: {at, method, path, query, status, ms, fault?, applied?}. */
  const log = [];
  const freshStats = () => ({
    requests: 0,
    ...Object.fromEntries(counters.map((name) => [name, 0])),
    maxConcurrent: 0,
    perSecondPeak: 0,
    byStatus: {},
    faulted: {},
    down: 0,
  });
  const stats = freshStats();
  const arrivals = []; // start times within the last second, for perSecondPeak
  let inFlight = 0;
  let random = null; // the faultRate's PRNG, restarted from its seed when it is set and on reset
  const reseed = () => { random = settings.faultRate ? seededRandom(settings.faultRate.seed) : null; };
  reseed();

  function track(req, res, url) {
    const started = Date.now();
    stats.requests += 1;
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    arrivals.push(started);
    while (arrivals.length && arrivals[0] <= started - 1000) arrivals.shift();
    stats.perSecondPeak = Math.max(stats.perSecondPeak, arrivals.length);
    res.on('close', () => {
      inFlight -= 1;
      const status = res.writableFinished ? res.statusCode : 'aborted';
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      log.push({
        at: new Date(started).toISOString(),
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status,
        ms: Date.now() - started,
        ...res[NOTE],
      });
      if (log.length > REQUEST_LOG_SIZE) log.shift();
    });
  }

  const matches = (f, req, url) => (!f.method || f.method === req.method)
    && (!f.path || url.pathname.startsWith(f.path))
    && (!matchFault || matchFault(f, req, url));

  function takeFault(req, url) {
    const index = faults.findIndex((f) => matches(f, req, url));
    if (index === -1) return null;
    const fault = faults[index];
    if (--fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  /** A random fault for this call at `faultRate`, or null. Draws from the seeded sequence. */
  function drawFault(req, url) {
    const rate = settings.faultRate;
    if (!rate || !random || !matches(rate, req, url)) return null;
    if (random() >= rate.ratio) return null;
    const status = rate.statuses[Math.min(rate.statuses.length - 1, Math.floor(random() * rate.statuses.length))];
    const applied = typeof status === 'number' && rate.appliedBeforeFailure > 0 && !READ_METHODS.has(req.method)
      ? random() < rate.appliedBeforeFailure
      : undefined;
    stats.faulted[status] = (stats.faulted[status] ?? 0) + 1;
    return { status, delayMs: 0, retryAfter: null, body: undefined, applied };
  }

  /** Let the service do the call, its answer going nowhere; returns the status it answered. */
  async function applyQuietly(req, url, inner) {
    const sink = new http.ServerResponse(req);
    try {
      await inner(req, sink, url);
    } catch {
      return 'error';
    }
    return sink.headersSent ? sink.statusCode : 'none';
  }

  /** Hold the call until `ms` have passed, then drop the connection; or until the client gives up. */
  function hold(req, res, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { req.socket.destroy(); resolve(); }, ms);
      timer.unref?.();
      res.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }

  async function answerFault(req, res, url, fault, inner) {
    const applies = fault.applied ?? (fault.status === 'timeout' && settings.timeoutApplies);
    const note = { fault: fault.status };
    res[NOTE] = note;
    if (applies && !READ_METHODS.has(req.method)) note.applied = await applyQuietly(req, url, inner);
    if (fault.status === 'reset') {
      // A connection failure: the client sees ECONNRESET, not an HTTP answer.
      req.socket.destroy();
      return;
    }
    if (fault.status === 'timeout') return hold(req, res, settings.timeoutMs);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (res.destroyed) return; // the client gave up waiting
    const headers = fault.retryAfter != null ? { 'Retry-After': String(fault.retryAfter) } : {};
    if (fault.body !== undefined) return send(req, res, fault.status, fault.body, headers);
    if (gateway && GATEWAY_STATUSES.includes(fault.status)) {
      return sendText(res, fault.status, gatewayPage(fault.status, gateway), 'text/html', headers);
    }
    const body = await faultBody(fault.status, req, url);
    return send(req, res, fault.status, body, { ...faultHeaders?.(fault.status, req, url), ...headers });
  }

  /** The service is down (`config.down`): 503 from the gateway or the service, or a dropped connection. */
  async function refuse(req, res, url) {
    stats.down += 1;
    res[NOTE] = { fault: 'down' };
    if (settings.down === 'reset') {
      req.socket.destroy();
      return undefined;
    }
    if (outage === 'gateway' && gateway) return sendText(res, 503, gatewayPage(503, gateway), 'text/html');
    return send(req, res, 503, await faultBody(503, req, url), faultHeaders?.(503, req, url) ?? {});
  }

  const shared = {
    'POST fail-next': async ({ payload }) => {
      const p = await payload();
      const status = faultStatus(p.status);
      if (status === null) return [400, { error: 'status must be an HTTP status, "timeout" or "reset"' }];
      faults.push({
        status,
        remaining: Math.max(1, Number(p.count ?? 1)),
        method: p.method ? String(p.method).toUpperCase() : null,
        path: p.path ?? null,
        delayMs: Number(p.delayMs ?? 0),
        retryAfter: p.retryAfter ?? null,
        body: p.body,
        applied: p.applied == null ? undefined : Boolean(p.applied),
        ...faultFields?.(p),
      });
      return [200, { queued: faults.length }];
    },
    'GET stats': () => [200, {
      ...stats, byStatus: { ...stats.byStatus }, faulted: { ...stats.faulted }, inFlight,
    }],
    'GET requests': () => [200, log],
    'GET config': () => [200, settings],
    'POST config': async ({ payload }) => {
      const p = await payload();
      // Check every harness key before changing any, so a bad request changes nothing.
      const next = {};
      try {
        if (p.latencyMs !== undefined) next.latencyMs = Number(p.latencyMs);
        if (p.timeoutMs !== undefined) next.timeoutMs = normalizeTimeoutMs(p.timeoutMs);
        if (p.timeoutApplies !== undefined) next.timeoutApplies = Boolean(p.timeoutApplies);
        if (p.faultRate !== undefined) next.faultRate = normalizeFaultRate(p.faultRate, faultFields);
        if (p.down !== undefined) next.down = normalizeDown(p.down);
      } catch (err) {
        if (err instanceof ControlError) return [400, { error: err.message }];
        throw err;
      }
      Object.assign(settings, next);
      if ('faultRate' in next) reseed();
      configure?.(p, settings);
      return [200, settings];
    },
    'POST reset': () => {
      reset?.();
      faults.length = 0;
      log.length = 0;
      arrivals.length = 0;
      Object.assign(stats, freshStats());
      reseed();
      return [200, { reset: true }];
    },
  };
  for (const key of Object.keys(routes)) {
    if (key in shared) throw new Error(`control route ${key} belongs to the harness`);
  }
  const table = { ...shared, ...routes };

  function findRoute(method, name) {
    if (table[`${method} ${name}`]) return { handle: table[`${method} ${name}`], rest: '' };
    for (const [key, handle] of Object.entries(table)) {
      const [m, pattern] = key.split(' ');
      const prefix = pattern.endsWith('/*') ? pattern.slice(0, -1) : null;
      if (m === method && prefix && name.startsWith(prefix) && name.length > prefix.length) return { handle, rest: name.slice(prefix.length) };
    }
    return null;
  }

  async function control(req, res, url) {
    const path = url.pathname.replace(/\/+$/, '');
    const found = findRoute(req.method, path.slice('/_control/'.length));
    if (!found) return sendJson(res, 404, { error: `unknown control endpoint ${req.method} ${path}` });
    let body;
    const payload = () => (body ??= readPayload(req));
    const [status, answer] = await found.handle({
      req, res, url, rest: found.rest, query: url.searchParams, payload,
    });
    return sendJson(res, status, answer);
  }

  async function call(req, res, url, inner) {
    track(req, res, url);
    if (settings.down) return refuse(req, res, url);
    if (admit && !admit(req, res, url)) return undefined;
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    const fault = takeFault(req, url) ?? drawFault(req, url);
    if (fault) return answerFault(req, res, url, fault, inner);
    return inner(req, res, url);
  }

  function failed(err, req, res, isControl) {
    if (!isControl && onError) return onError(err, req, res);
    if (res.headersSent) return res.destroy();
    return sendJson(res, err.status ?? 500, { error: err.message });
  }

  return {
    config: settings,
    faults,
    stats,
    log,
    get inFlight() { return inFlight; },
    /** The request listener: the control API under /_control/, everything else through the harness to `inner`. */
    handler(inner) {
      return (req, res) => {
        const url = new URL(req.url, 'http://stand-in.invalid');
        const isControl = url.pathname.startsWith('/_control/');
        (isControl ? control(req, res, url) : call(req, res, url, inner))
          .catch((err) => failed(err, req, res, isControl));
      };
    },
  };
}
