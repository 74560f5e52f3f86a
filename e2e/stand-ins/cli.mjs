#!/usr/bin/env node
// Start one stand-in, or all of them, for local development and for the Rust e2e tests.
//
//   node e2e/stand-ins/cli.mjs <orcid|google|github|orcid-api|datacite|all> [options]
//
// Options for every mode, `all` included:
//   --exit-with-stdin     stop every server and exit 0 once stdin reaches end-of-file or closes,
//                           i.e. when the parent process closes its end of the pipe or dies (even
//                           by SIGKILL, which leaves no chance to send SIGTERM). Whatever arrives on
//                           stdin is read and ignored. Start the child with stdin piped and keep
//                           the pipe open: with stdin at /dev/null (spawn's 'ignore') it exits at once.
// Options (single service only; `all` is configured through the environment):
//   --port N              listen port; 0 picks a free one (default: the fixed port below)
//   --host H              bind address (default 127.0.0.1)
//   --client-id ID        register a client; repeat to register several. --client-secret and
//   --client-secret S       --redirect-uri (repeatable) apply to the latest --client-id.
//   --redirect-uri URI    Without any --client-id the client comes from the environment.
//   --no-auto-consent     orcid/google: show the consent page after login
//   --orcid-url URL       orcid-api: validate bearer tokens against a separately running ORCID
//                           stand-in (its /_control/token-info), and take it as the ORCID site
//                           that notifications' authorization URLs must point at (a `path` is
//                           resolved against it); default: accept any token and any host
//   --latency-ms N        orcid-api: delay each API answer
//
// Environment:
//   APP_BASE_URL          the Profiles app, used for default redirect URIs (default
//                           http://127.0.0.1:8080; PUBLIC_URL is used if APP_BASE_URL is unset)
//   ORCID_CLIENT_ID, ORCID_CLIENT_SECRET, ORCID_REDIRECT_URIS (comma-separated; default
//                           {app}/auth/orcid/callback,{app}/auth/orcid/grant/callback)
//   GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URIS (default {app}/auth/google/callback)
//   GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, GITHUB_REDIRECT_URIS (default {app}/auth/github/callback)
//   STANDIN_HOST          bind address for every service
//   STANDIN_ORCID_PORT=9401 STANDIN_GOOGLE_PORT=9402 STANDIN_GITHUB_PORT=9403
//   STANDIN_ORCID_API_PORT=9404 STANDIN_DATACITE_PORT=9405
//                         the defaults shown; 0 picks a free port for that service (the Rust tests
//                           set all five to 0 and read the real URLs from the ready lines)
//
// Output: one JSON line per service on stdout once it accepts connections, e.g.
//   {"ready":"orcid","url":"http://127.0.0.1:9401"}
// (orcid-api's also has "inbox": "http://127.0.0.1:9404/inbox/{orcid}", the person's HTML inbox of
// permission notifications) with the real port (the Rust tests start this with port 0 and read these lines to learn the
// ports; `all` prints five, in the order orcid, google, github, orcid-api, datacite). `all` then
// prints a short human summary. Everything else goes to stderr. SIGTERM/SIGINT (and, with
// --exit-with-stdin, the end of stdin) close the servers and exit 0.
//
// In `all` mode the orcid-api double checks bearer tokens against the ORCID stand-in of the
// same process, so tokens of dynamically registered ORCID clients work there too, and takes that
// stand-in as the ORCID site of notifications' authorization URLs. Registering
// clients at run time (one per app instance): POST {orcid or google url}/reg (RFC 7591, see
// oidc.mjs) and POST {github url}/_control/clients (see github.mjs).

// Modules are imported when a service needs them: oidc-provider prints a Node-version warning
// on import, and orcid-api.mjs / datacite.mjs may be absent while only the sign-in stand-ins run.

const SERVICES = ['orcid', 'google', 'github', 'orcid-api', 'datacite'];
const DEFAULT_PORTS = {
  orcid: 9401, google: 9402, github: 9403, 'orcid-api': 9404, datacite: 9405,
};
const PORT_ENV = {
  orcid: 'STANDIN_ORCID_PORT',
  google: 'STANDIN_GOOGLE_PORT',
  github: 'STANDIN_GITHUB_PORT',
  'orcid-api': 'STANDIN_ORCID_API_PORT',
  datacite: 'STANDIN_DATACITE_PORT',
};
// Default test clients. The ORCID id has ORCID's APP-+16 shape and is orcid-api.mjs's DEFAULT_CLIENT_ID.
const DEFAULT_CLIENTS = {
  orcid: { id: 'APP-PROFILESTEST0001', secret: 'orcid-test-secret', paths: ['/auth/orcid/callback', '/auth/orcid/grant/callback'] },
  google: { id: 'profiles-test.apps.googleusercontent.com', secret: 'google-test-secret', paths: ['/auth/google/callback'] },
  github: { id: 'Ov23liProfilesTest01', secret: 'github-test-secret', paths: ['/auth/github/callback'] },
};

const env = (name) => (process.env[name]?.trim() ? process.env[name].trim() : undefined);

function usage(message) {
  if (message) process.stderr.write(`error: ${message}\n`);
  process.stderr.write(`usage: node cli.mjs <${[...SERVICES, 'all'].join('|')}> [--port N] [--host H] `
    + '[--client-id ID --client-secret S --redirect-uri URI ...] [--no-auto-consent] [--orcid-url URL] [--latency-ms N] '
    + '[--exit-with-stdin]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') usage();
  if (name !== 'all' && !SERVICES.includes(name)) usage(`unknown service ${JSON.stringify(name)}`);
  const opts = {
    name, clients: [], autoConsent: true, exitWithStdin: false,
  };
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    const value = () => {
      const v = rest[i + 1];
      if (v === undefined || v.startsWith('--')) usage(`${flag} needs a value`);
      i += 1;
      return v;
    };
    const current = () => opts.clients.at(-1) ?? usage(`${flag} must follow --client-id`);
    switch (flag) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be 0..65535');
        opts.port = port;
        break;
      }
      case '--host': opts.host = value(); break;
      case '--client-id': opts.clients.push({ client_id: value(), client_secret: undefined, redirect_uris: [] }); break;
      case '--client-secret': current().client_secret = value(); break;
      case '--redirect-uri': current().redirect_uris.push(value()); break;
      case '--no-auto-consent': opts.autoConsent = false; break;
      case '--orcid-url': opts.orcidUrl = value().replace(/\/+$/, ''); break;
      case '--latency-ms': opts.latencyMs = Number(value()); break;
      case '--exit-with-stdin': opts.exitWithStdin = true; break;
      default: usage(`unknown option ${flag}`);
    }
  }
  if (name === 'all' && (opts.port !== undefined || opts.clients.length)) {
    usage('`all` takes its ports and clients from the environment (STANDIN_*_PORT, *_CLIENT_ID, ...)');
  }
  for (const c of opts.clients) {
    if (!c.client_secret) usage(`--client-id ${c.client_id} needs --client-secret`);
    if (!c.redirect_uris.length) usage(`--client-id ${c.client_id} needs at least one --redirect-uri`);
  }
  return opts;
}

/** The client for a provider from the environment, with redirect URIs on the app's base URL. */
function envClient(service) {
  const d = DEFAULT_CLIENTS[service];
  const prefix = service.toUpperCase();
  const base = (env('APP_BASE_URL') ?? env('PUBLIC_URL') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const uris = env(`${prefix}_REDIRECT_URIS`)?.split(',').map((s) => s.trim()).filter(Boolean)
    ?? d.paths.map((p) => `${base}${p}`);
  return {
    client_id: env(`${prefix}_CLIENT_ID`) ?? d.id,
    client_secret: env(`${prefix}_CLIENT_SECRET`) ?? d.secret,
    redirect_uris: uris,
  };
}

function portFor(service, opts) {
  if (opts.port !== undefined) return opts.port;
  const fromEnv = env(PORT_ENV[service]);
  if (fromEnv === undefined) return DEFAULT_PORTS[service];
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`${PORT_ENV[service]} must be 0..65535`);
  return port;
}

/** The other helpers' doubles, with a clear message when a module is missing or incomplete. */
async function importDouble(file, name) {
  try {
    const mod = await import(file);
    if (typeof mod[name] !== 'function') throw new Error(`${file} does not export ${name}`);
    return mod[name];
  } catch (err) {
    throw new Error(`cannot load ${file}: ${err.message}`);
  }
}

async function start(service, opts, shared) {
  const port = portFor(service, opts);
  const host = opts.host ?? env('STANDIN_HOST') ?? '127.0.0.1';
  const clients = () => (opts.clients.length ? opts.clients : [envClient(service)]);
  switch (service) {
    case 'orcid':
    case 'google': {
      const { startOidc } = await import('./oidc.mjs');
      const op = await startOidc({
        flavour: service, port, host, clients: clients(), autoConsent: opts.autoConsent,
      });
      if (service === 'orcid') Object.assign(shared, { tokenInfo: op.tokenInfo, orcidUrl: op.issuer });
      return { url: op.issuer, close: op.close, clients: clients() };
    }
    case 'github': {
      const { startGithub } = await import('./github.mjs');
      const gh = await startGithub({ port, host, clients: clients() });
      return { url: gh.url, close: gh.close, clients: clients() };
    }
    case 'orcid-api': {
      const startOrcidApi = await importDouble('./orcid-api.mjs', 'startOrcidApi');
      let { tokenInfo } = shared;
      if (!tokenInfo && opts.orcidUrl) {
        tokenInfo = async (token) => {
          const res = await fetch(`${opts.orcidUrl}/_control/token-info?token=${encodeURIComponent(token)}`);
          return res.ok ? res.json() : { active: false };
        };
      }
      const orcidUrl = shared.orcidUrl ?? opts.orcidUrl;
      const api = await startOrcidApi({
        port, host, tokenInfo, orcidUrl, ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
      });
      return { url: api.url, close: api.close, announce: { inbox: `${api.inboxUrl}/{orcid}` } };
    }
    case 'datacite': {
      const startDatacite = await importDouble('./datacite.mjs', 'startDatacite');
      const dc = await startDatacite({ port, host });
      return { url: dc.url, close: dc.close };
    }
    default:
      throw new Error(`unknown service ${service}`);
  }
}

async function summary(running) {
  const { ORCID_FIXTURES, GOOGLE_FIXTURES } = await import('./oidc.mjs');
  const { GITHUB_FIXTURES } = await import('./github.mjs');
  const line = (s) => process.stderr.write(`${s}\n`);
  const by = Object.fromEntries(running.map((r) => [r.service, r]));
  line('');
  line('Stand-ins are running (local fakes; nothing here reaches the real services):');
  for (const r of running) {
    const client = r.clients?.[0];
    line(`  ${r.service.padEnd(10)} ${r.url}${client ? `   client_id=${client.client_id} secret=${client.client_secret}` : ''}`);
    if (r.announce?.inbox) line(`  ${''.padEnd(10)} inbox: ${r.announce.inbox}   (a person's ORCID inbox of permission notifications)`);
  }
  line('');
  line('Sign in with any of these (passwords are not checked):');
  if (by.orcid) line(`  ORCID   ${ORCID_FIXTURES.map((f) => `${f.orcid} (${f.name})`).join(', ')}, or any valid iD`);
  if (by.google) line(`  Google  ${GOOGLE_FIXTURES.map((u) => u.email).join(', ')}, or any email`);
  if (by.github) line(`  GitHub  ${GITHUB_FIXTURES.map((u) => u.login).join(', ')}, or any username`);
  line('');
  line('Stop with Ctrl-C.');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const services = opts.name === 'all' ? SERVICES : [opts.name];
  const running = [];
  const shared = {};

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await Promise.allSettled(running.map((r) => r.close()));
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (opts.exitWithStdin) {
    // Listening before anything starts, so a parent that dies during startup is noticed too.
    const stdinGone = (why) => () => {
      if (!closing) process.stderr.write(`stdin ${why}; stopping the stand-ins\n`);
      shutdown();
    };
    process.stdin.on('end', stdinGone('ended'));
    process.stdin.on('close', stdinGone('closed'));
    process.stdin.on('error', stdinGone('failed'));
    process.stdin.resume(); // read (and drop) anything written, so 'end' can arrive
  }

  try {
    // In order: the ORCID stand-in first, so the Member API double can share its tokenInfo.
    for (const service of services) {
      if (closing) return; // stdin ended or a signal came during startup: shutdown() exits
      const r = await start(service, opts, shared);
      running.push({ service, ...r });
      process.stdout.write(`${JSON.stringify({ ready: service, url: r.url, ...r.announce })}\n`);
    }
  } catch (err) {
    process.stderr.write(`error: ${err.message}\n`);
    await Promise.allSettled(running.map((r) => r.close()));
    process.exit(1);
  }
  // The summary goes to stderr so stdout stays one JSON line per service for the tests.
  if (opts.name === 'all') await summary(running);
}

main();
