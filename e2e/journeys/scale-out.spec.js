// Journeys 16–18: scale-out. The suite runs two `profiles serve --no-worker` and two `profiles
// worker` on one database behind haproxy (round-robin; support/stack.js), and every journey goes
// through the balancer. These three check that this really spreads the work and that nothing
// depends on which process answers: 16, a person's whole visit is answered by both serves; 17, a
// session opened through the balancer is known to each serve, and ends on each at sign-out; 18,
// two workers pushing at once stay within ORCID's rate limit together.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, backAt, enablePermission, expectDone, expectFlowForm, inRecordLine, openClaims,
  openSocialLogin, QUICK, registerDoi, reloadUntil, signInWithOrcid, signOut, socialRow, testResearcher,
  throughProvider, waitForOrcidRecord,
} from '../support/flows.js';
import { haproxyStats } from '../support/stack.js';

const readLog = async (stack, name) => readFile(path.join(stack.logsDir, name), 'utf8').catch(() => '');

/** The serve rows of haproxy's stats (not the FRONTEND/BACKEND totals), by name. */
async function serveStats(stack) {
  const rows = (await haproxyStats(stack.statsUrl)).filter((r) => r.pxname === 'serves' && !['FRONTEND', 'BACKEND'].includes(r.svname));
  return Object.fromEntries(rows.map((r) => [r.svname, r]));
}

/**
 * The requests haproxy logged for one browser, found by its User-Agent (the frontend captures it):
 * `[{server, status, method, path}]`.
 */
async function balancedRequests(stack, userAgent) {
  const lines = (await readLog(stack, 'haproxy.log')).split('\n').filter((l) => l.includes(`{${userAgent}}`));
  return lines.map((line) => {
    const [, server, status, method, url] = / profiles serves\/(\S+) \S+ (-?\d+) .*\} "(\S+) (\S+)/.exec(line) ?? [];
    return { server, status: Number(status), method, path: url?.split('?')[0] };
  });
}

const serveNames = (stack) => stack.backendUrls.map((_, i) => `serve-${i + 1}`);

/** GET /api/v1/accounts/me at one base URL with exactly this Cookie header, from outside any browser. */
async function me(base, cookie) {
  const res = await fetch(`${base}/api/v1/accounts/me`, { headers: { Cookie: cookie } });
  const body = await res.json().catch(() => null);
  return { status: res.status, code: body?.code, orcid: body?.orcid };
}

test.describe(() => {
  // This browser's requests are told apart from the other journeys' in haproxy's log.
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 profiles-e2e/${randomBytes(6).toString('hex')}`;
  test.use({ userAgent });

  test('16. sign-in, linking Google, a claim and sign-out through the balancer: both serves answer, both stay UP', async ({ page, stack }) => {
    expect(stack.backendUrls, 'the suite runs two serves').toHaveLength(2);
    const orcid = randomOrcid();
    const email = `e2e-${randomBytes(4).toString('hex')}@example.test`;
    const { doi, word } = await registerDoi([orcid], 'Balanced');

    await signInWithOrcid(page, orcid);
    await openSocialLogin(page);
    const google = socialRow(page, 'Google');
    const connect = google.getByRole('button', { name: 'Connect Google' });
    await expectFlowForm(connect, '/auth/google/start');
    await throughProvider(page, 'google', email, () => connect.click());
    await backAt(page, '/settings/social');
    await expect(google).toContainText('Linked as');
    await expectAccessible(page);

    await enablePermission(page, 'Search & Link', orcid);
    await addWithSearchAndLink(page, { doi, word });
    await waitForOrcidRecord(orcidApi, orcid, doi, (works) => works.length === 1, 'the ORCID double receives the work');
    await expectDone(page, doi, 'ORCID Search & Link');
    await expectAccessible(page);

    await signOut(page, testResearcher(orcid));
    await expectAccessible(page);

    // Every request of this visit went through haproxy, and both serves answered some of them,
    // none with a server error, and always one of the two (never haproxy's own 503).
    let mine = [];
    await expect.poll(async () => {
      mine = await balancedRequests(stack, userAgent);
      return [...new Set(mine.map((r) => r.server))].sort();
    }, { message: 'haproxy logged this browser\'s requests on both serves' }).toEqual(serveNames(stack));
    expect(mine.filter((r) => !(r.status < 500)), 'no server errors, no request without a serve').toEqual([]);
    for (const step of ['/auth/orcid/callback', '/auth/google/callback', '/auth/orcid/grant/callback', '/api/v1/claims']) {
      expect(mine.some((r) => r.path === step), `${step} went through the balancer`).toBe(true);
    }
    const perServe = Object.fromEntries(serveNames(stack).map((s) => [s, mine.filter((r) => r.server === s).length]));
    test.info().annotations.push({ type: 'requests per serve', description: JSON.stringify(perServe) });

    // haproxy's own view: both serves UP by their /heartbeat checks, and each has answered.
    const stats = await serveStats(stack);
    for (const name of serveNames(stack)) {
      expect(stats[name]?.status, `${name} is UP`).toBe('UP');
      // haproxy writes "* L7OK" while the next check is under way: the last result is what counts.
      expect(String(stats[name].check_status).replace(/^\* /, ''), `${name}'s last health check`).toBe('L7OK');
      expect(Number(stats[name].stot), `${name} answered requests`).toBeGreaterThanOrEqual(perServe[name]);
    }
  });
});

test('17. no state lives in a process: a session opened through the balancer is known to each serve, and ends on each', async ({ page, stack }) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  const [session] = (await page.context().cookies()).filter((c) => c.name === 'profiles_session');
  expect(session, 'the session cookie').toBeTruthy();
  const cookie = `${session.name}=${session.value}`;

  // The cookie is the balancer's (127.0.0.1 on the app's port); sent as it is, straight to each
  // serve on its own port, several times each.
  for (const backend of stack.backendUrls) {
    for (let i = 0; i < 3; i += 1) {
      expect(await me(backend, cookie), `${backend} knows the session`).toMatchObject({ status: 200, orcid });
    }
  }

  await signOut(page, testResearcher(orcid));
  await expectAccessible(page);
  // Signed out through the balancer, on whichever serve that was: every serve refuses the cookie.
  for (const backend of [...stack.backendUrls, stack.appUrl]) {
    for (let i = 0; i < 2; i += 1) {
      expect(await me(backend, cookie), `${backend} has ended the session`).toMatchObject({ status: 401, code: 'session_expired' });
    }
  }
});

test('18. the ORCID rate limit holds across workers: two workers push 36 claims at once and ORCID refuses none', async ({ page, newPage, stack }) => {
  const PEOPLE = 3;
  const CLAIMS_EACH = 12;
  const total = PEOPLE * CLAIMS_EACH;
  expect(stack.pids.workers, 'the suite runs two workers').toHaveLength(2);
  // The workers were started with ORCID_RATE_LIMIT_PER_SEC/_BURST of stack.orcidRateLimit: ORCID
  // (the double) now enforces exactly that, per client address, and every worker is on 127.0.0.1.
  const limit = stack.orcidRateLimit;
  expect(total, 'more claims than the burst, so the pushes must be paced').toBeGreaterThan(limit.burst * 2);

  // Three people who allowed Search & Link, each in a browser of their own.
  const people = [];
  for (let i = 0; i < PEOPLE; i += 1) {
    const who = i === 0 ? page : await newPage();
    const orcid = randomOrcid();
    await signInWithOrcid(who, orcid);
    await enablePermission(who, 'Search & Link', orcid);
    const dois = [];
    for (let j = 0; j < CLAIMS_EACH; j += 1) dois.push((await registerDoi([orcid], `Rate limit ${i + 1}`)).doi);
    people.push({ page: who, orcid, dois });
  }
  const mine = new Set(people.flatMap((p) => p.dois));

  const { rateLimit: previous } = await orcidApi.configure({});
  const before = await orcidApi.stats();
  const started = Date.now();
  try {
    await orcidApi.configure({ rateLimit: limit });

    // Everyone adds all their DOIs at once, through the balancer (so through both serves).
    const answers = await Promise.all(people.flatMap((p) => p.dois.map((doi) => apiFromPage(p.page, 'POST', '/api/v1/claims', { doi }))));
    expect(answers.map((a) => a.status), 'every claim is queued').toEqual(answers.map(() => 202));

    await expect.poll(async () => {
      const records = await Promise.all(people.map((p) => orcidApi.record(p.orcid)));
      return records.reduce((n, r) => n + r.works.length, 0);
    }, { message: 'every work arrives at ORCID', timeout: 60_000 }).toBe(total);
  } finally {
    await orcidApi.configure({ rateLimit: previous });
  }

  // ORCID refused nothing: the two workers shared one budget.
  const after = await orcidApi.stats();
  expect(after.overLimit - before.overLimit, 'calls ORCID\'s rate limit refused').toBe(0);
  // And they were paced: N calls within ORCID's bucket take at least (N - burst) / rate seconds.
  const pushes = (await orcidApi.requests()).filter((r) => r.method === 'POST'
    && people.some((p) => r.path === `/v3.0/${p.orcid}/work`) && Date.parse(r.at) >= started);
  expect(pushes, 'one push per claim').toHaveLength(total);
  const span = (Date.parse(pushes.at(-1).at) - Date.parse(pushes[0].at)) / 1000;
  expect(span, 'seconds from the first push to the last').toBeGreaterThanOrEqual((total - limit.burst) / limit.perSecond - 0.05);

  // Both workers pushed (their logs say which claims each processed), each claim exactly once.
  const done = {};
  for (const [i] of stack.pids.workers.entries()) {
    const log = await readLog(stack, `worker-${i + 1}.log`);
    done[`worker-${i + 1}`] = log.split('\n')
      .map((line) => /claim processed .*doi=(\S+) outcome="done"/.exec(line)?.[1])
      .filter((doi) => doi && mine.has(doi));
  }
  test.info().annotations.push({ type: 'claims per worker', description: JSON.stringify(Object.fromEntries(Object.entries(done).map(([w, d]) => [w, d.length]))) });
  for (const [worker, dois] of Object.entries(done)) expect(dois.length, `${worker} pushed some of the claims`).toBeGreaterThan(0);
  const all = Object.values(done).flat();
  expect(all, 'each claim done once, by one worker').toHaveLength(total);
  expect(new Set(all).size).toBe(total);
  for (const pid of stack.pids.workers) expect(() => process.kill(pid, 0), `worker ${pid} is still running`).not.toThrow();

  // What each person sees: all their claims in their ORCID record.
  for (const p of people) {
    await openClaims(p.page);
    await reloadUntil(p.page, async () => {
      await expect(inRecordLine(p.page, 'ORCID Search & Link')).toHaveText(`${CLAIMS_EACH} in your record`, QUICK);
    });
    await expectAccessible(p.page);
  }
});
