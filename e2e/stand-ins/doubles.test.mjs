// Tests of the ORCID Member API and DataCite REST doubles: they pin the behaviour of the real APIs,
// so the Rust client is tested against the right shapes. At the end, the test-control harness
// (util.mjs `createControl`) that every stand-in shares.
//
//   node --test e2e/stand-ins/doubles.test.mjs

import http from 'node:http';
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

import { startOrcidApi, isValidOrcid, DEFAULT_CLIENT_ID } from './orcid-api.mjs';
import { startDatacite, FIXTURE_DOIS, EXPECTED, ORCIDS, parseQuery } from './datacite.mjs';
import { startGithub } from './github.mjs';
import { startOidc } from './oidc.mjs';
import {
  createControl, listen, closeServer, gatewayPage, seededRandom,
} from './util.mjs';

const CARBERRY = ORCIDS.carberry;
const QUILL = ORCIDS.quill;
const ORCID_JSON = 'application/vnd.orcid+json';

/** A work as Profiles would post it. */
function work(doi, { title = 'Cephalopod sightings in Narragansett Bay', type = 'data-set', putCode } = {}) {
  return {
    ...(putCode != null ? { 'put-code': putCode } : {}),
    title: { title: { value: title } },
    'journal-title': { value: 'Brown University Digital Repository' },
    'short-description': 'Monthly counts.',
    type,
    'publication-date': { year: { value: '2019' }, month: { value: '06' }, day: { value: '12' } },
    'external-ids': { 'external-id': [{ 'external-id-type': 'doi', 'external-id-value': doi, 'external-id-relationship': 'self' }] },
    contributors: {
      contributor: [{
        'contributor-orcid': { uri: `https://orcid.org/${CARBERRY}`, path: CARBERRY, host: 'orcid.org' },
        'credit-name': { value: 'Josiah Carberry' },
      }],
    },
    visibility: 'public',
  };
}

function orcidClient(base) {
  return async function call(method, path, { token = 'token-1', body, headers = {} } = {}) {
    const init = {
      method,
      headers: { Accept: ORCID_JSON, ...(token != null ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['Content-Type'] ??= ORCID_JSON;
    }
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* HTML or empty */ }
    return { status: res.status, headers: res.headers, text, json };
  };
}

const control = async (base, path, body) => {
  const res = await fetch(`${base}/_control/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, json: await res.json() };
};

const putCodeFrom = (location) => Number(location.split('/').at(-1));

function assertOrcidError(json, status, errorCode) {
  assert.equal(json['response-code'], status);
  assert.equal(json['error-code'], errorCode);
  assert.match(json['developer-message'], new RegExp(`^${status} `));
  assert.equal(typeof json['user-message'], 'string');
  assert.match(json['more-info'], /^https:\/\//);
}

// ===================================================================================================
describe('ORCID Member API double', () => {
  let orcid;
  let call;
  before(async () => {
    orcid = await startOrcidApi({ rateLimit: false });
    call = orcidClient(orcid.url);
  });
  after(() => orcid.close());
  beforeEach(() => control(orcid.url, 'reset', {}));

  test('checksums ORCID iDs', () => {
    for (const id of Object.values(ORCIDS)) assert.ok(isValidOrcid(id), id);
    assert.equal(isValidOrcid('0000-0002-1825-0098'), false);
  });

  test('POST /work answers 201, empty body, http:// Location with a numeric put-code', async () => {
    const res = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/j9cp-6b21') });
    assert.equal(res.status, 201);
    assert.equal(res.text, '');
    const location = res.headers.get('location');
    assert.match(location, new RegExp(`^http://127\\.0\\.0\\.1:${orcid.port}/v3\\.0/${CARBERRY}/work/\\d+$`));
    const putCode = putCodeFrom(location);
    const read = await call('GET', `/v3.0/${CARBERRY}/work/${putCode}`);
    assert.equal(read.status, 200);
    assert.equal(read.json['put-code'], putCode);
    assert.equal(read.json.path, `/${CARBERRY}/work/${putCode}`);
    assert.equal(read.json.title.title.value, 'Cephalopod sightings in Narragansett Bay');
    assert.equal(read.json.source['source-client-id'].path, DEFAULT_CLIENT_ID);
    assert.match(read.headers.get('content-type'), /^application\/vnd\.orcid\+json/);
  });

  test('plain application/json is accepted too', async () => {
    const res = await call('POST', `/v3.0/${CARBERRY}/work`, {
      body: work('10.5555/json'), headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    assert.equal(res.status, 201);
  });

  test('the same DOI from the same source again is 409 with error-code 9021 naming the put-code', async () => {
    const first = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/j9cp-6b21') });
    const putCode = putCodeFrom(first.headers.get('location'));
    const again = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('https://doi.org/10.5555/J9CP-6B21', { title: 'Other title' }) });
    assert.equal(again.status, 409);
    assertOrcidError(again.json, 409, 9021);
    assert.match(again.json['developer-message'], /You have already added this activity \(matched by external identifiers\)/);
    assert.match(again.json['developer-message'], new RegExp(`put-code ${putCode}\\b`));
    assert.match(again.json['user-message'], /please contact .+ for assistance/);
  });

  test('a work from another source does not conflict; GET /works groups both under one DOI', async () => {
    const seeded = await control(orcid.url, 'seed-work', {
      orcid: CARBERRY, work: work('10.5555/j9cp-6b21'), source: { orcid: CARBERRY, name: 'Josiah Carberry' },
    });
    assert.equal(seeded.status, 201);
    const posted = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/J9CP-6B21') });
    assert.equal(posted.status, 201);
    const works = (await call('GET', `/v3.0/${CARBERRY}/works`)).json;
    assert.equal(works.group.length, 1);
    assert.equal(works.group[0]['work-summary'].length, 2);
    const sources = works.group[0]['work-summary'].map((s) => s.source['source-client-id']?.path ?? s.source['source-orcid'].path);
    assert.deepEqual(sources, [CARBERRY, DEFAULT_CLIENT_ID]);
  });

  test('seeding a work from our own client makes the next POST hit 409', async () => {
    const seeded = await control(orcid.url, 'seed-work', { orcid: CARBERRY, work: work('10.5555/ty4m-3h09') });
    const res = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/ty4m-3h09') });
    assert.equal(res.status, 409);
    assert.match(res.json['developer-message'], new RegExp(`put-code ${seeded.json['put-code']}`));
  });

  test('GET /works has the recorded shape', async () => {
    const a = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/j9cp-6b21') });
    await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/k4s2-v7q8', { title: 'psychoceramics-toolkit', type: 'software' }) });
    const res = await call('GET', `/v3.0/${CARBERRY}/works`);
    assert.equal(res.status, 200);
    const body = res.json;
    assert.equal(body.path, `/${CARBERRY}/works`);
    assert.equal(typeof body['last-modified-date'].value, 'number');
    assert.equal(body.group.length, 2);
    const [group] = body.group;
    assert.equal(typeof group['last-modified-date'].value, 'number');
    const id = group['external-ids']['external-id'][0];
    assert.equal(id['external-id-type'], 'doi');
    assert.equal(id['external-id-value'], '10.5555/j9cp-6b21');
    assert.deepEqual(id['external-id-normalized'], { value: '10.5555/j9cp-6b21', transient: true });
    assert.equal(id['external-id-relationship'], 'self');
    assert.ok('external-id-normalized-error' in id);
    const summary = group['work-summary'][0];
    assert.equal(summary['put-code'], putCodeFrom(a.headers.get('location')));
    assert.equal(Number.isInteger(summary['put-code']), true);
    for (const key of ['created-date', 'last-modified-date', 'source', 'title', 'external-ids', 'url', 'type', 'publication-date', 'journal-title', 'visibility', 'path', 'display-index']) {
      assert.ok(key in summary, key);
    }
    assert.deepEqual(summary.source['source-client-id'], { uri: `https://orcid.org/client/${DEFAULT_CLIENT_ID}`, path: DEFAULT_CLIENT_ID, host: 'orcid.org' });
    assert.equal(typeof summary.source['source-name'].value, 'string');
    assert.equal(summary.title.title.value, 'Cephalopod sightings in Narragansett Bay');
    assert.equal(summary.type, 'data-set');
    assert.equal(summary['journal-title'].value, 'Brown University Digital Repository');
    assert.equal(summary.visibility, 'public');
    assert.equal(summary.path, `/${CARBERRY}/work/${summary['put-code']}`);
    // What volpino reads: the source client id and the external ids of each group.
    assert.equal(body.group[1]['work-summary'][0].source['source-client-id'].path, DEFAULT_CLIENT_ID);
    assert.equal(body.group[1]['external-ids']['external-id'][0]['external-id-value'], '10.5555/k4s2-v7q8');
  });

  test('an empty record lists no groups', async () => {
    const res = await call('GET', `/v3.0/${QUILL}/works`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { 'last-modified-date': null, group: [], path: `/${QUILL}/works` });
  });

  test('PUT needs the matching put-code in the body, answers 200 with the work; DELETE 204; unknown put-codes 404', async () => {
    const created = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/j9cp-6b21') });
    const putCode = putCodeFrom(created.headers.get('location'));
    const path = `/v3.0/${CARBERRY}/work/${putCode}`;

    const noPutCode = await call('PUT', path, { body: work('10.5555/j9cp-6b21') });
    assert.equal(noPutCode.status, 400);
    assertOrcidError(noPutCode.json, 400, 9019);
    assert.match(noPutCode.json['developer-message'], new RegExp(`The put code in the URL was ${putCode} whereas the one in the body was null`));

    const wrong = await call('PUT', path, { body: work('10.5555/j9cp-6b21', { putCode: putCode + 1 }) });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json['error-code'], 9019);

    const updated = await call('PUT', path, { body: work('10.5555/j9cp-6b21', { putCode, title: 'New title' }) });
    assert.equal(updated.status, 200);
    assert.equal(updated.json['put-code'], putCode);
    assert.equal(updated.json.title.title.value, 'New title');
    assert.ok(updated.json['last-modified-date'].value >= updated.json['created-date'].value);

    const unknown = await call('PUT', `/v3.0/${CARBERRY}/work/42`, { body: work('10.5555/x', { putCode: 42 }) });
    assert.equal(unknown.status, 404);
    assertOrcidError(unknown.json, 404, 9016);

    const deleted = await call('DELETE', path);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    const again = await call('DELETE', path);
    assert.equal(again.status, 404);
    assertOrcidError(again.json, 404, 9016);
    assert.equal((await call('GET', path)).status, 404);
  });

  test('PUT or DELETE of another source\'s work is 403 9010', async () => {
    const seeded = await control(orcid.url, 'seed-work', { orcid: CARBERRY, work: work('10.5555/x'), source: { clientId: 'APP-SOMEONEELSE00001' } });
    const putCode = seeded.json['put-code'];
    const put = await call('PUT', `/v3.0/${CARBERRY}/work/${putCode}`, { body: work('10.5555/x', { putCode }) });
    assert.equal(put.status, 403);
    assertOrcidError(put.json, 403, 9010);
    const del = await call('DELETE', `/v3.0/${CARBERRY}/work/${putCode}`);
    assert.equal(del.status, 403);
  });

  test('POST /_control/delete-work: the person deletes a work on orcid.org, by put-code or by DOI, whatever its source', async () => {
    // Ours, posted through the API, and one the person added themselves, with a DOI of its own.
    const ours = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/Del-1') });
    const ourPutCode = putCodeFrom(ours.headers.get('location'));
    const theirs = await control(orcid.url, 'seed-work', {
      orcid: CARBERRY, work: work('10.5555/del-2'), source: { orcid: CARBERRY, name: 'Josiah Carberry' },
    });
    const kept = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/del-3') });
    const keptPutCode = putCodeFrom(kept.headers.get('location'));

    // By put-code: our work is gone from the record, for the API too.
    const byPutCode = await control(orcid.url, 'delete-work', { orcid: CARBERRY, putCode: ourPutCode });
    assert.equal(byPutCode.status, 200);
    assert.deepEqual(byPutCode.json, { deleted: [ourPutCode] });
    const read = await call('GET', `/v3.0/${CARBERRY}/work/${ourPutCode}`);
    assert.equal(read.status, 404);
    assertOrcidError(read.json, 404, 9016);
    const update = await call('PUT', `/v3.0/${CARBERRY}/work/${ourPutCode}`, { body: work('10.5555/del-1', { putCode: ourPutCode }) });
    assert.equal(update.status, 404, 'an update of the deleted work finds nothing');

    // By DOI, in any accepted form and case: the person's own work goes as well.
    const byDoi = await control(orcid.url, 'delete-work', { orcid: CARBERRY, doi: 'https://doi.org/10.5555/DEL-2' });
    assert.equal(byDoi.status, 200);
    assert.deepEqual(byDoi.json, { deleted: [theirs.json['put-code']] });

    // The rest of the record is untouched, in the control's view and in ORCID's GET /works.
    const record = (await control(orcid.url, `records/${CARBERRY}`)).json;
    assert.deepEqual(record.works.map((w) => w['put-code']), [keptPutCode]);
    const works = (await call('GET', `/v3.0/${CARBERRY}/works`)).json;
    assert.deepEqual(works.group.map((g) => g['external-ids']['external-id'][0]['external-id-value']), ['10.5555/del-3']);

    // Nothing to delete: 404, and nothing changes.
    for (const body of [
      { orcid: CARBERRY, putCode: ourPutCode },
      { orcid: CARBERRY, doi: '10.5555/del-1' },
      { orcid: CARBERRY, doi: '10.5555/never-there' },
      { orcid: QUILL, putCode: keptPutCode },
    ]) {
      const res = await control(orcid.url, 'delete-work', body);
      assert.equal(res.status, 404, JSON.stringify(body));
      assert.equal(typeof res.json.error, 'string');
    }
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/work/${keptPutCode}`)).status, 200);

    // Deleted on orcid.org, it can be added again: a new work, with a new put-code, no 409.
    const again = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/del-1') });
    assert.equal(again.status, 201);
    assert.notEqual(putCodeFrom(again.headers.get('location')), ourPutCode);

    // A control call, not an API call: not counted, not in the request log.
    const log = (await control(orcid.url, 'requests')).json;
    assert.equal(log.some((entry) => entry.path.includes('delete-work')), false);
  });

  test('validates works like ORCID: title, type, external ids, put-code on POST', async () => {
    const path = `/v3.0/${CARBERRY}/work`;
    const noTitle = work('10.5555/a');
    delete noTitle.title;
    let res = await call('POST', path, { body: noTitle });
    assert.equal(res.status, 400);
    assertOrcidError(res.json, 400, 9022);

    res = await call('POST', path, { body: work('10.5555/a', { type: 'dataset' }) });
    assert.equal(res.status, 400);
    assertOrcidError(res.json, 400, 9037);

    const noIds = work('10.5555/a');
    delete noIds['external-ids'];
    res = await call('POST', path, { body: noIds });
    assert.equal(res.status, 400);
    assertOrcidError(res.json, 400, 9023);

    const partOfOnly = work('10.5555/a');
    partOfOnly['external-ids']['external-id'][0]['external-id-relationship'] = 'part-of';
    res = await call('POST', path, { body: partOfOnly });
    assert.equal(res.status, 400);
    assert.equal(res.json['error-code'], 9023);

    res = await call('POST', path, { body: work('10.5555/a', { putCode: 5 }) });
    assert.equal(res.status, 400);
    assertOrcidError(res.json, 400, 9024);

    res = await call('POST', path, { body: '{"title":' });
    assert.equal(res.status, 400);

    res = await call('POST', path, { body: work('10.5555/a', { title: 'x'.repeat(1001) }) });
    assert.equal(res.status, 500);

    res = await call('POST', path, { body: '<work/>', headers: { 'Content-Type': 'application/vnd.orcid+xml' } });
    assert.equal(res.status, 415);

    res = await call('GET', `/v3.0/${CARBERRY}/works`, { headers: { Accept: 'application/vnd.orcid+xml' } });
    assert.equal(res.status, 406);

    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).json.group.length, 0, 'nothing was stored');
  });

  test('an iD with a bad checksum is 404 9011', async () => {
    const res = await call('GET', '/v3.0/0000-0002-1825-0098/works');
    assert.equal(res.status, 404);
    assertOrcidError(res.json, 404, 9011);
  });

  test('bulk read and bulk create', async () => {
    const a = putCodeFrom((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') })).headers.get('location'));
    const read = await call('GET', `/v3.0/${CARBERRY}/works/${a},999`);
    assert.equal(read.status, 200);
    assert.equal(read.json.bulk[0].work['put-code'], a);
    assert.equal(read.json.bulk[1].error['error-code'], 9016);

    const bulk = await call('POST', `/v3.0/${CARBERRY}/works`, { body: { bulk: [{ work: work('10.5555/b') }, { work: work('10.5555/a') }] } });
    assert.equal(bulk.status, 200);
    assert.equal(typeof bulk.json.bulk[0].work['put-code'], 'number');
    assert.equal(bulk.json.bulk[1].error['error-code'], 9021);

    const tooMany = await call('POST', `/v3.0/${CARBERRY}/works`, { body: { bulk: Array.from({ length: 101 }, (_, k) => ({ work: work(`10.5555/n${k}`) })) } });
    assert.equal(tooMany.status, 413);
  });

  test('a missing or empty bearer token is 401', async () => {
    const missing = await call('GET', `/v3.0/${CARBERRY}/works`, { token: null });
    assert.equal(missing.status, 401);
    assert.ok(missing.json.error);
    const empty = await call('GET', `/v3.0/${CARBERRY}/works`, { token: '' });
    assert.equal(empty.status, 401);
    assert.equal(empty.json.error, 'invalid_token');
  });

  test('revoke by token: that token gets 401 invalid_token, others still work', async () => {
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'abc' })).status, 200);
    assert.equal((await control(orcid.url, 'revoke', { token: 'abc' })).json.revoked, 1);
    const res = await call('POST', `/v3.0/${CARBERRY}/work`, { token: 'abc', body: work('10.5555/a') });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { error: 'invalid_token', error_description: 'Invalid access token: abc' });
    assert.match(res.headers.get('www-authenticate'), /^Bearer /);
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'def' })).status, 200);
  });

  test('revoke by iD: tokens seen for that iD so far die, later new ones work', async () => {
    await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'old-1' });
    await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'old-2' });
    await call('GET', `/v3.0/${QUILL}/works`, { token: 'quill' });
    assert.equal((await control(orcid.url, 'revoke', { orcid: CARBERRY })).json.revoked, 2);
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'old-1' })).status, 401);
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'old-2' })).status, 401);
    assert.equal((await call('GET', `/v3.0/${QUILL}/works`, { token: 'quill' })).status, 200);
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'new' })).status, 200);
  });

  test('fail-next answers the next N matching calls with ORCID-shaped bodies', async () => {
    await control(orcid.url, 'fail-next', { status: 503, count: 2, method: 'POST' });
    const get = await call('GET', `/v3.0/${CARBERRY}/works`);
    assert.equal(get.status, 200, 'GET does not match method POST');
    for (let k = 0; k < 2; k++) {
      const res = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type'), /text\/html/);
    }
    assert.equal((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') })).status, 201);

    await control(orcid.url, 'fail-next', { status: 409 });
    const conflict = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/other') });
    assert.equal(conflict.status, 409);
    assertOrcidError(conflict.json, 409, 9021);

    await control(orcid.url, 'fail-next', { status: 401, orcid: QUILL });
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 200, 'other iD unaffected');
    const unauthorized = await call('GET', `/v3.0/${QUILL}/works`, { token: 'tok' });
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(unauthorized.json, { error: 'invalid_token', error_description: 'Invalid access token: tok' });

    await control(orcid.url, 'fail-next', { status: 500 });
    const boom = await call('GET', `/v3.0/${CARBERRY}/works`);
    assert.equal(boom.status, 500);
    assertOrcidError(boom.json, 500, 9008);

    await control(orcid.url, 'fail-next', { status: 404 });
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).json['error-code'], 9016);

    await control(orcid.url, 'fail-next', { status: 'reset' });
    await assert.rejects(call('GET', `/v3.0/${CARBERRY}/works`));
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 200);
  });

  test('records, stats and request log on the control API', async () => {
    await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') });
    await call('GET', `/v3.0/${CARBERRY}/work/1`);
    const records = await control(orcid.url, `records/${CARBERRY}`);
    assert.equal(records.json.works.length, 1);
    assert.equal(records.json.works[0]['external-ids']['external-id'][0]['external-id-value'], '10.5555/a');
    const stats = (await control(orcid.url, 'stats')).json;
    assert.equal(stats.requests, 2);
    assert.deepEqual(stats.byStatus, { 201: 1, 404: 1 });
    assert.equal(stats.overLimit, 0);
    assert.ok(stats.perSecondPeak >= 1);
    const log = (await control(orcid.url, 'requests')).json;
    assert.deepEqual(log.map((e) => [e.method, e.status]), [['POST', 201], ['GET', 404]]);
  });
});

// ===================================================================================================
describe('ORCID double: rate limit and latency', () => {
  test('beyond the burst answers 503 and counts each over-limit request', async () => {
    const orcid = await startOrcidApi({ rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const call = orcidClient(orcid.url);
      const results = await Promise.all(Array.from({ length: 6 }, () => call('GET', `/v3.0/${CARBERRY}/works`)));
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 200, 503, 503, 503]);
      assert.match(results.find((r) => r.status === 503).text, /503 Service Temporarily Unavailable/);
      const stats = (await control(orcid.url, 'stats')).json;
      assert.equal(stats.overLimit, 3);
      assert.equal(stats.byStatus['503'], 3);
      assert.equal(stats.requests, 6);
      assert.equal(orcid.state.stats.overLimit, 3);
      assert.ok(stats.perSecondPeak >= 6);

      // The bucket refills at perSecond.
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 200);
    } finally {
      await orcid.close();
    }
  });

  test('the default limit is 24/s with a burst of 40', async () => {
    const orcid = await startOrcidApi();
    try {
      const call = orcidClient(orcid.url);
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 50 }, () => call('GET', `/v3.0/${CARBERRY}/works`)));
      const elapsed = (Date.now() - started) / 1000;
      const ok = results.filter((r) => r.status === 200).length;
      // 40 at once, plus whatever the bucket refilled (24/s) while a loaded machine sent the rest.
      assert.ok(ok >= 40 && ok <= 40 + Math.ceil(elapsed * 24), `${ok} accepted in ${elapsed}s`);
      assert.ok(ok < 50, 'some were over the limit');
      assert.equal((await control(orcid.url, 'stats')).json.overLimit, 50 - ok);
    } finally {
      await orcid.close();
    }
  });

  test('latencyMs delays every API call, and maxConcurrent sees the overlap', async () => {
    const orcid = await startOrcidApi({ latencyMs: 150, rateLimit: false });
    try {
      const call = orcidClient(orcid.url);
      const started = Date.now();
      await Promise.all([1, 2, 3].map(() => call('GET', `/v3.0/${CARBERRY}/works`)));
      assert.ok(Date.now() - started >= 145);
      assert.ok((await control(orcid.url, 'stats')).json.maxConcurrent >= 2, 'the three calls overlapped');
      await control(orcid.url, 'config', { latencyMs: 0 });
      await call('GET', `/v3.0/${CARBERRY}/works`);
      // Server-side durations from the request log, which a loaded machine does not skew much.
      const log = (await control(orcid.url, 'requests')).json;
      assert.ok(log.slice(0, 3).every((e) => e.ms >= 145), JSON.stringify(log));
      assert.ok(log.at(-1).ms < 100, JSON.stringify(log.at(-1)));
    } finally {
      await orcid.close();
    }
  });
});

// ===================================================================================================
// The fault controls a chaos suite drives (README.md "Test controls"), where ORCID's answers matter.
describe('ORCID double: timeouts that apply, faults after the write, duplicates', () => {
  let orcid;
  let call;
  // A fresh double per test: these tests change the config, which reset keeps.
  beforeEach(async () => {
    orcid = await startOrcidApi({ rateLimit: false });
    call = orcidClient(orcid.url);
  });
  const stop = () => orcid.close();
  const records = async (id = CARBERRY) => (await control(orcid.url, `records/${id}`)).json.works;

  test('a "timeout" on POST /work makes the work; only the answer is withheld; the retry gets 409 naming it', async () => {
    try {
      const config = (await control(orcid.url, 'config', { timeoutMs: 200, faultRate: { ratio: 1, statuses: ['timeout'], seed: 7 } })).json;
      assert.equal(config.timeoutApplies, true, 'the default on orcid-api');
      const started = Date.now();
      await assert.rejects(call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/Timeout-1') }));
      assert.ok(Date.now() - started >= 190, `answer withheld for ${Date.now() - started} ms`);
      const works = await records();
      assert.equal(works.length, 1, 'ORCID created the work');
      const putCode = works[0]['put-code'];

      await control(orcid.url, 'config', { faultRate: false });
      const retry = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/timeout-1') });
      assert.equal(retry.status, 409);
      assertOrcidError(retry.json, 409, 9021);
      assert.match(retry.json['developer-message'], new RegExp(`put-code ${putCode}\\b`));
      assert.equal((await records()).length, 1);

      const stats = (await control(orcid.url, 'stats')).json;
      assert.deepEqual(stats.faulted, { timeout: 1 });
      assert.equal(stats.duplicates, 0);
      const log = (await control(orcid.url, 'requests')).json;
      assert.deepEqual(log.map((e) => [e.method, e.status, e.fault ?? null, e.applied ?? null]), [
        ['POST', 'aborted', 'timeout', 201], ['POST', 409, null, null],
      ]);
    } finally {
      await stop();
    }
  });

  test('PUT and DELETE under "timeout" apply too; GETs are only held; timeoutApplies false withholds the write itself', async () => {
    try {
      const created = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/t-2') });
      const putCode = putCodeFrom(created.headers.get('location'));
      await control(orcid.url, 'config', { timeoutMs: 150 });

      await control(orcid.url, 'fail-next', { status: 'timeout', method: 'PUT' });
      await assert.rejects(call('PUT', `/v3.0/${CARBERRY}/work/${putCode}`, { body: work('10.5555/t-2', { title: 'Renamed', putCode }) }));
      assert.equal((await records())[0].title.title.value, 'Renamed');

      await control(orcid.url, 'fail-next', { status: 'timeout', method: 'GET' });
      await assert.rejects(call('GET', `/v3.0/${CARBERRY}/works`));

      await control(orcid.url, 'fail-next', { status: 'timeout', method: 'DELETE' });
      await assert.rejects(call('DELETE', `/v3.0/${CARBERRY}/work/${putCode}`));
      assert.deepEqual(await records(), []);

      assert.equal((await control(orcid.url, 'config', { timeoutApplies: false })).json.timeoutApplies, false);
      await control(orcid.url, 'fail-next', { status: 'timeout', method: 'POST' });
      await assert.rejects(call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/t-3') }));
      assert.deepEqual(await records(), [], 'the write never reached ORCID');
      // `applied` on the fault itself wins over the config.
      await control(orcid.url, 'fail-next', { status: 'timeout', method: 'POST', applied: true });
      await assert.rejects(call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/t-3') }));
      assert.equal((await records()).length, 1);
      const log = (await control(orcid.url, 'requests')).json;
      assert.deepEqual(log.map((e) => e.applied ?? null), [null, 200, null, 204, null, 201]);
    } finally {
      await stop();
    }
  });

  test('applied faults answer their status after the write: fail-next applied: true, faultRate appliedBeforeFailure', async () => {
    try {
      await control(orcid.url, 'fail-next', { status: 503, method: 'POST', applied: true });
      const lost = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a-1') });
      assert.equal(lost.status, 503);
      assert.match(lost.text, /<center>nginx<\/center>/);
      assert.equal((await records()).length, 1, 'made, though the client heard 503');

      const rate = { ratio: 1, statuses: [500], seed: 3, appliedBeforeFailure: 1 };
      assert.equal((await control(orcid.url, 'config', { faultRate: rate })).json.faultRate.appliedBeforeFailure, 1);
      const boom = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a-2') });
      assert.equal(boom.status, 500);
      assertOrcidError(boom.json, 500, 9008);
      assert.equal((await records()).length, 2);
      assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 500, 'reads are faulted, nothing to apply');

      // At 0.5 about half of the faulted writes were applied, the same half for the same seed.
      const half = { ratio: 1, statuses: [500], seed: 11, appliedBeforeFailure: 0.5 };
      await control(orcid.url, 'config', { faultRate: half });
      for (let k = 0; k < 40; k++) await call('POST', `/v3.0/${QUILL}/work`, { body: work(`10.5555/h-${k}`) });
      const random = seededRandom(11);
      const expected = Array.from({ length: 40 }, () => { random(); random(); return random() < 0.5; }).filter(Boolean).length;
      assert.equal((await records(QUILL)).length, expected);
      assert.ok(expected > 10 && expected < 30, String(expected));
    } finally {
      await stop();
    }
  });

  test('faultRate can be scoped like a fault: orcid, method, path; only Member API paths', async () => {
    try {
      await control(orcid.url, 'config', { faultRate: { ratio: 1, statuses: [502], seed: 1, orcid: QUILL, method: 'get' } });
      assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 200);
      assert.equal((await call('POST', `/v3.0/${QUILL}/work`, { body: work('10.5555/s-1') })).status, 201);
      const hit = await call('GET', `/v3.0/${QUILL}/works`);
      assert.equal(hit.status, 502);
      assert.match(hit.text, /502 Bad Gateway/);
      await control(orcid.url, 'config', { faultRate: { ratio: 1, statuses: [500], seed: 1 } });
      assert.equal((await call('GET', '/v3.0/no-such-route')).status, 404, 'not a Member API path: not faulted');
      assert.deepEqual((await control(orcid.url, 'stats')).json.faulted, { 502: 1 });
    } finally {
      await stop();
    }
  });

  test('duplicates: the API refuses a second work with a DOI (409), so only seed-work makes one; GET /_control/duplicates lists it', async () => {
    try {
      assert.deepEqual((await control(orcid.url, 'duplicates')).json, { count: 0, duplicates: [] });
      assert.equal((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/DUP-1') })).status, 201);
      assert.equal((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('https://doi.org/10.5555/dup-1') })).status, 409);
      const first = (await records())[0]['put-code'];
      const other = await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/dup-2') });
      const second = putCodeFrom(other.headers.get('location'));
      assert.equal((await call('PUT', `/v3.0/${CARBERRY}/work/${second}`, { body: work('10.5555/Dup-1', { putCode: second }) })).status, 409, 'nor by PUT');
      assert.equal((await control(orcid.url, 'duplicates')).json.count, 0);
      assert.equal((await control(orcid.url, 'stats')).json.duplicates, 0);

      // The researcher's own work with the DOI is no duplicate: ORCID allows it and groups the two.
      await control(orcid.url, 'seed-work', { orcid: CARBERRY, work: work('10.5555/dup-1'), source: { orcid: CARBERRY } });
      assert.equal((await control(orcid.url, 'duplicates')).json.count, 0);
      assert.equal((await control(orcid.url, 'stats')).json.duplicates, 0);
      const any = (await control(orcid.url, 'duplicates?anySource=true')).json;
      assert.equal(any.count, 1);
      assert.deepEqual(any.duplicates[0].works.map((w) => w.source), [DEFAULT_CLIENT_ID, CARBERRY]);
      assert.equal(any.duplicates[0].sameSource, false);

      // A second from our client, as a bug would make it (case and resolver differ).
      const seeded = await control(orcid.url, 'seed-work', { orcid: CARBERRY, work: work('doi:10.5555/Dup-1') });
      const listed = (await control(orcid.url, 'duplicates')).json;
      assert.equal(listed.count, 1);
      assert.deepEqual(listed.duplicates[0], {
        orcid: CARBERRY,
        doi: '10.5555/dup-1',
        sameSource: true,
        works: [
          { 'put-code': first, source: DEFAULT_CLIENT_ID, 'source-name': 'DataCite Profiles (test)' },
          { 'put-code': first + 2, source: CARBERRY, 'source-name': 'Record owner' },
          { 'put-code': seeded.json['put-code'], source: DEFAULT_CLIENT_ID, 'source-name': 'DataCite Profiles (test)' },
        ],
      });
      assert.equal((await control(orcid.url, 'stats')).json.duplicates, 1);
      assert.equal((await control(orcid.url, `duplicates?orcid=${QUILL}`)).json.count, 0);
      assert.equal((await control(orcid.url, `duplicates?orcid=https://orcid.org/${CARBERRY}`)).json.count, 1);

      await control(orcid.url, 'reset', {});
      assert.deepEqual((await control(orcid.url, 'duplicates')).json, { count: 0, duplicates: [] });
      assert.equal((await control(orcid.url, 'stats')).json.duplicates, 0);
    } finally {
      await stop();
    }
  });

  test('down refuses before the rate limit: nginx\'s 503, counted as down, not overLimit', async () => {
    try {
      await control(orcid.url, 'config', { rateLimit: { perSecond: 1, burst: 1 }, down: true });
      for (let k = 0; k < 3; k++) assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 503);
      await control(orcid.url, 'config', { down: false });
      assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 200, 'the bucket was not drained by the outage');
      const stats = (await control(orcid.url, 'stats')).json;
      assert.equal(stats.down, 3);
      assert.equal(stats.overLimit, 0);
    } finally {
      await stop();
    }
  });
});

// ===================================================================================================
describe('ORCID double with tokenInfo', () => {
  const tokens = {
    good: { active: true, orcid: CARBERRY, scope: '/read-limited /activities/update', client_id: 'APP-PROFILESPROD0001', client_name: 'DataCite' },
    readonly: { active: true, orcid: CARBERRY, scope: '/authenticate' },
    inactive: { active: false },
    quill: { active: true, orcid: QUILL, scope: ['/activities/update'] },
  };
  const seen = [];
  let orcid;
  let call;
  before(async () => {
    orcid = await startOrcidApi({ rateLimit: false, tokenInfo: async (t) => { seen.push(t); return tokens[t] ?? null; } });
    call = orcidClient(orcid.url);
  });
  after(() => orcid.close());

  test('an active token with /activities/update for this iD writes, as its client', async () => {
    const res = await call('POST', `/v3.0/${CARBERRY}/work`, { token: 'good', body: work('10.5555/a') });
    assert.equal(res.status, 201);
    const summary = (await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'good' })).json.group[0]['work-summary'][0];
    assert.equal(summary.source['source-client-id'].path, 'APP-PROFILESPROD0001');
    assert.equal(summary.source['source-name'].value, 'DataCite');
    assert.ok(seen.includes('good'));
  });

  test('unknown or inactive tokens are 401 invalid_token', async () => {
    for (const token of ['nope', 'inactive']) {
      const res = await call('GET', `/v3.0/${CARBERRY}/works`, { token });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, { error: 'invalid_token', error_description: `Invalid access token: ${token}` });
    }
  });

  test('a token for another iD is 401 (9017, "Access token is for a different record")', async () => {
    const res = await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'quill' });
    assert.equal(res.status, 401);
    assertOrcidError(res.json, 401, 9017);
    assert.match(res.json['developer-message'], /Access token is for a different record/);
  });

  test('writes without /activities/update are 403; reads are fine', async () => {
    const write = await call('POST', `/v3.0/${CARBERRY}/work`, { token: 'readonly', body: work('10.5555/b') });
    assert.equal(write.status, 403);
    assertOrcidError(write.json, 403, 9004);
    assert.match(write.json['developer-message'], /Insufficient or wrong scope/);
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'readonly' })).status, 200);
  });

  test('the revoke control works with tokenInfo too', async () => {
    await control(orcid.url, 'revoke', { orcid: CARBERRY });
    assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`, { token: 'good' })).status, 401);
  });

  test('tokenInfo can be a plain map', async () => {
    const mapped = await startOrcidApi({ rateLimit: false, tokenInfo: { t1: { active: true, orcid: QUILL, scope: '/activities/update' } } });
    try {
      const c = orcidClient(mapped.url);
      assert.equal((await c('POST', `/v3.0/${QUILL}/work`, { token: 't1', body: work('10.5555/q') })).status, 201);
      assert.equal((await c('GET', `/v3.0/${QUILL}/works`, { token: 't2' })).status, 401);
    } finally {
      await mapped.close();
    }
  });
});

// ===================================================================================================
// Permission notifications (ORCID Member API v3.0 /notification-permission) and the person's inbox.

const SITE = 'http://127.0.0.1:9401'; // the ORCID site (oidc.mjs issuer) the doubles are told about
const authorizeQuery = new URLSearchParams({
  client_id: DEFAULT_CLIENT_ID, response_type: 'code', scope: 'openid /activities/update /read-limited',
  redirect_uri: 'http://127.0.0.1:8080/auth/orcid/grant/callback', state: 'st-1',
}).toString();

/** A notification as Profiles posts it. */
function notification({ uri = `${SITE}/oauth/authorize?${authorizeQuery}`, subject = 'Add your published works to your ORCID record', items } = {}) {
  return {
    'notification-type': 'permission',
    'authorization-url': { uri },
    'notification-subject': subject,
    'notification-intro': 'DataCite found works that name you.\nGrant permission and they are added to your record.',
    items: {
      item: items ?? [{
        'item-type': 'work',
        'item-name': 'Cephalopod sightings in Narragansett Bay',
        'external-id': {
          'external-id-type': 'doi', 'external-id-value': '10.5555/j9cp-6b21', 'external-id-url': { value: 'https://doi.org/10.5555/j9cp-6b21' }, 'external-id-relationship': 'self',
        },
      }],
    },
  };
}

const notificationPath = (orcid, putCode) => `/v3.0/${orcid}/notification-permission${putCode != null ? `/${putCode}` : ''}`;

/** A fetch without redirects, for the HTML inbox. */
const browse = (url, init = {}) => fetch(url, { redirect: 'manual', ...init });

describe('ORCID double: permission notifications', () => {
  let orcid;
  let call;
  const post = (orcidId, body, opts = {}) => call('POST', notificationPath(orcidId), { body, ...opts });
  const postOk = async (orcidId = CARBERRY, body = notification()) => {
    const res = await post(orcidId, body);
    assert.equal(res.status, 201, res.text);
    return putCodeFrom(res.headers.get('location'));
  };
  before(async () => {
    orcid = await startOrcidApi({ rateLimit: false, orcidUrl: SITE });
    call = orcidClient(orcid.url);
  });
  after(() => orcid.close());
  beforeEach(() => control(orcid.url, 'reset', {}));

  test('POST answers 201, empty body, http:// Location with a fresh put-code; GET reads it back as posted, with dates and source', async () => {
    const before_ = Date.now();
    const res = await post(CARBERRY, notification());
    assert.equal(res.status, 201);
    assert.equal(res.text, '');
    const location = res.headers.get('location');
    assert.match(location, new RegExp(`^http://127\\.0\\.0\\.1:${orcid.port}/v3\\.0/${CARBERRY}/notification-permission/\\d+$`));
    const putCode = putCodeFrom(location);
    const second = await postOk();
    assert.ok(Number.isSafeInteger(putCode) && second > putCode, 'fresh integer put-codes');

    const read = await call('GET', notificationPath(CARBERRY, putCode));
    assert.equal(read.status, 200);
    assert.match(read.headers.get('content-type'), /^application\/vnd\.orcid\+json/);
    const n = read.json;
    const sent = notification();
    for (const key of Object.keys(sent)) assert.deepEqual(n[key], sent[key], key);
    assert.equal(n['put-code'], putCode);
    assert.ok(n['created-date'].value >= before_ && n['created-date'].value <= Date.now());
    assert.equal(n['sent-date'].value, n['created-date'].value);
    assert.equal(n['read-date'], null);
    assert.equal(n['actioned-date'], null);
    assert.equal(n['archived-date'], null);
    assert.equal(n.source['source-client-id'].path, DEFAULT_CLIENT_ID);
    assert.equal(n.source['source-name'].value, 'DataCite Profiles (test)');
  });

  test('authorization-url: a uri on the ORCID site, or a path (and host) resolved against it; anything else is 400', async () => {
    const withUrl = (authorizationUrl) => ({ ...notification(), 'authorization-url': authorizationUrl });
    assert.equal((await post(CARBERRY, withUrl({ path: `/oauth/authorize?${authorizeQuery}` }))).status, 201);
    assert.equal((await post(CARBERRY, withUrl({ path: `/oauth/authorize?${authorizeQuery}`, host: '127.0.0.1' }))).status, 201);
    assert.equal((await post(CARBERRY, withUrl({ path: `/oauth/authorize?${authorizeQuery}`, host: '127.0.0.1:9401' }))).status, 201);
    const refused = [
      [undefined, /authorization-url is required/],
      [{}, /needs a "uri" or a "path"/],
      [{ uri: `http://evil.example/oauth/authorize?${authorizeQuery}` }, /not on the ORCID site http:\/\/127\.0\.0\.1:9401/],
      [{ uri: `http://127.0.0.1:9402/oauth/authorize?${authorizeQuery}` }, /not on the ORCID site/],
      [{ uri: `${SITE}/signin?${authorizeQuery}` }, /not an ORCID \/oauth\/authorize URL/],
      [{ uri: `${SITE}/oauth/authorizeX?${authorizeQuery}` }, /not an ORCID \/oauth\/authorize URL/],
      [{ uri: `javascript:alert(1)` }, /not an ORCID \/oauth\/authorize URL/],
      [{ uri: 'oauth/authorize?client_id=x' }, /not an absolute URL/],
      [{ path: '/my-orcid' }, /must start with \/oauth\/authorize/],
      [{ path: 'https://evil.example/oauth/authorize' }, /must start with \/oauth\/authorize/],
      [{ path: '/oauth/authorize?x=1', host: 'evil.example' }, /not the ORCID site's/],
    ];
    for (const [authorizationUrl, message] of refused) {
      const res = await post(CARBERRY, withUrl(authorizationUrl));
      assert.equal(res.status, 400, JSON.stringify(authorizationUrl));
      assertOrcidError(res.json, 400, 9006);
      assert.match(res.json['developer-message'], message);
    }
    // A double that was not told the ORCID site accepts any host (and resolves paths against 9401).
    const untold = await startOrcidApi({ rateLimit: false });
    try {
      const res = await orcidClient(untold.url)('POST', notificationPath(CARBERRY), { body: withUrl({ uri: `http://elsewhere.test:1234/oauth/authorize?${authorizeQuery}` }) });
      assert.equal(res.status, 201);
      const bad = await orcidClient(untold.url)('POST', notificationPath(CARBERRY), { body: withUrl({ uri: 'http://elsewhere.test/other' }) });
      assert.equal(bad.status, 400);
    } finally {
      await untold.close();
    }
  });

  test('each invalid notification is 400 9006 naming the problem; bad JSON 400 9001; not JSON 415; a bad iD 404 9011', async () => {
    const item = notification().items.item[0];
    const withItem = (patch) => ({ ...notification(), items: { item: [{ ...item, ...patch }] } });
    const cases = [
      [{ ...notification(), 'notification-type': 'custom' }, /notification-type must be "permission"/],
      [{ ...notification(), 'notification-type': undefined }, /notification-type must be "permission"/],
      [notification({ subject: 'x'.repeat(1001) }), /notification-subject is 1001 characters long; at most 1000/],
      [{ ...notification(), 'notification-intro': 'y'.repeat(1001) }, /notification-intro is 1001 characters long; at most 1000/],
      [{ ...notification(), 'notification-subject': 42 }, /notification-subject must be a string/],
      [{ ...notification(), items: undefined }, /items\.item must list at least one item/],
      [{ ...notification(), items: { item: [] } }, /items\.item must list at least one item/],
      [notification({ items: Array.from({ length: 101 }, () => item) }), /lists 101 items; at most 100/],
      [withItem({ 'item-type': 'blog' }), /items\.item\[0\]: item-type "blog" is not one of work, /],
      [withItem({ 'item-type': undefined }), /item-type null is not one of/],
      [withItem({ 'item-name': '  ' }), /items\.item\[0\]: item-name is required/],
      [withItem({ 'external-id': undefined }), /external-id is required/],
      [withItem({ 'external-id': { 'external-id-value': '10.5555/x' } }), /external-id\.external-id-type is required/],
      [withItem({ 'external-id': { 'external-id-type': 'doi', 'external-id-value': '' } }), /external-id\.external-id-value is required/],
      [withItem({ 'external-id': { ...item['external-id'], 'external-id-relationship': 'cites' } }), /external-id-relationship "cites"/],
    ];
    for (const [body, message] of cases) {
      const res = await post(CARBERRY, body);
      assert.equal(res.status, 400, String(message));
      assertOrcidError(res.json, 400, 9006);
      assert.match(res.json['developer-message'], message);
    }
    // The limits themselves are fine.
    assert.equal((await post(CARBERRY, notification({ subject: 'x'.repeat(1000), items: Array.from({ length: 100 }, () => item) }))).status, 201);

    const unreadable = await post(CARBERRY, '{"notification-type":');
    assert.equal(unreadable.status, 400);
    assertOrcidError(unreadable.json, 400, 9001);
    const xml = await post(CARBERRY, '<notification/>', { headers: { 'Content-Type': 'application/vnd.orcid+xml' } });
    assert.equal(xml.status, 415);
    const badId = await post('0000-0002-1825-0098', notification());
    assert.equal(badId.status, 404);
    assertOrcidError(badId.json, 404, 9011);
    assert.equal((await control(orcid.url, 'stats')).json.notifications, 1, 'only the valid one was received');
  });

  test('GET or DELETE of an unknown put-code, or of one on another iD, is 404 9029; other methods 405', async () => {
    const putCode = await postOk();
    for (const [method, path] of [['GET', notificationPath(CARBERRY, 999)], ['GET', notificationPath(QUILL, putCode)], ['DELETE', notificationPath(QUILL, putCode)]]) {
      const res = await call(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assertOrcidError(res.json, 404, 9029);
      assert.match(res.json['developer-message'], /Could not find notification with id: \d+ for ORCID: /);
    }
    assert.equal((await call('PUT', notificationPath(CARBERRY, putCode), { body: notification() })).status, 405);
    assert.equal((await call('GET', notificationPath(CARBERRY))).status, 405);
  });

  test('DELETE archives it (200, archived-date); again while unread 200 unchanged; once the person has read it 403 9009', async () => {
    const putCode = await postOk();
    const archived = await call('DELETE', notificationPath(CARBERRY, putCode));
    assert.equal(archived.status, 200);
    assert.equal(archived.json['put-code'], putCode);
    const at = archived.json['archived-date'].value;
    assert.ok(at >= archived.json['created-date'].value);
    const again = await call('DELETE', notificationPath(CARBERRY, putCode));
    assert.equal(again.status, 200);
    assert.equal(again.json['archived-date'].value, at, 'archived once');
    assert.equal((await call('GET', notificationPath(CARBERRY, putCode))).json['archived-date'].value, at);

    const read = await postOk();
    await control(orcid.url, `inbox/${CARBERRY}/${read}/read`, {});
    const refused = await call('DELETE', notificationPath(CARBERRY, read));
    assert.equal(refused.status, 403);
    assertOrcidError(refused.json, 403, 9009);
    assert.match(refused.json['developer-message'], /already been read/);
    assert.equal((await call('GET', notificationPath(CARBERRY, read))).json['archived-date'], null);
  });

  test('record states: deactivated 409 9044 and locked 409 9018 on every notification call, notificationsDisabled 409 9032 on POST; works unaffected', async () => {
    const putCode = await postOk(QUILL);
    const set = async (body) => {
      const res = await control(orcid.url, 'record-state', body);
      assert.equal(res.status, 200);
      return res.json;
    };
    assert.deepEqual(await set({ orcid: QUILL, deactivated: true }), {
      orcid: QUILL, deactivated: true, locked: false, notificationsDisabled: false,
    });
    for (const [method, path, body] of [['POST', notificationPath(QUILL), notification()], ['GET', notificationPath(QUILL, putCode)], ['DELETE', notificationPath(QUILL, putCode)]]) {
      const res = await call(method, path, { body });
      assert.equal(res.status, 409, method);
      assertOrcidError(res.json, 409, 9044);
      assert.match(res.json['developer-message'], /The ORCID record is deactivated/);
    }
    await set({ orcid: QUILL, deactivated: false, locked: true });
    const locked = await post(QUILL, notification());
    assert.equal(locked.status, 409);
    assertOrcidError(locked.json, 409, 9018);
    assert.match(locked.json['user-message'], /The ORCID record is locked/);
    assert.equal((await call('GET', notificationPath(QUILL, putCode))).status, 409);

    assert.deepEqual(await set({ orcid: QUILL, locked: false, notificationsDisabled: true }), {
      orcid: QUILL, deactivated: false, locked: false, notificationsDisabled: true,
    });
    const disabled = await post(QUILL, notification());
    assert.equal(disabled.status, 409);
    assertOrcidError(disabled.json, 409, 9032);
    assert.match(disabled.json['developer-message'], /does not accept notifications from member organisations/);
    assert.match(disabled.json['user-message'], new RegExp(`The user ${QUILL} don't allow notifications`));
    assert.equal((await call('GET', notificationPath(QUILL, putCode))).status, 200, 'reading an earlier one still works');
    assert.equal((await post(CARBERRY, notification())).status, 201, 'other records unaffected');
    assert.equal((await call('POST', `/v3.0/${QUILL}/work`, { body: work('10.5555/q') })).status, 201, 'works unaffected');

    assert.equal((await control(orcid.url, 'record-state', { orcid: 'nope', locked: true })).status, 400);
    assert.equal((await control(orcid.url, 'record-state', { orcid: QUILL, locked: 'yes' })).status, 400);
    await control(orcid.url, 'reset', {});
    assert.equal((await post(QUILL, notification())).status, 201, 'reset forgets record states');
  });

  test('inbox controls: GET /_control/inbox/{orcid} lists all, newest first; POST …/read|action|archive set each date once; stats and reset', async () => {
    const first = await postOk(CARBERRY, notification({ subject: 'first' }));
    const second = await postOk(CARBERRY, notification({ subject: 'second' }));
    await postOk(QUILL);
    let inbox = (await control(orcid.url, `inbox/${CARBERRY}`)).json;
    assert.equal(inbox.orcid, CARBERRY);
    assert.deepEqual(inbox.notifications.map((n) => n['put-code']), [second, first]);
    assert.equal(inbox.notifications[0]['notification-subject'], 'second');
    assert.equal(inbox.notifications[0].source['source-client-id'].path, DEFAULT_CLIENT_ID);

    const read = await control(orcid.url, `inbox/${CARBERRY}/${first}/read`, {});
    assert.equal(read.status, 200);
    assert.ok(read.json['read-date'].value > 0);
    assert.equal(read.json['actioned-date'], null);
    const actioned = await control(orcid.url, `inbox/${CARBERRY}/${second}/action`, {});
    assert.ok(actioned.json['actioned-date'].value > 0);
    assert.equal(actioned.json['read-date'].value, actioned.json['actioned-date'].value, 'following the link reads it too');
    const archived = await control(orcid.url, `inbox/${CARBERRY}/${first}/archive`, {});
    assert.ok(archived.json['archived-date'].value >= read.json['read-date'].value);
    const again = await control(orcid.url, `inbox/${CARBERRY}/${first}/read`, {});
    assert.equal(again.json['read-date'].value, read.json['read-date'].value, 'a date is set once');

    inbox = (await control(orcid.url, `inbox/${CARBERRY}`)).json;
    assert.deepEqual(inbox.notifications.map((n) => n['put-code']), [second, first], 'archived ones are listed too');
    assert.equal((await call('GET', notificationPath(CARBERRY, second))).json['actioned-date'].value, actioned.json['actioned-date'].value, 'the API sees what the person did');

    assert.equal((await control(orcid.url, `inbox/${CARBERRY}/999/read`, {})).status, 404);
    assert.equal((await control(orcid.url, `inbox/${QUILL}/${first}/read`, {})).status, 404);
    assert.equal((await control(orcid.url, `inbox/${CARBERRY}/${first}/delete`, {})).status, 404);
    assert.deepEqual((await control(orcid.url, `inbox/${ORCIDS.okafor}`)).json.notifications, []);

    assert.equal((await control(orcid.url, 'stats')).json.notifications, 3);
    await control(orcid.url, 'reset', {});
    assert.equal((await control(orcid.url, 'stats')).json.notifications, 0);
    assert.deepEqual((await control(orcid.url, `inbox/${CARBERRY}`)).json.notifications, []);
    assert.equal((await call('GET', notificationPath(CARBERRY, first))).status, 404, 'reset forgets notifications');
  });

  test('the HTML inbox lists the unarchived ones newest first, escaped, with DOI links; opening it marks them read; an empty inbox says so', async () => {
    const empty = await browse(`${orcid.url}/inbox/${CARBERRY}`);
    assert.equal(empty.status, 200);
    assert.match(empty.headers.get('content-type'), /^text\/html/);
    const emptyHtml = await empty.text();
    assert.match(emptyHtml, /<html lang="en">/);
    assert.match(emptyHtml, new RegExp(`<title>ORCID inbox of ${CARBERRY}[^<]*</title>`));
    assert.match(emptyHtml, new RegExp(`<h1>ORCID inbox of ${CARBERRY}</h1>`));
    assert.match(emptyHtml, /There are no notifications in this inbox\./);
    assert.doesNotMatch(emptyHtml, /<article/);

    const older = await postOk(CARBERRY, notification({ subject: 'Older <one>' }));
    const archivedOne = await postOk(CARBERRY, notification({ subject: 'Archived one' }));
    await control(orcid.url, `inbox/${CARBERRY}/${archivedOne}/archive`, {});
    const newer = await postOk(CARBERRY, {
      ...notification({
        subject: 'Newer & <script>alert(1)</script>',
        items: [
          { 'item-type': 'work', 'item-name': 'Title with <b>tags</b> & "quotes"', 'external-id': { 'external-id-type': 'doi', 'external-id-value': 'https://doi.org/10.5555/ABC<1>', 'external-id-relationship': 'self' } },
          { 'item-type': 'work', 'item-name': 'Second work', 'external-id': { 'external-id-type': 'doi', 'external-id-value': '10.5555/second' } },
        ],
      }),
      'notification-intro': 'Intro <img src=x onerror=alert(1)>',
    });
    await postOk(QUILL, notification({ subject: 'For someone else' }));

    const res = await browse(`${orcid.url}/inbox/${CARBERRY.toLowerCase()}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const articles = [...html.matchAll(/<article[^>]*data-put-code="(\d+)"[^>]*>([\s\S]*?)<\/article>/g)];
    assert.deepEqual(articles.map((m) => Number(m[1])), [newer, older], 'newest first, archived hidden');
    const [first] = articles;
    assert.match(first[0], /aria-labelledby="notification-\d+"/);
    assert.match(first[2], /<h2 id="notification-\d+">Newer &amp; &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h2>/);
    assert.match(first[2], /From <strong>DataCite Profiles \(test\)<\/strong>/);
    assert.match(first[2], /sent <time datetime="\d{4}-\d\d-\d\dT/);
    assert.match(first[2], /Intro &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(first[2], /Title with &lt;b&gt;tags&lt;\/b&gt; &amp; &quot;quotes&quot;/);
    assert.match(first[2], /<a href="https:\/\/doi\.org\/10\.5555\/ABC%3C1%3E">10\.5555\/ABC&lt;1&gt;<\/a>/);
    assert.match(first[2], /<a href="https:\/\/doi\.org\/10\.5555\/second">10\.5555\/second<\/a>/);
    assert.match(first[2], new RegExp(`<a href="/inbox/${CARBERRY}/${newer}/grant" aria-describedby="notification-${newer}">Grant permission</a>`));
    assert.match(first[2], new RegExp(`<form method="post" action="/inbox/${CARBERRY}/${newer}/archive"><button type="submit" aria-describedby="notification-${newer}">Archive</button></form>`));
    assert.doesNotMatch(html, /<script>|<img|<b>tags/);
    assert.doesNotMatch(html, /For someone else/);
    assert.match(html, /1 archived notification not shown/);
    assert.doesNotMatch(html, /<link |<script|@import|https:\/\/fonts/, 'no external resources');

    const inbox = (await control(orcid.url, `inbox/${CARBERRY}`)).json.notifications;
    const readOf = (pc) => inbox.find((n) => n['put-code'] === pc)['read-date'];
    assert.ok(readOf(newer)?.value > 0 && readOf(older)?.value > 0, 'listed ones are now read');
    assert.equal(readOf(archivedOne), null, 'the archived one was not listed, so not read');
    assert.equal((await control(orcid.url, `inbox/${QUILL}`)).json.notifications[0]['read-date'], null);

    assert.equal((await browse(`${orcid.url}/inbox/0000-0002-1825-0098`)).status, 404);
    assert.equal((await browse(`${orcid.url}/inbox/${CARBERRY}`, { method: 'POST' })).status, 405);
  });

  test('"Grant permission" sets actioned-date and 303s to the authorization URL (a path resolved against the ORCID site); "Archive" 303s back and hides it', async () => {
    const withUri = await postOk();
    const withPath = await postOk(CARBERRY, { ...notification(), 'authorization-url': { path: `/oauth/authorize?${authorizeQuery}` } });

    const granted = await browse(`${orcid.url}/inbox/${CARBERRY}/${withUri}/grant`);
    assert.equal(granted.status, 303);
    assert.equal(granted.headers.get('location'), `${SITE}/oauth/authorize?${authorizeQuery}`);
    const viaPath = await browse(`${orcid.url}/inbox/${CARBERRY}/${withPath}/grant`);
    assert.equal(viaPath.status, 303);
    assert.equal(viaPath.headers.get('location'), `${SITE}/oauth/authorize?${authorizeQuery}`);
    const n = (await call('GET', notificationPath(CARBERRY, withUri))).json;
    assert.ok(n['actioned-date'].value > 0);
    assert.ok(n['read-date'].value > 0);
    assert.equal(n['archived-date'], null);

    const archived = await browse(`${orcid.url}/inbox/${CARBERRY}/${withUri}/archive`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '',
    });
    assert.equal(archived.status, 303);
    assert.equal(archived.headers.get('location'), `/inbox/${CARBERRY}`);
    assert.ok((await call('GET', notificationPath(CARBERRY, withUri))).json['archived-date'].value > 0);
    const html = await (await browse(`${orcid.url}/inbox/${CARBERRY}`)).text();
    assert.doesNotMatch(html, new RegExp(`data-put-code="${withUri}"`));
    assert.match(html, new RegExp(`data-put-code="${withPath}"`));

    assert.equal((await browse(`${orcid.url}/inbox/${CARBERRY}/999/grant`)).status, 404);
    assert.equal((await browse(`${orcid.url}/inbox/${CARBERRY}/${withPath}/archive`)).status, 405, 'archive is a POST');
    // The inbox is the site, not the Member API: it is not counted.
    assert.equal((await control(orcid.url, 'stats')).json.requests, 4);
  });

  test('faults reach notification calls: fail-next by path targets them only; their 404/409 bodies are the notification ones', async () => {
    await control(orcid.url, 'fail-next', { status: 500, path: `/v3.0/${CARBERRY}/notification-permission` });
    assert.equal((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') })).status, 201, 'a work call does not match');
    const faulted = await post(CARBERRY, notification());
    assert.equal(faulted.status, 500);
    assertOrcidError(faulted.json, 500, 9008);
    assert.equal((await control(orcid.url, `inbox/${CARBERRY}`)).json.notifications.length, 0);
    const putCode = await postOk();

    await control(orcid.url, 'fail-next', { status: 409, method: 'POST', orcid: CARBERRY });
    assertOrcidError((await post(CARBERRY, notification())).json, 409, 9032);
    await control(orcid.url, 'fail-next', { status: 404, path: '/v3.0/', method: 'GET' });
    const gone = await call('GET', notificationPath(CARBERRY, putCode));
    assert.equal(gone.status, 404, 'an existing notification, faulted');
    assertOrcidError(gone.json, 404, 9029);
    assert.equal((await call('GET', notificationPath(CARBERRY, putCode))).status, 200);

    await control(orcid.url, 'fail-next', { status: 'timeout', path: notificationPath(CARBERRY) });
    await control(orcid.url, 'config', { timeoutMs: 50 });
    await assert.rejects(post(CARBERRY, notification()));
    assert.equal((await control(orcid.url, `inbox/${CARBERRY}`)).json.notifications.length, 2, 'the timed-out POST was made (timeoutApplies)');
    await control(orcid.url, 'config', { timeoutMs: 30_000 });
  });
});

describe('ORCID double: notifications and the rate limit', () => {
  test('notification calls take from the same bucket as work calls, and are counted', async () => {
    const orcid = await startOrcidApi({ rateLimit: { perSecond: 1, burst: 3 }, orcidUrl: SITE });
    try {
      const call = orcidClient(orcid.url);
      assert.equal((await call('POST', `/v3.0/${CARBERRY}/work`, { body: work('10.5555/a') })).status, 201);
      assert.equal((await call('POST', notificationPath(CARBERRY), { body: notification() })).status, 201);
      assert.equal((await call('POST', notificationPath(QUILL), { body: notification() })).status, 201);
      const over = await call('POST', notificationPath(CARBERRY), { body: notification() });
      assert.equal(over.status, 503);
      assert.match(over.text, /503 Service Temporarily Unavailable/);
      assert.equal((await call('GET', `/v3.0/${CARBERRY}/works`)).status, 503, 'the bucket is shared');
      // The inbox is not the API: it is not limited.
      assert.equal((await fetch(`${orcid.url}/inbox/${CARBERRY}`)).status, 200);
      const stats = (await control(orcid.url, 'stats')).json;
      assert.equal(stats.overLimit, 2);
      assert.equal(stats.notifications, 2);
    } finally {
      await orcid.close();
    }
  });
});

describe('ORCID double with tokenInfo: notifications need /premium-notification', () => {
  const tokens = {
    notify: { active: true, orcid: null, scope: '/premium-notification', clientId: 'APP-PROFILESPROD0001', clientName: 'DataCite' },
    other: { active: true, orcid: null, scope: '/read-public /premium-notification', client_id: 'APP-OTHERMEMBER00001', client_name: 'Another member' },
    public: { active: true, orcid: null, scope: '/read-public', clientId: 'APP-PROFILESPROD0001' },
    user: { active: true, orcid: CARBERRY, scope: '/activities/update /read-limited', clientId: 'APP-PROFILESPROD0001' },
    gone: { active: false },
  };
  let orcid;
  let call;
  before(async () => {
    orcid = await startOrcidApi({ rateLimit: false, orcidUrl: SITE, tokenInfo: async (t) => tokens[t] ?? null });
    call = orcidClient(orcid.url);
  });
  after(() => orcid.close());

  test('a /premium-notification token posts as its client; without the scope 403 9004; no, unknown or inactive tokens 401', async () => {
    const ok = await call('POST', notificationPath(CARBERRY), { token: 'notify', body: notification() });
    assert.equal(ok.status, 201);
    const n = (await call('GET', new URL(ok.headers.get('location')).pathname, { token: 'notify' })).json;
    assert.equal(n.source['source-client-id'].path, 'APP-PROFILESPROD0001');
    assert.equal(n.source['source-name'].value, 'DataCite');

    for (const token of ['public', 'user']) {
      const res = await call('POST', notificationPath(CARBERRY), { token, body: notification() });
      assert.equal(res.status, 403, token);
      assertOrcidError(res.json, 403, 9004);
      assert.match(res.json['developer-message'], /Insufficient or wrong scope/);
      assert.equal((await call('GET', new URL(ok.headers.get('location')).pathname, { token })).status, 403, `GET with ${token}`);
    }
    const missing = await call('POST', notificationPath(CARBERRY), { token: null, body: notification() });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error, 'unauthorized');
    for (const token of ['nope', 'gone']) {
      const res = await call('POST', notificationPath(CARBERRY), { token, body: notification() });
      assert.equal(res.status, 401, token);
      assert.deepEqual(res.json, { error: 'invalid_token', error_description: `Invalid access token: ${token}` });
      assert.match(res.headers.get('www-authenticate'), /error="invalid_token"/);
    }
  });

  test('only the client that posted it may read it (403 9004) or archive it (403 9010)', async () => {
    const path = new URL((await call('POST', notificationPath(QUILL), { token: 'notify', body: notification() })).headers.get('location')).pathname;
    const read = await call('GET', path, { token: 'other' });
    assert.equal(read.status, 403);
    assertOrcidError(read.json, 403, 9004);
    assert.match(read.json['developer-message'], /This notification does not belong to APP-OTHERMEMBER00001/);
    const archive = await call('DELETE', path, { token: 'other' });
    assert.equal(archive.status, 403);
    assertOrcidError(archive.json, 403, 9010);
    assert.equal((await call('GET', path, { token: 'notify' })).json['archived-date'], null);
    assert.equal((await call('DELETE', path, { token: 'notify' })).status, 200);
  });

  test('revoke {"orcid"} (the person removing the app) leaves the client\'s two-legged token alone; revoke {"token"} kills it', async () => {
    assert.equal((await call('POST', notificationPath(CARBERRY), { token: 'notify', body: notification() })).status, 201);
    await control(orcid.url, 'revoke', { orcid: CARBERRY });
    assert.equal((await call('POST', notificationPath(CARBERRY), { token: 'notify', body: notification() })).status, 201);
    await control(orcid.url, 'revoke', { token: 'notify' });
    assert.equal((await call('POST', notificationPath(CARBERRY), { token: 'notify', body: notification() })).status, 401);
  });
});

// ===================================================================================================
describe('DataCite REST double', () => {
  let datacite;
  const get = async (path, headers = {}) => {
    const res = await fetch(`${datacite.url}${path}`, { headers });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* HTML */ }
    return { status: res.status, headers: res.headers, json, text };
  };
  const list = async (params) => get(`/dois?${new URLSearchParams(params)}`);
  const ids = (res) => res.json.data.map((d) => d.id).sort();
  const findable = FIXTURE_DOIS.filter((d) => d.state === 'findable');

  before(async () => { datacite = await startDatacite(); });
  after(() => datacite.close());
  beforeEach(() => control(datacite.url, 'reset', {}));

  test('fixtures cover the iDs, resource types and skip cases the mapping tests need', () => {
    assert.equal(findable.length, 8);
    const byOrcid = (orcid) => FIXTURE_DOIS.filter((d) => d.state === 'findable' && d.creators.some((c) => c.nameIdentifiers.some((n) => n.nameIdentifier === `https://orcid.org/${orcid}`)));
    assert.ok(byOrcid(ORCIDS.carberry).length >= 4);
    assert.equal(byOrcid(ORCIDS.quill).length, 1);
    assert.equal(byOrcid(ORCIDS.okafor).length, 1);
    const types = new Set(FIXTURE_DOIS.map((d) => d.types.resourceTypeGeneral));
    for (const t of ['Dataset', 'Software', 'Text', 'Collection', 'JournalArticle']) assert.ok(types.has(t), t);
    assert.ok(FIXTURE_DOIS.some((d) => d.relatedIdentifiers.some((r) => r.relationType === 'IsVersionOf')));
    assert.ok(FIXTURE_DOIS.some((d) => d.container.title));
    assert.ok(FIXTURE_DOIS.some((d) => d.state === 'findable' && d.creators.every((c) => c.nameIdentifiers.length === 0)));
    assert.deepEqual(Object.keys(EXPECTED).sort(), FIXTURE_DOIS.map((d) => d.doi).sort());
    assert.ok(FIXTURE_DOIS.every((d) => d.prefix === '10.5555' || d.prefix === '10.14454'));
  });

  test('GET /dois/{doi} returns the JSON:API shape', async () => {
    const res = await get('/dois/10.5555/ty4m-3h09');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/vnd\.api\+json/);
    const { data } = res.json;
    assert.equal(data.id, '10.5555/ty4m-3h09');
    assert.equal(data.type, 'dois');
    const a = data.attributes;
    assert.equal(a.doi, '10.5555/ty4m-3h09');
    assert.equal(a.prefix, '10.5555');
    assert.equal(a.suffix, 'ty4m-3h09');
    assert.deepEqual(a.creators[0].nameIdentifiers[0], { nameIdentifier: `https://orcid.org/${CARBERRY}`, nameIdentifierScheme: 'ORCID', schemeUri: 'https://orcid.org' });
    assert.equal(a.creators[0].givenName, 'Josiah');
    assert.deepEqual(a.creators[0].affiliation, ['Brown University']);
    assert.equal(a.titles[0].title, 'The effect of glaze thickness on crack propagation in Ming-era vessels');
    assert.equal(a.publisher, 'Psychoceramics Society Press', 'publisher is a string by default');
    assert.equal(a.container.title, 'Journal of Psychoceramics');
    assert.equal(a.publicationYear, 2021);
    assert.equal(a.types.resourceTypeGeneral, 'Text');
    assert.equal(a.types.resourceType, 'Journal article');
    for (const k of ['schemaOrg', 'citeproc', 'bibtex', 'ris']) assert.ok(a.types[k], k);
    assert.deepEqual(a.dates[0], { date: '2021-04-30', dateType: 'Issued' });
    assert.equal(a.descriptions[0].descriptionType, 'Abstract');
    assert.equal(a.state, 'findable');
    assert.equal(a.url, 'https://journal.example.org/articles/ty4m-3h09');
    for (const k of ['contributors', 'relatedIdentifiers', 'subjects', 'identifiers', 'rightsList', 'created', 'registered', 'published', 'updated', 'viewCount', 'versionOfCount']) assert.ok(k in a, k);
    assert.match(Buffer.from(a.xml, 'base64').toString(), /<identifier identifierType="DOI">10\.5555\/TY4M-3H09<\/identifier>/);
    assert.deepEqual(data.relationships.client.data, { id: 'datacite.test', type: 'clients' });
  });

  test('publisher=true and affiliation=true return objects; fields[dois] trims attributes', async () => {
    const a = (await get('/dois/10.5555/ty4m-3h09?publisher=true&affiliation=true')).json.data.attributes;
    assert.deepEqual(a.publisher, { name: 'Psychoceramics Society Press' });
    assert.equal(a.creators[0].affiliation[0].affiliationIdentifierScheme, 'ROR');
    const sparse = (await get('/dois/10.5555/ty4m-3h09?fields[dois]=doi,titles')).json.data.attributes;
    assert.deepEqual(Object.keys(sparse), ['doi', 'titles']);
  });

  test('the DOI is case-insensitive, may be %2F-escaped; a version DOI shows IsVersionOf', async () => {
    assert.equal((await get('/dois/10.5555/TY4M-3H09')).json.data.id, '10.5555/ty4m-3h09');
    assert.equal((await get('/dois/10.5555%2Fty4m-3h09')).status, 200);
    const version = (await get('/dois/10.5555/4gx1-mc20')).json.data;
    assert.deepEqual(version.attributes.relatedIdentifiers[0], { relationType: 'IsVersionOf', relatedIdentifier: '10.5555/k4s2-v7q8', relatedIdentifierType: 'DOI', resourceTypeGeneral: 'Software' });
    assert.deepEqual(version.relationships.versionOf.data, [{ id: '10.5555/k4s2-v7q8', type: 'dois' }]);
  });

  test('unknown and non-findable DOIs are 404 with the JSON:API error', async () => {
    for (const doi of ['10.5555/nope', '10.5555/dr4f-7x0p']) {
      const res = await get(`/dois/${doi}`);
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, { errors: [{ status: '404', title: "The resource you are looking for doesn't exist." }] });
    }
  });

  test('GET /dois lists findable DOIs, -updated first, with meta and links', async () => {
    const res = await get('/dois');
    assert.equal(res.status, 200);
    assert.equal(res.json.meta.total, 8);
    assert.equal(res.json.meta.totalPages, 1);
    assert.equal(res.json.meta.page, 1);
    assert.ok(Array.isArray(res.json.meta.resourceTypes), 'facets by default');
    assert.equal(res.json.links.next, undefined);
    assert.match(res.json.links.self, /\/dois$/);
    const updated = res.json.data.map((d) => d.attributes.updated);
    assert.deepEqual(updated, [...updated].sort().reverse());
    assert.equal((await list({ 'disable-facets': 'true' })).json.meta.resourceTypes, undefined);
  });

  test('user-id matches creators only, in bare or URL form', async () => {
    const expected = findable.filter((d) => d.creators.some((c) => c.nameIdentifiers.some((n) => n.nameIdentifier.endsWith(CARBERRY)))).map((d) => d.doi).sort();
    assert.deepEqual(ids(await list({ 'user-id': CARBERRY })), expected);
    assert.deepEqual(ids(await list({ 'user-id': `https://orcid.org/${CARBERRY}` })), expected);
    assert.ok(!expected.includes('10.14454/w2b7-9kp4'), 'contributor-only DOI excluded');
    assert.deepEqual(ids(await list({ 'user-id': QUILL })), ['10.14454/m8fd-0c37']);
  });

  test('ids: the DOIs named, in any case, whatever their state, every other filter ignored', async () => {
    const [a, b] = findable.map((d) => d.doi);
    const asked = [a.toUpperCase(), b, '10.5555/dr4f-7x0p', '10.5555/no-such-doi'].join(',');
    const res = await list({ ids: asked, 'user-id': QUILL, query: 'nothing:matches', 'disable-facets': 'true' });
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res), [a, b, '10.5555/dr4f-7x0p'].sort());
    assert.equal(res.json.meta.total, 3);
    assert.equal(res.json.data.find((d) => d.id === '10.5555/dr4f-7x0p').attributes.state, 'registered');
    // page[size] defaults to 25, as lupo's does.
    assert.equal((await list({ ids: asked, 'page[size]': '1' })).json.data.length, 1);
  });

  test('query on creators.nameIdentifiers.nameIdentifier, quoted URL, bare iD, escaped URL', async () => {
    const expected = ids(await list({ 'user-id': CARBERRY }));
    for (const q of [
      `creators.nameIdentifiers.nameIdentifier:"https://orcid.org/${CARBERRY}"`,
      `creators.nameIdentifiers.nameIdentifier:"${CARBERRY}"`,
      `creators.nameIdentifiers.nameIdentifier:${CARBERRY}`,
      `creators.nameIdentifiers.nameIdentifier:https\\:\\/\\/orcid.org\\/${CARBERRY}`,
    ]) {
      assert.deepEqual(ids(await list({ query: q })), expected, q);
    }
    const both = ids(await list({ query: `creators_and_contributors.nameIdentifiers.nameIdentifier:"https://orcid.org/${CARBERRY}"` }));
    assert.deepEqual(both, [...expected, '10.14454/w2b7-9kp4'].sort());
  });

  test('DataCite Commons\' search page (/doi.org?query=…): an HTML list of the DOIs the query matches', async () => {
    const query = `creators_and_contributors.nameIdentifiers.nameIdentifier:(${CARBERRY} OR "https://orcid.org/${CARBERRY}")`;
    const expected = ids(await list({ query }));
    const res = await get(`/doi.org?${new URLSearchParams({ query })}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /<title>Search DOIs · DataCite Commons \(local stand-in\)<\/title>/);
    assert.match(res.text, new RegExp(`<p>${expected.length} DOIs</p>`));
    const listed = [...res.text.matchAll(/<code>(10\.[^<]+)<\/code>/g)].map((m) => m[1]);
    assert.deepEqual([...listed].sort(), expected);
    const bad = await get(`/doi.org?${new URLSearchParams({ query: 'a:b:c' })}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /role="alert">This search could not be read/);
  });

  test('an unquoted URL is a 400, as in Elasticsearch', async () => {
    const res = await list({ query: `creators.nameIdentifiers.nameIdentifier:https://orcid.org/${CARBERRY}` });
    assert.equal(res.status, 400);
    assert.equal(res.json.errors[0].status, '400');
    assert.match(res.json.errors[0].title, /quote/);
  });

  test('free text over titles, names and DOIs; boolean operators', async () => {
    assert.deepEqual(ids(await list({ query: 'cephalopod' })), ['10.5555/j9cp-6b21']);
    assert.deepEqual(ids(await list({ query: 'Okafor' })), ['10.14454/w2b7-9kp4']);
    assert.deepEqual(ids(await list({ query: '"10.5555/ty4m-3h09"' })), ['10.5555/ty4m-3h09']);
    assert.deepEqual(ids(await list({ query: 'doi:10.5555\\/TY4M-3H09' })), ['10.5555/ty4m-3h09']);
    // Free text also searches publisher names, so "psychoceramics" alone would find the Society Press article.
    assert.equal((await list({ query: 'psychoceramics' })).json.meta.total, 3);
    assert.deepEqual(ids(await list({ query: 'titles.title:psychoceramics AND NOT relatedIdentifiers.relationType:IsVersionOf' })), ['10.5555/k4s2-v7q8']);
    assert.deepEqual(ids(await list({ query: 'types.resourceTypeGeneral:(Collection OR JournalArticle)' })), ['10.14454/m8fd-0c37', '10.14454/q6vx-2t51']);
    assert.deepEqual(ids(await list({ query: 'titles.title:"glaze thickness"' })), ['10.5555/ty4m-3h09']);
    assert.deepEqual(ids(await list({ query: 'titles.title:cephalo*' })), ['10.5555/j9cp-6b21']);
    assert.equal((await list({ query: 'unicorns' })).json.meta.total, 0);
  });

  test('filters: resource-type-id, has-person, client-id, prefix', async () => {
    assert.deepEqual(ids(await list({ 'resource-type-id': 'journal-article' })), ['10.14454/m8fd-0c37']);
    assert.equal((await list({ 'resource-type-id': 'dataset,software' })).json.meta.total, 4);
    assert.ok(!ids(await list({ 'has-person': 'true' })).includes('10.5555/n0or-c1d0'));
    assert.equal((await list({ prefix: '10.14454' })).json.meta.total, 3);
    assert.equal((await list({ 'client-id': 'datacite.test' })).json.meta.total, 5);
  });

  test('updated ranges find new registrations (the poller\'s "updated since")', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const levriero = `creators.nameIdentifiers.nameIdentifierScheme:ORCID AND updated:[${since} TO *]`;
    assert.equal((await list({ query: levriero })).json.meta.total, 0);

    const added = await control(datacite.url, 'dois', {
      doi: '10.5555/new1-0001',
      creators: [{ name: 'Carberry, Josiah', givenName: 'Josiah', familyName: 'Carberry', nameIdentifiers: [{ nameIdentifier: CARBERRY, nameIdentifierScheme: 'ORCID' }] }],
      titles: [{ title: 'A brand new dataset' }],
      publisher: 'Brown University Digital Repository',
      publicationYear: 2026,
      types: { resourceTypeGeneral: 'Dataset' },
    });
    assert.equal(added.status, 201);
    assert.equal(added.json.data.attributes.creators[0].nameIdentifiers[0].nameIdentifier, `https://orcid.org/${CARBERRY}`, 'bare iDs are stored as URLs');

    assert.deepEqual(ids(await list({ query: levriero })), ['10.5555/new1-0001']);
    assert.deepEqual(ids(await list({ query: 'updated:[now-1h TO *]' })), ['10.5555/new1-0001']);
    assert.deepEqual(ids(await list({ query: `updated:{${since} TO now}` })), ['10.5555/new1-0001']);
    assert.equal((await list({ query: 'updated:[2021-01-01 TO 2021-12-31T23:59:59Z]' })).json.meta.total, 2);
    assert.equal((await list({ 'user-id': CARBERRY, sort: '-updated' })).json.data[0].id, '10.5555/new1-0001');

    // Re-posting an existing DOI is an update: `updated` moves, `created` stays.
    const before = (await get('/dois/10.5555/j9cp-6b21')).json.data.attributes;
    const updated = await control(datacite.url, 'dois', { ...before, publisher: before.publisher, titles: [{ title: 'Renamed' }] });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.data.attributes.created, before.created);
    assert.ok(updated.json.data.attributes.updated > before.updated);
    assert.deepEqual(ids(await list({ query: levriero })), ['10.5555/j9cp-6b21', '10.5555/new1-0001']);

    await control(datacite.url, 'reset', {});
    assert.equal((await get('/dois/10.5555/new1-0001')).status, 404);
  });

  test('page-number pagination: meta.totalPages and links.next', async () => {
    const first = await list({ 'page[size]': '3' });
    assert.equal(first.json.meta.total, 8);
    assert.equal(first.json.meta.totalPages, 3);
    assert.equal(first.json.data.length, 3);
    const seen = [...first.json.data.map((d) => d.id)];
    let next = first.json.links.next;
    while (next) {
      const page = await get(new URL(next).pathname + new URL(next).search);
      seen.push(...page.json.data.map((d) => d.id));
      next = page.json.links.next;
    }
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen).size, 8);
    assert.equal((await list({ 'page[size]': '3', 'page[number]': '3' })).json.data.length, 2);
    assert.equal((await list({ 'page[size]': '0' })).json.data.length, 0);
  });

  test('cursor pagination: created ascending, follow links.next until it is absent', async () => {
    const seen = [];
    let path = '/dois?page[cursor]=1&page[size]=4&disable-facets=true';
    let pages = 0;
    while (path) {
      const page = await get(path);
      assert.equal(page.status, 200);
      assert.equal(page.json.meta.total, 8);
      seen.push(...page.json.data);
      pages += 1;
      path = page.json.links.next ? new URL(page.json.links.next).pathname + new URL(page.json.links.next).search : null;
    }
    // 8 results in pages of 4: two full pages, then an empty one ends it (next is only omitted on a short page).
    assert.equal(pages, 3);
    assert.equal(seen.length, 8);
    const created = seen.map((d) => d.attributes.created);
    assert.deepEqual(created, [...created].sort());
  });

  test('fail-next: the next N calls get 500/503/429, then it recovers', async () => {
    await control(datacite.url, 'fail-next', { status: 503, count: 2 });
    assert.equal((await get('/dois/10.5555/j9cp-6b21')).status, 503);
    assert.equal((await list({})).status, 503);
    assert.equal((await get('/dois/10.5555/j9cp-6b21')).status, 200);

    await control(datacite.url, 'fail-next', { status: 500 });
    const boom = await get('/dois/10.5555/j9cp-6b21');
    assert.equal(boom.status, 500);
    assert.equal(boom.json.errors[0].status, '500');

    await control(datacite.url, 'fail-next', { status: 429, retryAfter: 2, path: '/dois/10.5555/ty4m' });
    assert.equal((await get('/dois/10.5555/j9cp-6b21')).status, 200, 'path does not match');
    const limited = await get('/dois/10.5555/ty4m-3h09');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.equal(limited.json.errors[0].status, '429');

    const stats = (await control(datacite.url, 'stats')).json;
    assert.equal(stats.byStatus['503'], 2);
    const log = (await control(datacite.url, 'requests')).json;
    assert.equal(log.at(-1).path, '/dois/10.5555/ty4m-3h09');
  });

  test('an outage: lupo\'s JSON 503; DOIs added meanwhile are listed once it ends, to the poller\'s exact query and cursor', async () => {
    // The poller (api/src/claims/intake.rs `poll`) asks for everything updated since its stored
    // cursor less 120 s, in cursor mode, and only stores a new cursor after a poll that succeeded.
    const since = new Date(Date.now() - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const pollerQuery = `(creators.nameIdentifiers.nameIdentifierScheme:ORCID OR contributors.nameIdentifiers.nameIdentifierScheme:ORCID) AND updated:[${since} TO *]`;
    const poll = async (size) => {
      const seen = [];
      let path = `/dois?${new URLSearchParams({
        'page[size]': String(size), 'disable-facets': 'true', publisher: 'true', query: pollerQuery, 'page[cursor]': '1',
      })}`;
      while (path) {
        const page = await get(path, { Accept: 'application/vnd.api+json' });
        if (page.status !== 200) return page;
        seen.push(...page.json.data.map((d) => d.id));
        const next = page.json.data.length ? page.json.links.next : null;
        path = next ? new URL(next).pathname + new URL(next).search : null;
      }
      return seen;
    };
    assert.deepEqual(await poll(1000), []);
    try {
      await control(datacite.url, 'config', { down: true });
      const refused = await poll(1000);
      assert.equal(refused.status, 503);
      assert.match(refused.headers.get('content-type'), /^application\/vnd\.api\+json/);
      assert.deepEqual(refused.json, { errors: [{ status: '503', title: 'The service is temporarily unavailable. Please try again later.' }] });

      const before = new Date().toISOString();
      const creator = await control(datacite.url, 'dois', {
        doi: '10.5555/outage-1',
        creators: [{ name: 'Carberry, Josiah', nameIdentifiers: [{ nameIdentifier: CARBERRY, nameIdentifierScheme: 'ORCID' }] }],
        titles: [{ title: 'Registered while the API was down' }],
        updated: '2001-01-01T00:00:00Z', // ignored: `updated` is now
      });
      assert.equal(creator.status, 201, 'controls work during the outage');
      assert.ok(creator.json.data.attributes.updated >= before, creator.json.data.attributes.updated);
      await control(datacite.url, 'dois', {
        doi: '10.5555/outage-2',
        creators: [{ name: 'Ng, Priya' }],
        contributors: [{ name: 'Quill, Ada', contributorType: 'DataCurator', nameIdentifiers: [{ nameIdentifier: `https://orcid.org/${QUILL}`, nameIdentifierScheme: 'ORCID' }] }],
        titles: [{ title: 'A contributor with an iD' }],
      });
      await control(datacite.url, 'dois', { doi: '10.5555/outage-3', creators: [{ name: 'Nobody, Anne' }], titles: [{ title: 'No iD at all' }] });
      // An update of an old DOI moves its `updated` too; its `created` (the cursor's order) stays old.
      const old = (await control(datacite.url, 'dois', { ...FIXTURE_DOIS[0], titles: [{ title: 'Corrected' }] })).json.data.attributes;
      assert.equal(old.created, FIXTURE_DOIS[0].created);
      assert.equal((await poll(1000)).status, 503);
    } finally {
      await control(datacite.url, 'config', { down: false });
    }
    const found = await poll(1000);
    assert.deepEqual(found, [FIXTURE_DOIS[0].doi, '10.5555/outage-1', '10.5555/outage-2'], 'created ascending');
    assert.deepEqual(await poll(1), found, 'the same, a page at a time along links.next');
    assert.equal((await control(datacite.url, 'stats')).json.down, 2, 'the two polls during the outage');
  });

  test('a custom fixture set replaces the built-in one', async () => {
    const custom = await startDatacite({ fixtures: [{ doi: '10.5555/ONLY', titles: 'Only', creators: [{ name: 'X' }], publisher: 'P', publicationYear: 2020, types: { resourceTypeGeneral: 'Dataset' } }] });
    try {
      const res = await fetch(`${custom.url}/dois`).then((r) => r.json());
      assert.deepEqual(res.data.map((d) => d.id), ['10.5555/only']);
    } finally {
      await custom.close();
    }
  });
});

test('parseQuery builds the expected tree', () => {
  assert.deepEqual(parseQuery('a:b AND NOT c:"d e"'), {
    op: 'and',
    items: [
      { field: 'a', kind: 'word', value: 'b', wildcard: false },
      { op: 'not', item: { field: 'c', kind: 'phrase', value: 'd e' } },
    ],
  });
  assert.throws(() => parseQuery('a:(b'), /missing '\)'/);
});

// ===================================================================================================
// The shared test controls (README.md "Test controls"). Every stand-in runs the same table: each
// check uses something only the shared harness has (the `path`, `retryAfter` and `delayMs` fault
// options, `latencyMs`, `inFlight`/`maxConcurrent` and the `{query, ms}` log fields on every
// stand-in), so a stand-in that kept a control API of its own, or none, fails here.

const TOKEN = { Authorization: 'Bearer token-1', Accept: 'application/json' };
const STAND_INS = [
  {
    name: 'orcid (oidc.mjs)',
    start: async () => { const op = await startOidc({ flavour: 'orcid' }); return { url: op.issuer, close: op.close }; },
    call: '/.well-known/openid-configuration', ok: 200,
    other: '/oauth/jwks', otherOk: 200,
    ownError: (json) => json.error === 'server_error' && json.error_description === 'Internal Server Error',
    outage: (r) => /^text\/html/.test(r.headers.get('content-type')) && /<h1>503 Service Unavailable<\/h1>/.test(r.text),
  },
  {
    name: 'google (oidc.mjs)',
    start: async () => { const op = await startOidc({ flavour: 'google' }); return { url: op.issuer, close: op.close }; },
    call: '/.well-known/openid-configuration', ok: 200,
    other: '/oauth2/v3/certs', otherOk: 200,
    ownError: (json) => json.error === 'server_error',
    outage: (r) => /^text\/html/.test(r.headers.get('content-type')) && /<h1>503 Service Unavailable<\/h1>/.test(r.text),
  },
  {
    name: 'github',
    start: () => startGithub(),
    call: '/user', headers: { 'User-Agent': 'harness-test' }, ok: 401,
    other: '/_avatar/u/583231.svg', otherOk: 200,
    ownError: (json) => json.message === 'Internal Server Error' && json.status === '500' && /^https:\/\/docs\.github\.com/.test(json.documentation_url),
    outage: (r) => /^text\/html/.test(r.headers.get('content-type')) && /<h1>503 Service Unavailable<\/h1>/.test(r.text),
  },
  {
    name: 'orcid-api',
    start: () => startOrcidApi({ rateLimit: false }),
    call: `/v3.0/${CARBERRY}/works`, headers: TOKEN, ok: 200,
    other: `/v3.0/${QUILL}/works`, otherOk: 200,
    ownError: (json) => json['response-code'] === 500 && json['error-code'] === 9008,
    // nginx in front of ORCID: its stock page, with ORCID's reason phrase and the nginx footer.
    outage: (r) => /^text\/html/.test(r.headers.get('content-type')) && r.text.includes('<h1>503 Service Temporarily Unavailable</h1>') && r.text.includes('<center>nginx</center>'),
  },
  {
    name: 'datacite',
    start: () => startDatacite(),
    call: '/dois/10.5555/j9cp-6b21', ok: 200,
    other: '/dois', otherOk: 200,
    ownError: (json) => json.errors?.[0]?.status === '500',
    // lupo's own JSON:API error, not the load balancer's page.
    outage: (r) => /^application\/vnd\.api\+json/.test(r.headers.get('content-type')) && r.json?.errors?.[0]?.status === '503' && typeof r.json.errors[0].title === 'string',
  },
];

/** What a `faultRate` of `seed` does to `n` calls in a row: null (the service answers) or the status. */
function expectedFaults({ seed, ratio, statuses }, n) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => (random() < ratio ? statuses[Math.floor(random() * statuses.length)] : null));
}

async function fetchText(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* HTML or empty */ }
  return { status: res.status, headers: res.headers, text, json };
}

for (const s of STAND_INS) {
  describe(`shared test controls: ${s.name}`, () => {
    let standIn;
    const call = (path = s.call) => fetchText(`${standIn.url}${path}`, { headers: s.headers ?? {} });
    const ctl = (path, body) => fetchText(`${standIn.url}/_control/${path}`, body === undefined ? {} : {
      method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
    });
    before(async () => { standIn = await s.start(); });
    after(() => standIn.close());
    beforeEach(async () => assert.deepEqual((await ctl('reset', {})).json, { reset: true }));

    test('fail-next answers the next N matching calls, which are counted and logged; then the service answers again', async () => {
      const queued = await ctl('fail-next', { status: 500, count: 2, method: 'get', path: s.call, body: { injected: true } });
      assert.equal(queued.status, 200);
      assert.deepEqual(queued.json, { queued: 1 });
      assert.equal((await call(s.other)).status, s.otherOk, 'another path does not match');
      for (let k = 0; k < 2; k++) {
        const hit = await call();
        assert.equal(hit.status, 500);
        assert.deepEqual(hit.json, { injected: true });
      }
      assert.equal((await call()).status, s.ok, 'the fault is used up');

      const stats = (await ctl('stats')).json;
      assert.equal(stats.requests, 4);
      assert.equal(stats.byStatus['500'], 2);
      assert.equal(stats.inFlight, 0);
      assert.ok(stats.maxConcurrent >= 1 && stats.perSecondPeak >= 1, JSON.stringify(stats));
      const log = (await ctl('requests')).json;
      assert.deepEqual(log.map((e) => [e.method, e.path, e.status]), [
        ['GET', s.other, s.otherOk], ['GET', s.call, 500], ['GET', s.call, 500], ['GET', s.call, s.ok],
      ]);
      assert.ok(log.every((e) => typeof e.ms === 'number' && typeof e.query === 'object' && !Number.isNaN(Date.parse(e.at))), JSON.stringify(log));
      assert.equal((await ctl('requests')).json.length, 4, 'control calls are not logged');
    });

    test('faults without a body: 502/503/504 get the gateway page, others the service\'s own error; Retry-After, delayMs and "reset"', async () => {
      await ctl('fail-next', { status: 503, retryAfter: 7 });
      const down = await call();
      assert.equal(down.status, 503);
      assert.match(down.headers.get('content-type'), /^text\/html/);
      assert.match(down.text, /<h1>503 Service (Temporarily )?Unavailable<\/h1>/);
      assert.equal(down.headers.get('retry-after'), '7');

      await ctl('fail-next', { status: 500, delayMs: 150 });
      const started = Date.now();
      const slow = await call();
      assert.ok(Date.now() - started >= 140, 'delayMs holds the answer back');
      assert.equal(slow.status, 500);
      assert.ok(s.ownError(slow.json), slow.text);
      assert.equal(slow.headers.get('retry-after'), null);

      await ctl('fail-next', { status: 'reset' });
      await assert.rejects(call(), 'the connection is dropped');
      assert.equal((await call()).status, s.ok);
    });

    test('config latencyMs delays calls to the service, not control calls', async () => {
      assert.equal((await ctl('config', { latencyMs: 150 })).json.latencyMs, 150);
      try {
        let started = Date.now();
        assert.equal((await call()).status, s.ok);
        assert.ok(Date.now() - started >= 140, 'the call waited');
        started = Date.now();
        await ctl('stats');
        assert.ok(Date.now() - started < 140, 'the control call did not');
        assert.ok((await ctl('requests')).json[0].ms >= 140);
      } finally {
        assert.equal((await ctl('config', { latencyMs: 0 })).json.latencyMs, 0);
      }
    });

    test('reset clears queued faults, counters and the request log', async () => {
      await ctl('fail-next', { status: 500, count: 5 });
      assert.equal((await call()).status, 500);
      assert.deepEqual((await ctl('reset', {})).json, { reset: true });
      const stats = (await ctl('stats')).json;
      assert.equal(stats.requests, 0);
      assert.deepEqual(stats.byStatus, {});
      assert.deepEqual((await ctl('requests')).json, []);
      assert.equal((await call()).status, s.ok, 'the other four faults are gone');
    });

    test('faultRate: a seeded, repeatable share of calls at the ratio; stats.faulted; off with false', async () => {
      const rate = { ratio: 0.2, statuses: [500, 503], seed: 42 };
      const set = await ctl('config', { faultRate: rate });
      assert.equal(set.status, 200);
      assert.deepEqual(set.json.faultRate, { ...set.json.faultRate, ...rate, appliedBeforeFailure: 0 });
      try {
        const outcome = async (n) => {
          const seen = [];
          for (let k = 0; k < n; k++) {
            const r = await call();
            seen.push(r.status === s.ok ? null : r.status);
          }
          return seen;
        };
        const first = await outcome(200);
        assert.deepEqual(first, expectedFaults(rate, 200), 'mulberry32 from the seed, one draw per call and one per fault');
        const faulted = first.filter(Boolean);
        assert.ok(faulted.length >= 25 && faulted.length <= 55, `${faulted.length} of 200 faulted at 0.2`);
        const stats = (await ctl('stats')).json;
        const count = (status) => faulted.filter((x) => x === status).length;
        assert.deepEqual(stats.faulted, Object.fromEntries([500, 503].filter(count).map((x) => [String(x), count(x)])));
        assert.equal(stats.byStatus[String(s.ok)], 200 - faulted.length);
        assert.equal(stats.requests, 200);
        const log = (await ctl('requests')).json;
        assert.deepEqual(log.map((e) => e.fault ?? null), first, 'the log names the fault of each faulted call');

        // Setting it again, or a reset (which keeps it), starts the sequence over.
        await ctl('config', { faultRate: rate });
        assert.deepEqual(await outcome(30), first.slice(0, 30));
        await ctl('reset', {});
        assert.equal((await ctl('config')).json.faultRate.seed, 42, 'reset keeps faultRate (GET config)');
        assert.deepEqual(await outcome(30), first.slice(0, 30));

        // A fault queued with fail-next goes first and takes no draw.
        await ctl('fail-next', { status: 418, body: { queued: true } });
        assert.equal((await call()).status, 418);
        assert.deepEqual(await outcome(10), first.slice(30, 40));
      } finally {
        assert.equal((await ctl('config', { faultRate: false })).json.faultRate, false);
      }
      assert.deepEqual((await ctl('config', { faultRate: { ratio: 0 } })).json.faultRate, false, 'ratio 0 is off too');
      for (let k = 0; k < 20; k++) assert.equal((await call()).status, s.ok);
    });

    test('"timeout" (faultRate or fail-next): held for timeoutMs, then the connection drops; a client giving up first frees it', async () => {
      await ctl('config', { timeoutMs: 200, faultRate: { ratio: 1, statuses: ['timeout'], seed: 1 } });
      try {
        let started = Date.now();
        await assert.rejects(call(), 'no HTTP answer');
        assert.ok(Date.now() - started >= 190, `held ${Date.now() - started} ms`);
        await ctl('config', { faultRate: false });

        await ctl('fail-next', { status: 'timeout', path: s.call });
        assert.equal((await call(s.other)).status, s.otherOk);
        started = Date.now();
        await assert.rejects(call());
        assert.ok(Date.now() - started >= 190);
        assert.equal((await call()).status, s.ok, 'used up');

        await ctl('config', { timeoutMs: 60_000 });
        await ctl('fail-next', { status: 'timeout' });
        await assert.rejects(fetch(`${standIn.url}${s.call}`, { headers: s.headers ?? {}, signal: AbortSignal.timeout(100) }));
        let stats;
        for (let k = 0; k < 50; k++) {
          stats = (await ctl('stats')).json;
          if (stats.inFlight === 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(stats.inFlight, 0, 'the held call ended with the client');
        assert.deepEqual(stats.faulted, { timeout: 1 }, 'fail-next faults are not random ones');
        assert.equal(stats.byStatus.aborted, 3);
        const log = (await ctl('requests')).json;
        assert.deepEqual(log.filter((e) => e.fault).map((e) => [e.fault, e.status]), [['timeout', 'aborted'], ['timeout', 'aborted'], ['timeout', 'aborted']]);
      } finally {
        const config = (await ctl('config', { timeoutMs: 30000, faultRate: false })).json;
        assert.equal(config.timeoutMs, 30000);
      }
    });

    test('down: every call answers the service\'s 503 until down is false; counted; kept by reset; "reset" drops connections', async () => {
      await ctl('fail-next', { status: 500, body: { queued: true } });
      assert.equal((await ctl('config', { down: true })).json.down, true);
      try {
        for (const path of [s.call, s.other, '/no/such/path']) {
          const r = await call(path);
          assert.equal(r.status, 503, path);
          assert.ok(s.outage(r), r.text);
        }
        assert.equal((await ctl('stats')).status, 200, 'control calls still work');
        await ctl('reset', {});
        assert.equal((await call()).status, 503, 'reset keeps the outage');
        await ctl('fail-next', { status: 500, body: { queued: true } });
        assert.equal((await ctl('config', { down: 'reset' })).json.down, 'reset');
        await assert.rejects(call(), 'the connection is dropped');
        const stats = (await ctl('stats')).json;
        assert.equal(stats.down, 2);
        assert.equal(stats.requests, 2);
        assert.deepEqual(stats.byStatus, { 503: 1, aborted: 1 });
        assert.deepEqual((await ctl('requests')).json.map((e) => e.fault), ['down', 'down']);
      } finally {
        assert.equal((await ctl('config', { down: false })).json.down, false);
      }
      assert.equal((await call()).status, 500, 'a fault queued during the outage is still there');
      assert.equal((await call()).status, s.ok);
      assert.equal((await ctl('stats')).json.down, 2);
    });

    test('bad control requests: a status that is not one, a body that is not JSON, an unknown endpoint', async () => {
      const badStatus = await ctl('fail-next', { status: 'soon' });
      assert.equal(badStatus.status, 400);
      assert.deepEqual(badStatus.json, { error: 'status must be an HTTP status, "timeout" or "reset"' });
      const badJson = await ctl('fail-next', '{status: 500');
      assert.equal(badJson.status, 400);
      assert.match(badJson.json.error, /^invalid JSON: /);
      const unknown = await ctl('no-such-thing');
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.json, { error: 'unknown control endpoint GET /_control/no-such-thing' });
      assert.match(unknown.headers.get('content-type'), /^application\/json/);
      assert.equal(unknown.headers.get('cache-control'), 'no-store');
      assert.equal((await call()).status, s.ok, 'no fault was queued');
    });
  });
}

describe('createControl (util.mjs)', () => {
  let server;
  let base;
  let resets = 0;
  let control;
  before(async () => {
    control = createControl({
      config: { mode: 'a' },
      configure: (p, config) => { if (p.mode) config.mode = p.mode; },
      counters: ['refused'],
      reset: () => { resets += 1; },
      routes: {
        'POST echo': async ({ payload }) => [201, await payload()],
        'GET items/*': ({ rest, query }) => [200, { rest, q: query.get('q') }],
        'GET boom': () => { throw new Error('kaput'); },
      },
      faultFields: (p) => ({ tag: p.tag ?? null }),
      matchFault: (fault, req) => !fault.tag || fault.tag === req.headers['x-tag'],
      admit: (req, res) => {
        if (req.headers['x-refuse'] === undefined) return true;
        control.stats.refused += 1;
        res.writeHead(429).end();
        return false;
      },
      faultBody: (status) => ({ mine: status }),
      faultHeaders: () => ({ 'X-Fault': 'yes' }),
      gateway: { server: 'test-lb' },
      onError: (err, req, res) => { res.writeHead(599).end(err.message); },
    });
    server = http.createServer(control.handler((req, res) => {
      if (req.url === '/throw') throw new Error('inner');
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    }));
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  });
  after(() => closeServer(server));
  beforeEach(() => fetch(`${base}/_control/reset`, { method: 'POST' }));

  const post = (path, body, type = 'application/json') => fetchText(`${base}/_control/${path}`, { method: 'POST', body, headers: { 'Content-Type': type } });

  test('shared and own routes; `name/*` prefixes; JSON, form and curl -d bodies; errors', async () => {
    assert.deepEqual((await post('echo', '{"a":1}')).json, { a: 1 });
    assert.equal((await post('echo', '{"a":1}')).status, 201);
    assert.deepEqual((await post('echo', 'a=1&b=2', 'application/x-www-form-urlencoded')).json, { a: '1', b: '2' });
    assert.deepEqual((await post('echo', '{"a":1}', 'application/x-www-form-urlencoded')).json, { a: 1 }, 'curl -d sends JSON as a form');
    assert.deepEqual((await post('echo', 'null')).json, {});
    assert.deepEqual((await post('echo', '')).json, {});
    assert.equal((await post('echo', '[nope')).status, 400);
    assert.deepEqual((await fetchText(`${base}/_control/items/10.5555%2Fx/y?q=1`)).json, { rest: '10.5555%2Fx/y', q: '1' });
    assert.equal((await fetchText(`${base}/_control/items/`)).status, 404, 'a prefix route needs something after it');
    assert.deepEqual((await fetchText(`${base}/_control/boom`)).json, { error: 'kaput' });
    assert.equal((await fetchText(`${base}/_control/boom`)).status, 500);
    assert.equal((await fetchText(`${base}/_control/stats/`)).status, 200, 'a trailing slash is fine');
    assert.throws(() => createControl({ routes: { 'GET stats': () => [200, {}] } }), /belongs to the harness/);
  });

  test('config: faultRate, down, timeoutMs and timeoutApplies; a bad value is 400 and changes nothing', async () => {
    const bad = async (body, error) => {
      const r = await post('config', JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual(r.json, { error });
    };
    await bad({ faultRate: { ratio: 2 } }, 'faultRate.ratio must be a number from 0 to 1');
    await bad({ faultRate: { ratio: 0.5, statuses: [42] } }, 'faultRate.statuses must be a non-empty list of HTTP statuses, "timeout" or "reset"');
    await bad({ faultRate: { ratio: 0.5, statuses: [] } }, 'faultRate.statuses must be a non-empty list of HTTP statuses, "timeout" or "reset"');
    await bad({ faultRate: { ratio: 0.5, seed: 'x' } }, 'faultRate.seed must be an integer');
    await bad({ faultRate: { ratio: 0.5, appliedBeforeFailure: -1 } }, 'faultRate.appliedBeforeFailure must be a number from 0 to 1');
    await bad({ faultRate: [0.5] }, 'faultRate must be {"ratio", "statuses"?, "seed"?} or false');
    await bad({ latencyMs: 100, down: 'maybe' }, 'down must be true, false or "reset"');
    await bad({ timeoutMs: -1 }, 'timeoutMs must be a number of milliseconds');
    assert.equal(control.config.latencyMs, 0, 'nothing changed');
    assert.equal(control.config.down, false);

    const set = (await post('config', JSON.stringify({ faultRate: { ratio: 0.25, tag: 't9' }, timeoutMs: 5, timeoutApplies: 1 }))).json;
    assert.deepEqual(set.faultRate.statuses, [500, 502, 503, 504, 'timeout'], 'the default statuses');
    assert.ok(Number.isSafeInteger(set.faultRate.seed), 'a seed is picked, and shown, when none is given');
    assert.equal(set.faultRate.tag, 't9', 'faultFields apply to faultRate too');
    assert.equal(set.timeoutMs, 5);
    assert.equal(set.timeoutApplies, true);
    for (let k = 0; k < 20; k++) assert.equal((await fetchText(`${base}/x`)).status, 200, 'matchFault: no x-tag, no random fault');
    assert.deepEqual((await fetchText(`${base}/_control/stats`)).json.faulted, {});
    const off = (await post('config', JSON.stringify({ faultRate: null, timeoutMs: 30000, timeoutApplies: false }))).json;
    assert.equal(off.faultRate, false);

    const seq = seededRandom(42);
    assert.deepEqual([seq(), seq()], [0.6011037519201636, 0.44829055899754167], 'mulberry32');
  });

  test('config, counters, reset hook, faultFields and matchFault, faultBody/faultHeaders, gateway, admit, onError', async () => {
    assert.deepEqual((await post('config', '{"mode":"b","latencyMs":0}')).json, {
      latencyMs: 0, timeoutMs: 30000, timeoutApplies: false, faultRate: false, down: false, mode: 'b',
    });
    assert.equal(control.config.mode, 'b');

    await post('fail-next', JSON.stringify({ status: 418, tag: 't1' }));
    assert.equal((await fetchText(`${base}/x`)).status, 200, 'matchFault: no x-tag');
    const teapot = await fetchText(`${base}/x`, { headers: { 'x-tag': 't1' } });
    assert.equal(teapot.status, 418);
    assert.deepEqual(teapot.json, { mine: 418 });
    assert.equal(teapot.headers.get('x-fault'), 'yes');

    await post('fail-next', JSON.stringify({ status: 502 }));
    const gateway = await fetchText(`${base}/x`);
    assert.equal(gateway.text, gatewayPage(502, { server: 'test-lb' }));
    assert.match(gateway.text, /<center>test-lb<\/center>/);

    assert.equal((await fetchText(`${base}/x`, { headers: { 'x-refuse': '1' } })).status, 429);
    assert.equal((await fetchText(`${base}/throw`)).status, 599);
    const stats = (await fetchText(`${base}/_control/stats`)).json;
    assert.deepEqual(Object.keys(stats), ['requests', 'refused', 'maxConcurrent', 'perSecondPeak', 'byStatus', 'faulted', 'down', 'inFlight']);
    assert.equal(stats.refused, 1);
    assert.equal(stats.requests, 5);
    assert.deepEqual(stats.byStatus, { 200: 1, 418: 1, 429: 1, 502: 1, 599: 1 });

    const before = resets;
    await fetch(`${base}/_control/reset`, { method: 'POST' });
    assert.equal(resets, before + 1);
    assert.equal(control.stats.refused, 0);
    assert.equal(control.config.mode, 'b', 'reset keeps the config');
  });
});
