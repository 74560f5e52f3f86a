// Small helpers shared by the stand-ins. Nothing here talks to the network.

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
