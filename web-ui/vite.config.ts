import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin, type ProxyOptions } from 'vite';

// Paths the Rust API serves. In production the API serves this SPA from web-ui/dist on the same
// origin; in development (and `vite preview`) these are proxied so cookies stay first-party and no
// CORS is needed. Keys starting with `^` are regular expressions: `/api` must not match `/apiary`,
// and `/api/docs` is this app's page (the API reference), not the server's.
const API_PATHS = ['^/api(?!/docs/?(?:[?#]|$))(/|$)', '^/auth(/|$)', '^/oauth(/|$)', '^/heartbeat$', '^/\\.well-known(/|$)'];
const DEFAULT_API_URL = 'http://127.0.0.1:8080';

function apiProxy(target: string): Record<string, ProxyOptions> {
  try {
    new URL(target);
  } catch {
    throw new Error(`PROFILES_API_URL is not an absolute URL: ${JSON.stringify(target)}`);
  }
  // The Host header of the dev server is kept (no changeOrigin), so the API sees the origin the
  // browser uses; X-Forwarded-* headers are added.
  const options: ProxyOptions = { target, xfwd: true };
  return Object.fromEntries(API_PATHS.map((path) => [path, options]));
}

/**
 * The service sends `Content-Security-Policy: default-src 'self'; script-src 'self'; ...` (no
 * 'unsafe-inline' for scripts). Fails the build if the final index.html has anything that policy
 * blocks: an inline <script>, an event-handler attribute (`onload=`), a `javascript:` URL, or a
 * script from another origin.
 */
function cspSafeIndexHtml(): Plugin {
  return {
    name: 'profiles:csp-safe-index-html',
    apply: 'build',
    transformIndexHtml: {
      // After Vite has written its own <script> and <link> tags into the page.
      order: 'post',
      handler(html) {
        const problems: string[] = [];
        for (const [tag, attributes = ''] of html.matchAll(/<script\b([^>]*)>/gi)) {
          const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1];
          if (!src) problems.push(`an inline script: ${tag}`);
          else if (/^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(src)) problems.push(`a script from another origin: ${src}`);
        }
        if (/<[^>]*\son[a-z]+\s*=/i.test(html)) problems.push('an event-handler attribute (on…=)');
        if (/javascript:/i.test(html)) problems.push('a javascript: URL');
        if (problems.length > 0) {
          throw new Error(`index.html breaks the Content-Security-Policy: ${problems.join('; ')}`);
        }
        return html;
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  // PROFILES_API_URL comes from the environment or a .env[.local] file. Only VITE_* variables reach
  // the browser bundle, so this stays build-side.
  const env = loadEnv(mode, process.cwd(), 'PROFILES_');
  const proxy = apiProxy(env.PROFILES_API_URL ?? DEFAULT_API_URL);

  return {
    plugins: [react(), cspSafeIndexHtml()],
    server: { proxy },
    preview: { proxy },
    build: {
      // The API serves this folder from memory; files under assets/ have content hashes in their
      // names (Vite's default [name]-[hash]) and can be cached forever.
      outDir: 'dist',
      assetsDir: 'assets',
      emptyOutDir: true,
      rolldownOptions: {
        output: {
          // What the first page load needs goes into two chunks rather than a dozen small shared
          // ones (each gzipped on its own, they cost more): the libraries (React, React Router,
          // TanStack Query, openapi-fetch), which change rarely and stay cached across releases,
          // and the app's own code. Lazily loaded pages (see App.tsx) keep their own chunks.
          codeSplitting: {
            groups: [
              { name: 'vendor', test: /[\\/]node_modules[\\/]/, tags: ['$initial'], priority: 2 },
              { name: 'app', tags: ['$initial'], priority: 1 },
            ],
          },
        },
      },
    },
  };
});
