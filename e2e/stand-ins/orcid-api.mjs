// Test double of the ORCID Member API v3.0 `work` endpoints, the ones Profiles uses to push DataCite
// DOIs into ORCID records, and of its `notification-permission` endpoints, with which Profiles asks
// people (in their ORCID inbox) to grant it permission. Dependency-free (node:http only) so it runs
// anywhere Node 20 does.
//
// Behaviour follows the real ORCID Member API v3.0, and the wording of errors comes from ORCID-Source
// (`OrcidCoreExceptionMapper`, `api_en.properties`, `tutorial/api_errors.md`,
// `NotificationsApiServiceDelegatorImpl`, `NotificationManagerImpl`) so that clients see the bodies
// the real server sends.
//
// What it deliberately does not do: XML (volpino posts XML, the Rust client posts JSON; an XML request
// gets 415/406 here), visibility rules, record deprecation (301), and locked or deactivated records
// on the work endpoints (`POST /_control/record-state` applies to notifications only).
//
//   const orcid = await startOrcidApi({ port: 0 });
//   // POST `${orcid.url}/v3.0/0000-0002-1825-0097/work` with `Authorization: Bearer anything`
//   await orcid.close();
//
// ── Permission notifications (ORCID Member API v3.0, the "premium" notification API) ─────────
//  A member client gets a two-legged token (POST {ORCID}/oauth/token grant_type=client_credentials
//  scope=/premium-notification, oidc.mjs) and posts, for a person who has not granted it access:
//    POST /v3.0/{orcid}/notification-permission   Content-Type: application/(vnd.orcid+)json
//      {"notification-type": "permission",
//       "authorization-url": {"uri": "{ORCID}/oauth/authorize?client_id=…&response_type=code&scope=…&redirect_uri=…&state=…"}
//                            or {"path": "/oauth/authorize?…"} (resolved against the ORCID site), "host"? ,
//       "notification-subject"?: ≤ 1000 characters, "notification-intro"?: ≤ 1000 characters (plain text),
//       "items": {"item": [1 to 100 × {"item-type": "work"|…, "item-name": "…",
//                 "external-id": {"external-id-type": "doi", "external-id-value": "10.…", "external-id-url"?, "external-id-relationship"?}}]}}
//    → 201, empty body, Location: http://{host}/v3.0/{orcid}/notification-permission/{put-code}
//    GET    /v3.0/{orcid}/notification-permission/{put-code} → 200 the notification as posted, plus
//           "put-code", "created-date", "sent-date", "read-date", "actioned-date", "archived-date"
//           ({"value": epoch ms} or null) and "source"
//    DELETE /v3.0/{orcid}/notification-permission/{put-code} → 200 the same, archived (ORCID:
//           "flag as archived"); again while unread → 200 unchanged
//  Every call needs a token with /premium-notification (with `tokenInfo`; without it any token
//  does), shares the rate-limit bucket of the work calls and is subject to the same faults.
//  Errors (v3 error JSON as for works):
//    401 no token / revoked or unknown token (as works); 403 9004 a token without
//    /premium-notification ("Insufficient or wrong scope"); 404 9011 an invalid iD; 415 not JSON;
//    400 9001 unreadable JSON; 400 9006 an invalid notification (the developer-message says what:
//    notification-type, authorization-url, subject or intro length, items); 409 9044 a deactivated
//    record, 409 9018 a locked one (any notification call); 409 9032 a record whose owner does not
//    accept notifications from member organisations (POST: OrcidNotificationException, ORCID's
//    answer; the developer-message says "notifications"); GET/DELETE: 404 9029 an unknown put-code
//    (or one on another iD), 403 9004 "This notification does not belong to {client}" reading
//    another client's, 403 9010 archiving another client's, 403 9009 archiving one the person has
//    already read (ORCID lets a member archive only unread notifications).
//  The person's side is ours: an HTML inbox at GET /inbox/{orcid} (see `inboxPage`) and controls.
//
// Everything under /_control/ is ours, not ORCID's: the shared test controls (faults, latency,
// counters, request log, reset: util.mjs `createControl`, README.md "Test controls") and this
// double's own, for revoking tokens, seeding works, reading records, the inbox and record states;
// see `controlRoutes`.

import http from 'node:http';
import {
  createControl, gatewayPage, listen, closeServer, reachableHost, readBody, sendText, esc, page,
} from './util.mjs';

/** Default client the double treats as "the caller" when no tokenInfo names one (ORCID client ids are `APP-` + 16). */
export const DEFAULT_CLIENT_ID = 'APP-PROFILESTEST0001';
export const DEFAULT_CLIENT_NAME = 'DataCite Profiles (test)';

/**
 * ORCID v3.0 work types (from orcid-model `WorkType.java`), plus the types ORCID added later
 * (orcid_client emits `conference-presentation`). Kept as data, so the list is easy to update;
 * unknown values are rejected with 400 like the real server.
 */
export const WORK_TYPES = Object.freeze([
  'annotation', 'artistic-performance', 'book-chapter', 'book-review', 'book',
  'conference-abstract', 'conference-paper', 'conference-poster',
  'data-management-plan', 'data-set', 'dictionary-entry', 'disclosure', 'dissertation-thesis',
  'edited-book', 'encyclopedia-entry', 'invention', 'journal-article', 'journal-issue', 'lecture-speech', 'license',
  'magazine-article', 'manual', 'newsletter-article', 'newspaper-article', 'online-resource', 'other', 'patent',
  'physical-object', 'preprint', 'registered-copyright', 'review', 'report', 'research-technique', 'research-tool',
  'software', 'spin-off-company', 'standards-and-policy', 'supervised-student-publication',
  'technical-standard', 'test', 'trademark', 'translation', 'website', 'working-paper', 'undefined',
  // Added by ORCID after the v3.0 release.
  'conference-presentation', 'conference-output', 'conference-proceedings', 'blog-post', 'cartographic-material',
  'design', 'image', 'learning-object', 'moving-image', 'musical-composition', 'public-speech', 'sound',
  'transcription',
]);

/**
 * Item types of a v3.0 permission notification (orcid-model `ItemType`): the kinds of record item a
 * member may offer to add.
 */
export const NOTIFICATION_ITEM_TYPES = Object.freeze([
  'work', 'funding', 'education', 'employment', 'peer-review', 'distinction', 'invited-position',
  'membership', 'qualification', 'service', 'research-resource',
]);

/** Where a notification's `authorization-url` path is resolved when the double was not told the ORCID site. */
export const DEFAULT_ORCID_SITE = 'http://127.0.0.1:9401';

const RELATIONSHIPS = new Set(['self', 'part-of', 'version-of', 'funded-by']);
const WRITE_SCOPE = '/activities/update';
const NOTIFICATION_SCOPE = '/premium-notification';
const NOTIFICATION_KIND = 'notification-permission';
const MORE_INFO = 'https://members.orcid.org/api/resources/troubleshooting';
const FIRST_PUT_CODE = 1_000_001;
const MAX_BULK_WRITE = 100; // ORCID's bulk create takes up to 100 works, 413 beyond
const MAX_BULK_READ = 50; // ORCID reads up to 50 works in one call
const MAX_TITLE = 1000; // the DB column; ORCID answers 500 on schema or length violations
const MAX_DESCRIPTION = 5000;
const MAX_WORKS_PER_RECORD = 10_000;
const MAX_BODY = 10 * 1024 * 1024;
// Notification limits. ORCID's schema leaves them open and its database stores the subject in a
// 1000-character column; the double holds subject and intro to 1000 and items to 100 (as a bulk
// work write), so a client that stays within these is safe on the real server.
const FIRST_NOTIFICATION_PUT_CODE = 7_000_001;
const MAX_NOTIFICATION_SUBJECT = 1000;
const MAX_NOTIFICATION_INTRO = 1000;
const MAX_NOTIFICATION_ITEMS = 100;

const REASONS = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

// ---------------------------------------------------------------------------------------------------
// ORCID iDs

/** True when `id` is a well-formed ORCID iD with a correct ISO 7064 11,2 check character. */
export function isValidOrcid(id) {
  if (typeof id !== 'string' || !/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(id)) return false;
  const digits = id.replaceAll('-', '');
  let total = 0;
  for (const ch of digits.slice(0, 15)) total = (total + Number(ch)) * 2;
  const result = (12 - (total % 11)) % 11;
  return digits[15] === (result === 10 ? 'X' : String(result));
}

// Profiles upper-cases the check character; accept either and key on upper case.
const normOrcid = (id) => String(id ?? '').trim().replace(/^https?:\/\/(sandbox\.)?orcid\.org\//i, '').toUpperCase();

// ---------------------------------------------------------------------------------------------------
// ORCID error bodies. The developer message is "<status> <reason>: <message>", as ORCID builds it.

function orcidError(status, errorCode, developerMessage, userMessage) {
  return {
    'response-code': status,
    'developer-message': `${status} ${REASONS[status] ?? 'Error'}: ${developerMessage}`,
    'user-message': userMessage,
    'error-code': errorCode,
    'more-info': MORE_INFO,
  };
}

const errors = {
  notFound: (putCode) => orcidError(404, 9016,
    `The resource was not found. Full validation error: No entity found with id: ${putCode}`,
    'The resource was not found.'),
  orcidNotFound: (orcid) => orcidError(404, 9011, `ORCID ${orcid} not found.`, 'The resource was not found.'),
  // Newer ORCID servers name the existing put-code, so clients can recover it from the text.
  duplicate: (putCode, clientName) => orcidError(409, 9021,
    putCode == null
      ? 'You have already added this activity (matched by external identifiers.) If you are trying to edit the item, please use PUT instead of POST.'
      : `You have already added this activity (matched by external identifiers), please see element with put-code ${putCode}. If you are trying to edit the item, please use PUT instead of POST.`,
    `There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance.`),
  putCodeOnPost: (clientName) => orcidError(400, 9024,
    'Put-code is included when not expected. When posting new activities, the put code should be omitted.',
    `There was an error when adding the activity. Please try again. If the error persists, please contact ${clientName} for assistance.`),
  putCodeMismatch: (urlPutCode, bodyPutCode) => orcidError(400, 9019,
    `The put code in the URL was ${urlPutCode} whereas the one in the body was ${bodyPutCode ?? 'null'}.`,
    'The put code in the URL did not match that in the body of the message.'),
  titleRequired: () => orcidError(400, 9022, 'Invalid activity: A title is required.', 'Invalid activity:  A title is required.'),
  externalIdRequired: (detail) => orcidError(400, 9023,
    `Invalid activity: an external identifier is required. Full validation error: ${detail}`,
    'Invalid activity: an external identifier is required.'),
  invalidType: (type) => orcidError(400, 9037,
    `Invalid work type, valid values are: ${WORK_TYPES.join(', ')}. Full validation error: ${JSON.stringify(type)} is not a valid work type`,
    'Please specify a work type.'),
  badRequest: (detail) => orcidError(400, 9006,
    `The client application sent a bad request to ORCID. Full validation error: ${detail}`,
    'The client application sent a bad request to ORCID.'),
  unreadable: (detail) => orcidError(400, 9001,
    `There is an issue with your data or the API endpoint. Full validation error: ${detail}`,
    'ORCID could not process the data, because they were invalid.'),
  notSource: () => orcidError(403, 9010,
    'You are not the source of the work, so you are not allowed to update it.',
    'The client application is not the source of the resource it is trying to access.'),
  scope: (scopes) => orcidError(403, 9004,
    `The client application is forbidden to perform the action. Full validation error: Insufficient or wrong scope [${scopes.join(', ')}]`,
    'The client application is forbidden to perform the action.'),
  // A valid user token used on another iD. One might expect invalid_token for a token that does not
  // match the iD, but ORCID-Source's security manager throws OrcidUnauthorizedException("Access token
  // is for a different record") for it, which the exception mapper turns into this 401 with error-code
  // 9017. Both are 401.
  otherRecord: () => orcidError(401, 9017,
    'The client application is not authorized for this ORCID record. Full validation error: Access token is for a different record',
    'The client application is not authorized.'),
  tooManyWorks: () => orcidError(409, 9048,
    `This version of the API does not allow adding more than ${MAX_WORKS_PER_RECORD} elements to a record.`,
    'The record has reached its limit of items.'),
  bulkTooLarge: () => orcidError(413, 9006,
    `The client application sent a bad request to ORCID. Full validation error: You are allowed to add up to ${MAX_BULK_WRITE} elements per request.`,
    'The client application sent a bad request to ORCID.'),
  tooManyPutCodes: () => orcidError(400, 9042,
    `The client application sent a bad request to ORCID. Full validation error: The maximum number of put codes is ${MAX_BULK_READ}.`,
    'The client application sent a bad request to ORCID.'),
  unsupportedMediaType: (type) => orcidError(415, 9001,
    `data must be in JSON format (this test double does not speak XML); got Content-Type ${JSON.stringify(type ?? null)}.`,
    'ORCID could not process the data, because they were invalid.'),
  notAcceptable: (accept) => orcidError(406, 9001,
    `The resource identified by this request is only capable of generating responses with characteristics not acceptable according to the request "accept" headers (${accept}); this test double only produces JSON.`,
    'ORCID could not process the data, because they were invalid.'),
  serverError: (detail) => orcidError(500, 9008,
    `Something went wrong in ORCID.${detail ? ` Full validation error: ${detail}` : ''}`,
    'Something went wrong in ORCID.'),
  // --- notifications (ORCID-Source NotificationsApiServiceDelegatorImpl and NotificationManagerImpl)
  invalidNotification: (detail) => orcidError(400, 9006,
    `The client application sent a bad request to ORCID. Full validation error: ${detail}`,
    'The client application sent a bad request to ORCID.'),
  notificationNotFound: (orcid, putCode) => orcidError(404, 9029,
    `Could not find notification with id: ${putCode} for ORCID: ${orcid}`,
    'The resource was not found.'),
  // AccessControlException, a SecurityException: 9004.
  notificationNotYours: (clientId) => orcidError(403, 9004,
    `The client application is forbidden to perform the action. Full validation error: This notification does not belong to ${clientId}`,
    'The client application is forbidden to perform the action.'),
  notificationNotSource: () => orcidError(403, 9010,
    'You are not the source of the notification, so you are not allowed to update it.',
    'The client application is not the source of the resource it is trying to access.'),
  notificationAlreadyRead: () => orcidError(403, 9009,
    'The notification has already been read.',
    'The client application tried to archive a message that has already been read.'),
  // OrcidNotificationException: the record's owner turned off "notifications from member
  // organisations" (sendMemberUpdateRequests). The user-message is ORCID's, grammar and all.
  notificationsDisabled: (orcid) => orcidError(409, 9032,
    `The record owner does not accept notifications from member organisations. Full validation error: ORCID ${orcid} does not allow notifications`,
    `The user ${orcid} don't allow notifications`),
  deactivated: (orcid) => orcidError(409, 9044,
    `The ORCID record is deactivated. Full validation error: ${orcid} is deactivated`,
    'The ORCID record is deactivated.'),
  locked: (orcid) => orcidError(409, 9018,
    `The ORCID record is locked. Full validation error: ${orcid} is locked`,
    'The ORCID record is locked.'),
  generic: (status) => orcidError(status, status >= 500 ? 9008 : 9006,
    status >= 500 ? 'Something went wrong in ORCID.' : 'The client application sent a bad request to ORCID.',
    status >= 500 ? 'Something went wrong in ORCID.' : 'The client application sent a bad request to ORCID.'),
};

// The OAuth-style body ORCID sends for a revoked, unknown or wrong-environment token (ORCID-Source `tutorial/api_errors.md`).
const invalidToken = (token) => ({ error: 'invalid_token', error_description: `Invalid access token: ${token}` });
// Spring Security's answer when no bearer token is sent at all.
const missingToken = () => ({ error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });

// nginx in front of ORCID rejects over-limit requests itself, with its stock page; it
// answers 502/503/504 faults the same way.
const GATEWAY = { reasons: REASONS, server: 'nginx' };

// ---------------------------------------------------------------------------------------------------
// Works

// External ids are compared the way ORCID normalises them: DOIs case-insensitively and without resolver.
function normalizeExternalIdValue(type, value) {
  let v = String(value ?? '').trim();
  if (String(type).toLowerCase() === 'doi') {
    v = v.replace(/^(https?:\/\/)?(dx\.)?doi\.org\//i, '').replace(/^doi:/i, '');
  }
  return v.toLowerCase();
}

const externalIds = (work) => work?.['external-ids']?.['external-id'] ?? [];

/** Keys identifying a work for duplicate detection: its `self` external ids (ORCID reports duplicates as "matched by external identifiers"). */
function selfKeys(work) {
  return externalIds(work)
    .filter((id) => (id?.['external-id-relationship'] ?? 'self') === 'self')
    .map((id) => `${String(id['external-id-type']).toLowerCase()}:${normalizeExternalIdValue(id['external-id-type'], id['external-id-value'])}`);
}

/** The work's `self` DOIs, normalised (bare, lower case): what `GET /_control/duplicates` compares. */
const selfDois = (work) => [...new Set(selfKeys(work).filter((k) => k.startsWith('doi:')).map((k) => k.slice('doi:'.length)))];

function renderExternalIds(ids) {
  return {
    'external-id': (ids?.['external-id'] ?? []).map((id) => ({
      'external-id-type': id['external-id-type'],
      'external-id-value': id['external-id-value'],
      // ORCID's reads add the normalised form.
      'external-id-normalized': {
        value: normalizeExternalIdValue(id['external-id-type'], id['external-id-value']),
        transient: true,
      },
      'external-id-normalized-error': null,
      'external-id-url': id['external-id-url'] ?? null,
      'external-id-relationship': id['external-id-relationship'] ?? null,
    })),
  };
}

function renderSource(source) {
  const isUser = Boolean(source.orcid);
  return {
    'source-orcid': isUser ? { uri: `https://orcid.org/${source.orcid}`, path: source.orcid, host: 'orcid.org' } : null,
    'source-client-id': isUser ? null : { uri: `https://orcid.org/client/${source.clientId}`, path: source.clientId, host: 'orcid.org' },
    'source-name': { value: source.name },
    'assertion-origin-orcid': null,
    'assertion-origin-client-id': null,
    'assertion-origin-name': null,
  };
}

const sameSource = (a, b) => (a.orcid || null) === (b.orcid || null) && (a.clientId || null) === (b.clientId || null);

/** The full work as `GET /v3.0/{orcid}/work/{put-code}` returns it (the posted fields plus server-managed ones). */
function renderWork(orcid, entry) {
  const w = entry.work;
  return {
    'created-date': { value: entry.created },
    'last-modified-date': { value: entry.modified },
    source: renderSource(entry.source),
    'put-code': entry.putCode,
    path: `/${orcid}/work/${entry.putCode}`,
    title: w.title ?? null,
    'journal-title': w['journal-title'] ?? null,
    'short-description': w['short-description'] ?? null,
    citation: w.citation ?? null,
    type: w.type ?? null,
    'publication-date': w['publication-date'] ?? null,
    'external-ids': renderExternalIds(w['external-ids']),
    url: w.url ?? null,
    contributors: w.contributors ?? { contributor: [] },
    'language-code': w['language-code'] ?? null,
    country: w.country ?? null,
    visibility: w.visibility ?? 'public',
  };
}

/** One `work-summary` of `GET /works`. */
function renderSummary(orcid, entry) {
  const w = entry.work;
  return {
    'put-code': entry.putCode,
    'created-date': { value: entry.created },
    'last-modified-date': { value: entry.modified },
    source: renderSource(entry.source),
    title: w.title ? { title: w.title.title ?? null, subtitle: w.title.subtitle ?? null, 'translated-title': w.title['translated-title'] ?? null } : null,
    'external-ids': renderExternalIds(w['external-ids']),
    url: w.url ?? null,
    type: w.type ?? null,
    'publication-date': w['publication-date'] ?? null,
    'journal-title': w['journal-title'] ?? null,
    visibility: w.visibility ?? 'public',
    path: `/${orcid}/work/${entry.putCode}`,
    'display-index': String(entry.displayIndex ?? 0),
  };
}

/**
 * `GET /works`: works sharing a `self` external id form one group, e.g. the same DOI added by
 * Profiles and by the user. Groups and summaries are in put-code order; ORCID's own order is not
 * documented, so clients must not depend on it.
 */
function renderWorks(orcid, record) {
  const entries = [...record.values()].sort((a, b) => a.putCode - b.putCode);
  const groups = [];
  const groupByKey = new Map();
  for (const entry of entries) {
    const keys = selfKeys(entry.work);
    const found = [...new Set(keys.map((k) => groupByKey.get(k)).filter(Boolean))];
    let group;
    if (found.length === 0) {
      group = { entries: [], keys: new Set() };
      groups.push(group);
    } else {
      // A work can bridge two groups (it shares an id with each); merge them as ORCID does.
      group = found[0];
      for (const other of found.slice(1)) {
        group.entries.push(...other.entries);
        for (const k of other.keys) group.keys.add(k);
        groups.splice(groups.indexOf(other), 1);
      }
    }
    group.entries.push(entry);
    for (const k of keys) group.keys.add(k);
    for (const k of group.keys) groupByKey.set(k, group);
  }
  const lastModified = (list) => (list.length ? { value: Math.max(...list.map((e) => e.modified)) } : null);
  return {
    'last-modified-date': lastModified(entries),
    group: groups.map((g) => {
      g.entries.sort((a, b) => a.putCode - b.putCode);
      // The group's ids are the distinct self ids of its works, each rendered once.
      const seen = new Set();
      const ids = [];
      for (const e of g.entries) {
        for (const id of externalIds(e.work)) {
          if ((id?.['external-id-relationship'] ?? 'self') !== 'self') continue;
          const key = `${String(id['external-id-type']).toLowerCase()}:${normalizeExternalIdValue(id['external-id-type'], id['external-id-value'])}`;
          if (!seen.has(key)) { seen.add(key); ids.push(id); }
        }
      }
      return {
        'last-modified-date': lastModified(g.entries),
        'external-ids': renderExternalIds({ 'external-id': ids }),
        'work-summary': g.entries.map((e) => renderSummary(orcid, e)),
      };
    }),
    path: `/${orcid}/works`,
  };
}

/** The checks ORCID applies to an incoming work. Returns an ORCID error body or null. */
function validateWork(work) {
  if (!work || typeof work !== 'object' || Array.isArray(work)) return errors.unreadable('the body is not a work object');
  const title = work.title?.title?.value;
  if (typeof title !== 'string' || title.trim() === '') return errors.titleRequired();
  if (work.type == null || !WORK_TYPES.includes(work.type)) return errors.invalidType(work.type);
  const ids = work['external-ids']?.['external-id'];
  if (!Array.isArray(ids) || ids.length === 0) return errors.externalIdRequired('the work has no external-ids');
  for (const id of ids) {
    if (!id?.['external-id-type'] || !id?.['external-id-value']) {
      return errors.badRequest('external-id-type and external-id-value are required on every external-id');
    }
    const rel = id['external-id-relationship'];
    if (rel == null || !RELATIONSHIPS.has(rel)) {
      return errors.badRequest(`Value '${rel}' is not facet-valid with respect to enumeration '[${[...RELATIONSHIPS].join(', ')}]'. It must be a value from the enumeration.`);
    }
  }
  // ORCID v3.0 requires at least one self id when posting.
  if (!ids.some((id) => id['external-id-relationship'] === 'self')) {
    return errors.externalIdRequired('at least one external identifier with relationship self is required');
  }
  const description = work['short-description'];
  if (typeof description === 'string' && description.length > MAX_DESCRIPTION) {
    return errors.badRequest(`short-description is longer than ${MAX_DESCRIPTION} characters`);
  }
  // ORCID answers 500 on schema or length violations: an over-long title fails in the database, not in validation.
  if (title.length > MAX_TITLE) return errors.serverError('org.hibernate.exception.DataException: could not execute statement');
  return null;
}

/** Strip the server-managed fields so a stored work holds only what the client may write. */
function writableWork(body) {
  const { 'put-code': _p, path: _path, source: _s, 'created-date': _c, 'last-modified-date': _m, ...rest } = body;
  return structuredClone(rest);
}

// ---------------------------------------------------------------------------------------------------
// Permission notifications

const AUTHORIZE_PATH = /^\/oauth\/authorize(?:[?#]|$)/;

/**
 * Check a notification's `authorization-url` and resolve it to the URL the person's "Grant
 * permission" leads to. `{uri}` must be an absolute http(s) URL of `/oauth/authorize` on the ORCID
 * site (any host when `site` is unknown); `{path}` (with an optional `host`, the site's host) must be
 * `/oauth/authorize…` and is resolved against the site. Returns `{ url }` or `{ error }`.
 */
function authorizationTarget(authUrl, site) {
  if (!authUrl || typeof authUrl !== 'object' || Array.isArray(authUrl)) {
    return { error: 'authorization-url is required: {"uri": "https://orcid.org/oauth/authorize?…"} or {"path": "/oauth/authorize?…"}' };
  }
  const { uri, path, host } = authUrl;
  const siteUrl = site ? new URL(site) : null;
  if (uri != null && uri !== '') {
    let url;
    try {
      url = new URL(String(uri));
    } catch {
      return { error: `Bad authorization uri: ${JSON.stringify(uri)} is not an absolute URL` };
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/oauth/authorize') {
      return { error: `Bad authorization uri: ${url.href} is not an ORCID /oauth/authorize URL` };
    }
    if (siteUrl && url.origin !== siteUrl.origin) {
      return { error: `Bad authorization uri: ${url.href} is not on the ORCID site ${siteUrl.origin}` };
    }
    return { url: url.href };
  }
  if (path != null && path !== '') {
    if (typeof path !== 'string' || !AUTHORIZE_PATH.test(path)) {
      return { error: `Bad authorization path: ${JSON.stringify(path)} must start with /oauth/authorize` };
    }
    if (host != null && host !== '') {
      if (siteUrl && host !== siteUrl.host && host !== siteUrl.hostname) {
        return { error: `Bad authorization host: ${JSON.stringify(host)} is not the ORCID site's (${siteUrl.host})` };
      }
    }
    return { url: new URL(path, siteUrl ?? DEFAULT_ORCID_SITE).href };
  }
  return { error: 'authorization-url needs a "uri" or a "path"' };
}

/** The checks the double applies to a posted notification-permission. Returns an ORCID error body or null. */
function validateNotification(body, site) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return errors.unreadable('the body is not a notification-permission object');
  const bad = (detail) => errors.invalidNotification(detail);
  if (body['notification-type'] !== 'permission') {
    return bad(`notification-type must be "permission" on /notification-permission, not ${JSON.stringify(body['notification-type'] ?? null)}`);
  }
  const target = authorizationTarget(body['authorization-url'], site);
  if (target.error) return bad(target.error);
  for (const [field, max] of [['notification-subject', MAX_NOTIFICATION_SUBJECT], ['notification-intro', MAX_NOTIFICATION_INTRO]]) {
    const value = body[field];
    if (value == null) continue;
    if (typeof value !== 'string') return bad(`${field} must be a string`);
    if (value.length > max) return bad(`${field} is ${value.length} characters long; at most ${max} are allowed`);
  }
  const items = body.items?.item;
  if (!Array.isArray(items) || items.length === 0) return bad('items.item must list at least one item');
  if (items.length > MAX_NOTIFICATION_ITEMS) return bad(`items.item lists ${items.length} items; at most ${MAX_NOTIFICATION_ITEMS} are allowed`);
  for (const [i, item] of items.entries()) {
    const at = `items.item[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) return bad(`${at} is not an item object`);
    if (!NOTIFICATION_ITEM_TYPES.includes(item['item-type'])) {
      return bad(`${at}: item-type ${JSON.stringify(item['item-type'] ?? null)} is not one of ${NOTIFICATION_ITEM_TYPES.join(', ')}`);
    }
    if (typeof item['item-name'] !== 'string' || item['item-name'].trim() === '') return bad(`${at}: item-name is required`);
    const id = item['external-id'];
    if (!id || typeof id !== 'object') return bad(`${at}: external-id is required`);
    for (const key of ['external-id-type', 'external-id-value']) {
      if (typeof id[key] !== 'string' || id[key].trim() === '') return bad(`${at}: external-id.${key} is required`);
    }
    const rel = id['external-id-relationship'];
    if (rel != null && !RELATIONSHIPS.has(rel)) return bad(`${at}: external-id-relationship ${JSON.stringify(rel)} is not one of ${[...RELATIONSHIPS].join(', ')}`);
  }
  return null;
}

/** The fields of a posted notification the client may write; server-managed ones are dropped. */
function writableNotification(body) {
  const {
    'put-code': _p, source: _s, 'created-date': _c, 'sent-date': _sd, 'read-date': _r, 'actioned-date': _a,
    'archived-date': _ar, 'last-modified-date': _m, ...rest
  } = body;
  return structuredClone(rest);
}

const dateValue = (ms) => (ms == null ? null : { value: ms });

/** A notification as `GET /v3.0/{orcid}/notification-permission/{put-code}` returns it. */
function renderNotification(entry) {
  return {
    ...structuredClone(entry.notification),
    'put-code': entry.putCode,
    'created-date': dateValue(entry.created),
    'sent-date': dateValue(entry.sent),
    'read-date': dateValue(entry.read),
    'actioned-date': dateValue(entry.actioned),
    'archived-date': dateValue(entry.archived),
    source: renderSource(entry.source),
  };
}

/** Newest first (then the higher put-code), as the inbox lists them. */
const newestFirst = (a, b) => b.created - a.created || b.putCode - a.putCode;

/** The item's identifier as a link target: https://doi.org/… for a DOI, else its http(s) external-id-url. */
function itemLink(id) {
  const type = String(id?.['external-id-type'] ?? '').toLowerCase();
  const value = String(id?.['external-id-value'] ?? '');
  if (type === 'doi') {
    const doi = value.trim().replace(/^(https?:\/\/)?(dx\.)?doi\.org\//i, '').replace(/^doi:/i, '');
    return { text: doi, href: `https://doi.org/${doi.split('/').map(encodeURIComponent).join('/')}` };
  }
  const url = id?.['external-id-url']?.value;
  return { text: value, href: /^https?:\/\//i.test(url ?? '') ? url : null };
}

const when = (ms) => `<time datetime="${esc(new Date(ms).toISOString())}">${esc(new Date(ms).toISOString().replace('T', ' ').slice(0, 16))} UTC</time>`;

/**
 * The person's ORCID inbox (a stand-in for orcid.org/inbox): one <article> per notification that
 * is not archived, newest first, with sender, subject, intro, items, sent date, a "Grant
 * permission" link and an "Archive" button.
 */
function inboxPage(orcid, entries) {
  const shown = entries.filter((e) => e.archived == null).sort(newestFirst);
  const archived = entries.length - shown.length;
  const base = `/inbox/${encodeURIComponent(orcid)}`;
  const articles = shown.map((e) => {
    const n = e.notification;
    const id = `notification-${e.putCode}`;
    const subject = n['notification-subject'] || `${e.source.name} asks for permission to update your ORCID record`;
    const items = (n.items?.item ?? []).map((item) => {
      const link = itemLink(item['external-id']);
      const ident = link.href ? `<a href="${esc(link.href)}">${esc(link.text)}</a>` : esc(link.text);
      return `<li>${esc(item['item-name'])} (${esc(item['item-type'])}, ${esc(item['external-id']?.['external-id-type'])} ${ident})</li>`;
    }).join('\n');
    return [
      `<article aria-labelledby="${id}" data-put-code="${e.putCode}">`,
      `<h2 id="${id}">${esc(subject)}</h2>`,
      `<p>From <strong>${esc(e.source.name)}</strong> · sent ${when(e.sent)}</p>`,
      n['notification-intro'] ? `<p style="white-space: pre-line">${esc(n['notification-intro'])}</p>` : '',
      `<ul>\n${items}\n</ul>`,
      e.actioned != null ? `<p>You followed its link on ${when(e.actioned)}.</p>` : '',
      // Described by the subject, so each article's link and button can be told apart.
      `<p><a href="${base}/${e.putCode}/grant" aria-describedby="${id}">Grant permission</a></p>`,
      `<form method="post" action="${base}/${e.putCode}/archive"><button type="submit" aria-describedby="${id}">Archive</button></form>`,
      '</article>',
    ].filter(Boolean).join('\n');
  }).join('\n');
  return page({
    title: `ORCID inbox of ${orcid}`,
    provider: 'ORCID',
    body: [
      shown.length ? articles : '<p>There are no notifications in this inbox.</p>',
      archived ? `<p>${archived} archived notification${archived === 1 ? '' : 's'} not shown.</p>` : '',
    ].filter(Boolean).join('\n'),
  });
}

// ---------------------------------------------------------------------------------------------------
// Server

function acceptsJson(accept) {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0].trim().toLowerCase();
    return type === '*/*' || type === 'application/*' || type.endsWith('json');
  });
}

function isJsonContentType(contentType) {
  const type = String(contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type === 'application/vnd.orcid+json' || type === 'application/orcid+json';
}

/**
 * Start the double.
 *
 * @param {object} [options]
 * @param {number} [options.port=0] 0 picks a free port.
 * @param {string} [options.host='127.0.0.1']
 * @param {Function|object} [options.tokenInfo] `async (token) => ({active, orcid, scope, client_id?, client_name?})`,
 *   or a plain object mapping token → that info. Without it any non-empty bearer token is accepted.
 * @param {number} [options.latencyMs=0] delay before answering each API call (not /_control/).
 * @param {{perSecond:number, burst:number}|false} [options.rateLimit] token bucket per client IP; false disables.
 * @param {string} [options.clientId] source client id for calls whose token info names none.
 * @param {string} [options.clientName]
 * @param {string} [options.orcidUrl] the ORCID site (the oidc.mjs 'orcid' stand-in's issuer): a
 *   notification's `authorization-url` must point at its /oauth/authorize, and a `path` is resolved
 *   against it. Unknown: any host is accepted and paths resolve against DEFAULT_ORCID_SITE.
 */
export async function startOrcidApi({
  port = 0,
  host = '127.0.0.1',
  tokenInfo,
  latencyMs = 0,
  rateLimit = { perSecond: 24, burst: 40 },
  clientId = DEFAULT_CLIENT_ID,
  clientName = DEFAULT_CLIENT_NAME,
  orcidUrl,
} = {}) {
  const site = orcidUrl ? new URL(orcidUrl).origin : null;
  // A partial limit ({perSecond} only) keeps ORCID's other default rather than disabling the bucket.
  const normalizeLimit = (limit) => (limit ? { perSecond: limit.perSecond ?? 24, burst: limit.burst ?? 40 } : false);
  const lookupToken = typeof tokenInfo === 'function'
    ? tokenInfo
    : tokenInfo && typeof tokenInfo === 'object' ? async (t) => tokenInfo[t] ?? null : null;

  const state = {
    config: { latencyMs, rateLimit: normalizeLimit(rateLimit) },
    /** orcid → Map(putCode → { putCode, work, source, created, modified, displayIndex }) */
    records: new Map(),
    nextPutCode: FIRST_PUT_CODE,
    /** token → Set of iDs it has been used with (or that tokenInfo said it belongs to) */
    tokensSeen: new Map(),
    revokedTokens: new Set(),
    buckets: new Map(),
    /** orcid → Map(putCode → { putCode, notification, source, created, sent, read, actioned, archived }) */
    notifications: new Map(),
    nextNotificationPutCode: FIRST_NOTIFICATION_PUT_CODE,
    /** orcid → { deactivated, locked, notificationsDisabled } (POST /_control/record-state) */
    recordStates: new Map(),
  };

  const inboxOf = (orcid) => {
    if (!state.notifications.has(orcid)) state.notifications.set(orcid, new Map());
    return state.notifications.get(orcid);
  };
  const recordState = (orcid) => state.recordStates.get(orcid) ?? { deactivated: false, locked: false, notificationsDisabled: false };

  // What the person does in their inbox; each date is set once. Following "Grant permission" also
  // reads it (ORCID's setActionedAndReadDate).
  const MARKS = {
    read: (e, now) => { e.read ??= now; },
    action: (e, now) => { e.actioned ??= now; e.read ??= now; },
    archive: (e, now) => { e.archived ??= now; },
  };

  const recordOf = (orcid) => {
    if (!state.records.has(orcid)) state.records.set(orcid, new Map());
    return state.records.get(orcid);
  };

  function insertWork(orcid, work, source, putCode) {
    const code = putCode ?? state.nextPutCode++;
    if (code >= state.nextPutCode) state.nextPutCode = code + 1;
    const now = Date.now();
    const entry = { putCode: code, work: writableWork(work), source, created: now, modified: now, displayIndex: 0 };
    recordOf(orcid).set(code, entry);
    noteDuplicate(orcid, entry);
    return entry;
  }

  /**
   * Count (stats `duplicates`) a work that now shares a self DOI with another work of its source on
   * the record. The API refuses those with 409 9021, as ORCID does, so only `seed-work` makes them;
   * a client that sees one has found a way round the check.
   */
  function noteDuplicate(orcid, entry) {
    const dois = new Set(selfDois(entry.work));
    if (dois.size === 0) return;
    for (const other of recordOf(orcid).values()) {
      if (other !== entry && sameSource(other.source, entry.source) && selfDois(other.work).some((d) => dois.has(d))) {
        control.stats.duplicates += 1;
        return;
      }
    }
  }

  /**
   * Every (orcid, DOI) held by more than one work, in iD and DOI order: by default only those where
   * one source holds two or more (what ORCID would have refused), with `anySource` also a DOI added
   * by the client and by the researcher (which ORCID allows and groups).
   */
  function listDuplicates({ anySource = false, orcid } = {}) {
    const duplicates = [];
    const records = [...state.records].filter(([id]) => !orcid || id === orcid).sort(([a], [b]) => a.localeCompare(b));
    for (const [id, record] of records) {
      const byDoi = new Map();
      for (const entry of [...record.values()].sort((a, b) => a.putCode - b.putCode)) {
        for (const doi of selfDois(entry.work)) {
          if (!byDoi.has(doi)) byDoi.set(doi, []);
          byDoi.get(doi).push(entry);
        }
      }
      for (const [doi, entries] of [...byDoi].sort(([a], [b]) => a.localeCompare(b))) {
        if (entries.length < 2) continue;
        const sameSourceTwice = entries.some((e, i) => entries.some((o, j) => j > i && sameSource(e.source, o.source)));
        if (!anySource && !sameSourceTwice) continue;
        duplicates.push({
          orcid: id,
          doi,
          sameSource: sameSourceTwice,
          works: entries.map((e) => ({ 'put-code': e.putCode, source: e.source.orcid ?? e.source.clientId, 'source-name': e.source.name })),
        });
      }
    }
    return { count: duplicates.length, duplicates };
  }

  /** The existing work from the same source sharing a self id with `work`, if any (409 9021). */
  function findDuplicate(orcid, work, source, exceptPutCode) {
    const keys = new Set(selfKeys(work));
    for (const entry of recordOf(orcid).values()) {
      if (entry.putCode === exceptPutCode || !sameSource(entry.source, source)) continue;
      if (selfKeys(entry.work).some((k) => keys.has(k))) return entry;
    }
    return null;
  }

  // Like ORCID's rate limit: one bucket per client IP, `burst` deep, refilled at `perSecond`.
  function takeRateToken(ip) {
    const limit = state.config.rateLimit;
    if (!limit) return true;
    const now = Date.now();
    let bucket = state.buckets.get(ip);
    if (!bucket) {
      bucket = { tokens: limit.burst, last: now };
      state.buckets.set(ip, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.last) / 1000) * limit.perSecond);
    bucket.last = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    return false;
  }

  /** An API call the harness let through: counted, rate limited, delayed, and not faulted. */
  async function handle(req, res, url) {
    const method = req.method;
    const route = parseRoute(url.pathname);
    const body = await readBody(req, MAX_BODY);
    const token = bearer(req);
    if (!route) return sendJson(req, res, 404, errors.generic(404));
    const isNotification = route.kind === NOTIFICATION_KIND;

    // --- authentication ------------------------------------------------------------------------
    if (token === null) return sendJson(req, res, 401, missingToken(), authHeader('unauthorized', 'Full authentication is required to access this resource'));
    if (token === '' || state.revokedTokens.has(token)) return unauthorized(req, res, token);
    let source = { clientId, name: clientName };
    if (lookupToken) {
      let info;
      try {
        info = await lookupToken(token);
      } catch (err) {
        return sendJson(req, res, 500, errors.serverError(`token lookup failed: ${err.message}`));
      }
      if (!info || info.active === false) return unauthorized(req, res, token);
      if (info.orcid) noteToken(token, normOrcid(info.orcid));
      const scopes = Array.isArray(info.scope) ? info.scope : String(info.scope ?? '').split(/\s+/).filter(Boolean);
      if (isNotification) {
        // Every notification call needs the two-legged /premium-notification scope, which no
        // person's token has (oidc.mjs refuses it on /oauth/authorize), whatever its iD.
        if (!scopes.includes(NOTIFICATION_SCOPE)) return sendJson(req, res, 403, errors.scope(scopes));
      } else {
        if (info.orcid && normOrcid(info.orcid) !== route.orcid) return sendJson(req, res, 401, errors.otherRecord());
        if (method !== 'GET' && !scopes.includes(WRITE_SCOPE)) return sendJson(req, res, 403, errors.scope(scopes));
      }
      source = { clientId: info.client_id ?? info.clientId ?? clientId, name: info.client_name ?? info.clientName ?? clientName };
    }
    // A client's two-legged token is not the person's: `revoke {"orcid"}` (the person removing the
    // app) leaves it alone.
    if (!isNotification) noteToken(token, route.orcid);

    if (!isValidOrcid(route.orcid)) return sendJson(req, res, 404, errors.orcidNotFound(route.orcid));
    if (!acceptsJson(req.headers.accept)) return sendJson(req, res, 406, errors.notAcceptable(req.headers.accept));

    return api(req, res, { method, route, body, source });
  }

  function noteToken(token, orcid) {
    if (!state.tokensSeen.has(token)) state.tokensSeen.set(token, new Set());
    state.tokensSeen.get(token).add(orcid);
  }

  function unauthorized(req, res, token) {
    return sendJson(req, res, 401, invalidToken(token), invalidTokenHeader(token));
  }

  async function api(req, res, { method, route, body, source }) {
    const { orcid, kind, putCodes } = route;
    const record = recordOf(orcid);
    const parseJsonBody = () => {
      if (!isJsonContentType(req.headers['content-type'])) {
        return { error: [415, errors.unsupportedMediaType(req.headers['content-type'])] };
      }
      try {
        return { value: JSON.parse(body) };
      } catch (err) {
        return { error: [400, errors.unreadable(`Unexpected JSON: ${err.message}`)] };
      }
    };

    if (kind === NOTIFICATION_KIND) return notificationApi(req, res, { method, route, parseJsonBody, source });

    // POST /v3.0/{orcid}/work: create one.
    if (kind === 'work' && !putCodes && method === 'POST') {
      const parsed = parseJsonBody();
      if (parsed.error) return sendJson(req, res, ...parsed.error);
      const work = parsed.value;
      if (work && typeof work === 'object' && work['put-code'] != null) return sendJson(req, res, 400, errors.putCodeOnPost(source.name));
      const invalid = validateWork(work);
      if (invalid) return sendJson(req, res, invalid['response-code'], invalid);
      const duplicate = findDuplicate(orcid, work, source);
      if (duplicate) return sendJson(req, res, 409, errors.duplicate(duplicate.putCode, source.name));
      if (record.size >= MAX_WORKS_PER_RECORD) return sendJson(req, res, 409, errors.tooManyWorks());
      const entry = insertWork(orcid, work, source);
      // ORCID's Location is http:// even on the https API (seen on the real server).
      res.writeHead(201, { Location: `http://${req.headers.host ?? `${host}:${actualPort}`}/v3.0/${orcid}/work/${entry.putCode}`, 'Content-Length': 0 });
      return res.end();
    }

    // GET/PUT/DELETE /v3.0/{orcid}/work/{put-code}
    if (kind === 'work' && putCodes?.length === 1) {
      const putCode = putCodes[0];
      if (!Number.isSafeInteger(putCode)) return sendJson(req, res, 400, errors.badRequest(`Invalid put-code ${route.rawPutCodes}`));
      const entry = record.get(putCode);
      if (method === 'GET') {
        return entry ? sendJson(req, res, 200, renderWork(orcid, entry)) : sendJson(req, res, 404, errors.notFound(putCode));
      }
      if (method === 'PUT') {
        const parsed = parseJsonBody();
        if (parsed.error) return sendJson(req, res, ...parsed.error);
        const work = parsed.value;
        const bodyPutCode = work && typeof work === 'object' ? work['put-code'] ?? null : null;
        if (bodyPutCode == null || Number(bodyPutCode) !== putCode) return sendJson(req, res, 400, errors.putCodeMismatch(putCode, bodyPutCode));
        if (!entry) return sendJson(req, res, 404, errors.notFound(putCode));
        if (!sameSource(entry.source, source)) return sendJson(req, res, 403, errors.notSource());
        const invalid = validateWork(work);
        if (invalid) return sendJson(req, res, invalid['response-code'], invalid);
        const duplicate = findDuplicate(orcid, work, source, putCode);
        if (duplicate) return sendJson(req, res, 409, errors.duplicate(duplicate.putCode, source.name));
        entry.work = writableWork(work);
        entry.modified = Math.max(Date.now(), entry.modified + 1);
        noteDuplicate(orcid, entry);
        return sendJson(req, res, 200, renderWork(orcid, entry));
      }
      if (method === 'DELETE') {
        if (!entry) return sendJson(req, res, 404, errors.notFound(putCode));
        if (!sameSource(entry.source, source)) return sendJson(req, res, 403, errors.notSource());
        record.delete(putCode);
        res.writeHead(204);
        return res.end();
      }
      return methodNotAllowed(req, res, 'GET, PUT, DELETE');
    }

    // GET /v3.0/{orcid}/works and POST /v3.0/{orcid}/works (bulk create)
    if (kind === 'works' && !putCodes) {
      if (method === 'GET') return sendJson(req, res, 200, renderWorks(orcid, record));
      if (method === 'POST') {
        const parsed = parseJsonBody();
        if (parsed.error) return sendJson(req, res, ...parsed.error);
        const items = parsed.value?.bulk;
        if (!Array.isArray(items)) return sendJson(req, res, 400, errors.unreadable('expected {"bulk":[{"work":{...}}, ...]}'));
        if (items.length > MAX_BULK_WRITE) return sendJson(req, res, 413, errors.bulkTooLarge());
        const bulk = items.map((item) => {
          const work = item?.work;
          if (work && work['put-code'] != null) return { error: errors.putCodeOnPost(source.name) };
          const invalid = validateWork(work);
          if (invalid) return { error: invalid };
          const duplicate = findDuplicate(orcid, work, source);
          if (duplicate) return { error: errors.duplicate(duplicate.putCode, source.name) };
          return { work: renderWork(orcid, insertWork(orcid, work, source)) };
        });
        return sendJson(req, res, 200, { bulk });
      }
      return methodNotAllowed(req, res, 'GET, POST');
    }

    // GET /v3.0/{orcid}/works/{pc1},{pc2},… (read several)
    if (kind === 'works' && putCodes) {
      if (method !== 'GET') return methodNotAllowed(req, res, 'GET');
      if (putCodes.length > MAX_BULK_READ) return sendJson(req, res, 400, errors.tooManyPutCodes());
      const bulk = putCodes.map((pc) => {
        const entry = record.get(pc);
        return entry ? { work: renderWork(orcid, entry) } : { error: errors.notFound(pc) };
      });
      return sendJson(req, res, 200, { bulk });
    }

    return sendJson(req, res, 404, errors.generic(404));
  }

  /** /v3.0/{orcid}/notification-permission[/{put-code}] (see the top of this file). */
  async function notificationApi(req, res, { method, route, parseJsonBody, source }) {
    const { orcid, putCodes } = route;
    const rs = recordState(orcid);
    // Checked for every notification call, before the body (ORCID's record checks come first).
    if (rs.deactivated) return sendJson(req, res, 409, errors.deactivated(orcid));
    if (rs.locked) return sendJson(req, res, 409, errors.locked(orcid));

    if (!putCodes) {
      if (method !== 'POST') return methodNotAllowed(req, res, 'POST');
      const parsed = parseJsonBody();
      if (parsed.error) return sendJson(req, res, ...parsed.error);
      const invalid = validateNotification(parsed.value, site);
      if (invalid) return sendJson(req, res, invalid['response-code'], invalid);
      if (rs.notificationsDisabled) return sendJson(req, res, 409, errors.notificationsDisabled(orcid));
      const now = Date.now();
      const entry = {
        putCode: state.nextNotificationPutCode++,
        notification: writableNotification(parsed.value),
        source,
        created: now,
        sent: now,
        read: null,
        actioned: null,
        archived: null,
      };
      inboxOf(orcid).set(entry.putCode, entry);
      control.stats.notifications += 1;
      res.writeHead(201, {
        Location: `http://${req.headers.host ?? `${host}:${actualPort}`}/v3.0/${orcid}/${NOTIFICATION_KIND}/${entry.putCode}`,
        'Content-Length': 0,
      });
      return res.end();
    }

    if (putCodes.length !== 1 || !Number.isSafeInteger(putCodes[0])) {
      return sendJson(req, res, 400, errors.badRequest(`Invalid put-code ${route.rawPutCodes}`));
    }
    if (method !== 'GET' && method !== 'DELETE') return methodNotAllowed(req, res, 'GET, DELETE');
    const putCode = putCodes[0];
    const entry = state.notifications.get(orcid)?.get(putCode);
    if (!entry) return sendJson(req, res, 404, errors.notificationNotFound(orcid, putCode));
    if (method === 'GET') {
      if (!sameSource(entry.source, source)) return sendJson(req, res, 403, errors.notificationNotYours(source.clientId));
      return sendJson(req, res, 200, renderNotification(entry));
    }
    // DELETE: ORCID's flagAsArchived for the API: only its source, only while unread; archiving
    // an archived (unread) one changes nothing.
    if (!sameSource(entry.source, source)) return sendJson(req, res, 403, errors.notificationNotSource());
    if (entry.read != null) return sendJson(req, res, 403, errors.notificationAlreadyRead());
    MARKS.archive(entry, Date.now());
    return sendJson(req, res, 200, renderNotification(entry));
  }

  function methodNotAllowed(req, res, allow) {
    return sendJson(req, res, 405, errors.generic(405), { Allow: allow });
  }

  // -------------------------------------------------------------------------------------------------
  // Faults (POST /_control/fail-next and config `faultRate`, see README.md "Test controls"): besides
  // `method` and `path`, a fault may name an `orcid` and then applies only to calls on that record;
  // faults apply to Member API paths only (`down` refuses every call). Without a `body` a fault
  // answers what ORCID sends for that status.

  function faultBody(status, req, url) {
    const route = parseRoute(url.pathname);
    if (route?.kind === NOTIFICATION_KIND && (status === 404 || status === 409)) {
      return status === 404 ? errors.notificationNotFound(route.orcid, route.putCodes?.[0] ?? 0) : errors.notificationsDisabled(route.orcid);
    }
    switch (status) {
      case 401: return invalidToken(bearer(req) ?? '');
      case 403: return errors.notSource();
      case 404: return errors.notFound(route.putCodes?.[0] ?? 0);
      case 409: return duplicateFault(req, route);
      default: return errors.generic(status);
    }
  }

  /** Name the existing put-code when the posted work really is a duplicate, as ORCID does. */
  async function duplicateFault(req, route) {
    let existing = null;
    try {
      existing = findDuplicate(route.orcid, JSON.parse(await readBody(req, MAX_BODY)), { clientId, name: clientName });
    } catch { /* not JSON: fall back to the older message without a put-code */ }
    return errors.duplicate(existing?.putCode ?? null, clientName);
  }

  // -------------------------------------------------------------------------------------------------
  // This double's own control endpoints (not ORCID's), next to the shared ones. Bodies are JSON.
  //
  //   POST /_control/revoke      {"orcid": "…"} (every token seen for that iD so far) or {"token": "…"}
  //   POST /_control/seed-work   {"orcid", "work": {...}, "putCode"?, "source"?: {"clientId"?, "name"?, "orcid"?}}
  //   GET  /_control/records/{orcid}
  //   POST /_control/delete-work {"orcid", "putCode"} or {"orcid", "doi"}: the person deleting a
  //                              work on orcid.org (whatever its source); 404 when there is none
  //   GET  /_control/duplicates  ?anySource=true&orcid=…: every (orcid, DOI) held twice, see `listDuplicates`
  //   GET  /_control/inbox/{orcid}  {"orcid", "notifications": [each as GET …/notification-permission/{put-code}
  //                              renders it, archived ones too, newest first]}
  //   POST /_control/inbox/{orcid}/{put-code}/read|action|archive: what the person does in their
  //                              inbox: reads it, follows "Grant permission" (actioned, and read),
  //                              archives it; each date is set once. 200 the notification; 404 none
  //   POST /_control/record-state {"orcid", "deactivated"?, "locked"?, "notificationsDisabled"?}
  //                              (booleans; left out: unchanged) → 200 the record's state. A deactivated
  //                              record answers every notification call 409 9044, a locked one 409
  //                              9018, one that does not take notifications POSTs 409 9032
  //   POST /_control/config      also {"rateLimit": {perSecond, burst} | false}; `timeoutApplies` is true here
  //   GET  /_control/stats       also counts `overLimit`, the calls the rate limit refused,
  //                              `duplicates`, works that came to share a DOI with another of their
  //                              source, and `notifications`, the notifications posted (201)
  //   POST /_control/reset       also forgets works, notifications, record states, tokens and
  //                              rate-limit buckets (config is kept)
  const controlRoutes = {
    'POST revoke': async ({ payload }) => {
      const p = await payload();
      const revoked = [];
      if (p.token) revoked.push(String(p.token));
      if (p.orcid) {
        const orcid = normOrcid(p.orcid);
        for (const [token, orcids] of state.tokensSeen) if (orcids.has(orcid)) revoked.push(token);
      }
      if (!p.token && !p.orcid) return [400, { error: 'give "orcid" or "token"' }];
      for (const token of revoked) state.revokedTokens.add(token);
      return [200, { revoked: revoked.length }];
    },
    'POST seed-work': async ({ req, payload }) => {
      const p = await payload();
      const orcid = normOrcid(p.orcid);
      if (!isValidOrcid(orcid)) return [400, { error: `not a valid ORCID iD: ${p.orcid}` }];
      if (!p.work || typeof p.work !== 'object') return [400, { error: '"work" is required' }];
      const src = p.source ?? {};
      const source = src.orcid
        ? { orcid: normOrcid(src.orcid), name: src.name ?? 'Record owner' }
        : { clientId: src.clientId ?? clientId, name: src.name ?? (src.clientId && src.clientId !== clientId ? 'Another member' : clientName) };
      const putCode = p.putCode != null ? Number(p.putCode) : undefined;
      const entry = insertWork(orcid, p.work, source, putCode);
      return [201, {
        'put-code': entry.putCode,
        location: `http://${req.headers.host}/v3.0/${orcid}/work/${entry.putCode}`,
        work: renderWork(orcid, entry),
      }];
    },
    'POST delete-work': async ({ payload }) => {
      const p = await payload();
      const orcid = normOrcid(p.orcid ?? '');
      const record = state.records.get(orcid);
      if (!record) return [404, { error: `no record for ${p.orcid}` }];
      const wanted = p.doi ? String(p.doi).toLowerCase().replace(/^https?:\/\/(dx\.)?doi\.org\//, '') : null;
      const gone = [...record.values()].filter((e) => (p.putCode != null
        ? e.putCode === Number(p.putCode)
        : wanted !== null && selfDois(e.work).includes(wanted)));
      if (gone.length === 0) return [404, { error: 'no such work in the record' }];
      for (const e of gone) record.delete(e.putCode);
      return [200, { deleted: gone.map((e) => e.putCode) }];
    },
    'GET duplicates': ({ query }) => [200, listDuplicates({
      anySource: ['true', '1'].includes(query.get('anySource') ?? ''),
      orcid: query.get('orcid') ? normOrcid(query.get('orcid')) : undefined,
    })],
    'GET inbox/*': ({ rest }) => {
      const orcid = normOrcid(decodeURIComponent(rest));
      const notifications = [...(state.notifications.get(orcid)?.values() ?? [])].sort(newestFirst).map(renderNotification);
      return [200, { orcid, notifications }];
    },
    'POST inbox/*': ({ rest }) => {
      const m = /^([^/]+)\/(\d+)\/(read|action|archive)$/.exec(rest);
      if (!m) return [404, { error: 'expected POST /_control/inbox/{orcid}/{put-code}/read|action|archive' }];
      const orcid = normOrcid(decodeURIComponent(m[1]));
      const entry = state.notifications.get(orcid)?.get(Number(m[2]));
      if (!entry) return [404, { error: `no notification ${m[2]} in the inbox of ${orcid}` }];
      MARKS[m[3]](entry, Date.now());
      return [200, renderNotification(entry)];
    },
    'POST record-state': async ({ payload }) => {
      const p = await payload();
      const orcid = normOrcid(p.orcid);
      if (!isValidOrcid(orcid)) return [400, { error: `not a valid ORCID iD: ${p.orcid}` }];
      const next = { ...recordState(orcid) };
      for (const key of ['deactivated', 'locked', 'notificationsDisabled']) {
        if (p[key] === undefined) continue;
        if (typeof p[key] !== 'boolean') return [400, { error: `"${key}" must be true or false` }];
        next[key] = p[key];
      }
      state.recordStates.set(orcid, next);
      return [200, { orcid, ...next }];
    },
    'GET records/*': ({ rest }) => {
      const orcid = normOrcid(decodeURIComponent(rest));
      const record = state.records.get(orcid) ?? new Map();
      const works = [...record.values()].sort((a, b) => a.putCode - b.putCode).map((e) => renderWork(orcid, e));
      return [200, { orcid, works }];
    },
  };

  const control = createControl({
    // A "timeout" on a write is applied and only the answer withheld: ORCID made the work, the
    // client never heard. The nastiest realistic case, so the default here.
    config: { latencyMs, rateLimit: normalizeLimit(rateLimit), timeoutApplies: true },
    configure: (p, config) => {
      if (p.rateLimit !== undefined) {
        config.rateLimit = normalizeLimit(p.rateLimit);
        state.buckets.clear();
      }
    },
    counters: ['overLimit', 'duplicates', 'notifications'],
    routes: controlRoutes,
    reset: () => {
      state.records.clear();
      state.nextPutCode = FIRST_PUT_CODE;
      state.tokensSeen.clear();
      state.revokedTokens.clear();
      state.buckets.clear();
      state.notifications.clear();
      state.nextNotificationPutCode = FIRST_NOTIFICATION_PUT_CODE;
      state.recordStates.clear();
    },
    // Counted first, then an outage (`down`), then the rate limit, then the latency, then faults.
    admit: (req, res) => {
      if (takeRateToken(req.socket.remoteAddress ?? 'unknown')) return true;
      control.stats.overLimit += 1;
      sendText(res, 503, gatewayPage(503, GATEWAY), 'text/html');
      return false;
    },
    faultFields: (p) => ({ orcid: p.orcid ? normOrcid(p.orcid) : null }),
    matchFault: (fault, req, url) => {
      const route = parseRoute(url.pathname);
      return route !== null && (!fault.orcid || fault.orcid === route.orcid);
    },
    send: sendJson,
    faultBody,
    faultHeaders: (status, req) => (status === 401 ? invalidTokenHeader(bearer(req) ?? '') : {}),
    gateway: GATEWAY,
    onError: (err, req, res) => {
      if (res.headersSent) return res.destroy(err);
      const status = err.status ?? 500;
      return sendJson(req, res, status, status === 413 ? errors.bulkTooLarge() : errors.serverError(err.message));
    },
  });
  Object.assign(state, {
    config: control.config, faults: control.faults, stats: control.stats, log: control.log,
  });

  // -------------------------------------------------------------------------------------------------
  // The person's inbox on "orcid.org" (ours: ORCID's is a page of its web app, not of the API).
  // It is the site, not the Member API, so it bypasses the harness: not counted, rate limited,
  // delayed, faulted or refused when `down`.
  //
  //   GET  /inbox/{orcid}                    HTML: the notifications not archived, newest first;
  //                                          opening it marks those it lists read
  //   GET  /inbox/{orcid}/{put-code}/grant   actioned (and read), 303 to the authorization URL
  //                                          (a `path` resolved against the ORCID site)
  //   POST /inbox/{orcid}/{put-code}/archive archived, 303 back to /inbox/{orcid}

  async function inbox(req, res, url) {
    const html = (status, title, body, headers = {}) => sendText(res, status, page({ title, provider: 'ORCID', body }), 'text/html', { 'Cache-Control': 'no-store', ...headers });
    const m = /^\/inbox\/([^/]+)(?:\/(\d+)\/(grant|archive))?\/?$/.exec(url.pathname);
    if (!m) return html(404, 'Page not found', '<p>Inbox pages are at <code>/inbox/{orcid}</code>.</p>');
    let orcid;
    try {
      orcid = normOrcid(decodeURIComponent(m[1]));
    } catch {
      orcid = m[1];
    }
    if (!isValidOrcid(orcid)) return html(404, 'No such ORCID record', `<p><code>${esc(orcid)}</code> is not a valid ORCID iD.</p>`);
    const [, , rawPutCode, action] = m;
    const wanted = action === 'archive' ? 'POST' : 'GET';
    if (req.method !== wanted) return html(405, 'Method not allowed', `<p>Use ${wanted} here.</p>`, { Allow: wanted });
    await readBody(req, 64 * 1024); // an archive form's (empty) body
    if (!action) {
      const entries = [...(state.notifications.get(orcid)?.values() ?? [])];
      const now = Date.now();
      const body = inboxPage(orcid, entries);
      for (const e of entries) if (e.archived == null) MARKS.read(e, now);
      return sendText(res, 200, body, 'text/html', { 'Cache-Control': 'no-store' });
    }
    const entry = state.notifications.get(orcid)?.get(Number(rawPutCode));
    if (!entry) return html(404, 'Notification not found', `<p>There is no notification ${esc(rawPutCode)} in <a href="/inbox/${esc(orcid)}">the inbox of ${esc(orcid)}</a>.</p>`);
    if (action === 'grant') {
      MARKS.action(entry, Date.now());
      const target = authorizationTarget(entry.notification['authorization-url'], site);
      res.writeHead(303, { Location: target.url, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      return res.end();
    }
    MARKS.archive(entry, Date.now());
    res.writeHead(303, { Location: `/inbox/${orcid}`, 'Content-Length': 0, 'Cache-Control': 'no-store' });
    return res.end();
  }

  const apiHandler = control.handler(handle);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in.invalid');
    if (url.pathname === '/inbox' || url.pathname.startsWith('/inbox/')) {
      inbox(req, res, url).catch((err) => {
        if (res.headersSent) return res.destroy(err);
        return sendText(res, err.status ?? 500, String(err.message), 'text/plain');
      });
      return;
    }
    apiHandler(req, res);
  });
  const actualPort = await listen(server, port, host);
  const url = `http://${reachableHost(host)}:${actualPort}`;

  return {
    url,
    port: actualPort,
    /** The HTML inbox of a person: `${inboxUrl}/{orcid}`. */
    inboxUrl: `${url}/inbox`,
    state,
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Split `/v3.0/{orcid}/work[/{put-code}]`, `/v3.0/{orcid}/works[/{pc},{pc}]` and `/v3.0/{orcid}/notification-permission[/{put-code}]`. */
function parseRoute(pathname) {
  const m = /^\/v3\.0\/([^/]+)\/(work|works|notification-permission)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return null;
  const rawPutCodes = m[3] ? decodeURIComponent(m[3]) : null;
  const putCodes = rawPutCodes ? rawPutCodes.split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : NaN)) : null;
  return { orcid: normOrcid(decodeURIComponent(m[1])), kind: m[2], putCodes, rawPutCodes };
}

function bearer(req) {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer\s*(.*)$/i.exec(header.trim());
  return m ? m[1].trim() : '';
}

const authHeader = (error, description) => ({
  'WWW-Authenticate': `Bearer realm="ORCID T2 API", error="${error}", error_description="${description.replaceAll('"', "'")}"`,
});
const invalidTokenHeader = (token) => authHeader('invalid_token', `Invalid access token: ${token}`);

function sendJson(req, res, status, body, headers = {}) {
  // Answer in the JSON flavour the caller asked for; ORCID echoes the vendor type.
  const wantsVnd = /application\/vnd\.orcid\+json/i.test(req.headers.accept ?? '');
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `${wantsVnd ? 'application/vnd.orcid+json' : 'application/json'};charset=UTF-8`,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
