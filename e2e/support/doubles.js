// The test controls of the stand-ins (e2e/stand-ins/README.md), for setting the scene and for
// asserting on what the outside services received. None of this is part of the real services.
import { randomBytes } from 'node:crypto';
import { currentStack } from './stack.js';

async function control(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** ISO 7064 MOD 11-2 over the first 15 digits: ORCID's check character. */
export function orcidCheckDigit(digits15) {
  let total = 0;
  for (const d of digits15) total = (total + Number(d)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/**
 * A fresh, valid ORCID iD that no fixture uses (block 0000-0009-…), so every journey has a record
 * and an account of its own.
 */
export function randomOrcid() {
  const digits = `00000009${Array.from(randomBytes(7), (b) => String(b % 10)).join('')}`;
  return `${digits}${orcidCheckDigit(digits)}`.match(/.{4}/g).join('-');
}

/** A DOI under the test prefix that no other journey uses. */
export function randomDoi(label = 'e2e') {
  return `10.5555/${label}-${randomBytes(4).toString('hex')}`;
}

/** The ORCID Member API double. */
export const orcidApi = {
  /** `{orcid, works: [...]}`: every work in the record, as ORCID renders it. */
  record: (orcid) => control(currentStack().urls['orcid-api'], 'GET', `/_control/records/${orcid}`),
  /** The works in `orcid`'s record that carry `doi` as a self external id. */
  async worksFor(orcid, doi) {
    const { works } = await this.record(orcid);
    return works.filter((w) => (w['external-ids']?.['external-id'] ?? []).some(
      (id) => id['external-id-type'] === 'doi' && String(id['external-id-value']).toLowerCase() === doi.toLowerCase(),
    ));
  },
  /** Adds a work to the record as if an earlier push (by `clientId`) had created it. */
  seedWork: (orcid, work, clientId) => control(currentStack().urls['orcid-api'], 'POST', '/_control/seed-work', {
    orcid, work, source: { clientId, name: 'DataCite' },
  }),
  /**
   * The person deletes a work on orcid.org (whatever its source): by `putCode`, or every work
   * carrying `doi`. Answers `{deleted: [putCodes]}`; throws when there is none.
   */
  deleteWork: (orcid, { putCode, doi }) => control(currentStack().urls['orcid-api'], 'POST', '/_control/delete-work', {
    orcid, ...(putCode != null ? { putCode } : { doi }),
  }),
  /** Every token the double has seen for `orcid` now answers 401, as after a revocation on orcid.org. */
  revoke: (orcid) => control(currentStack().urls['orcid-api'], 'POST', '/_control/revoke', { orcid }),
  /**
   * The next `count` Member API calls with `method` on `orcid`'s record answer `status` instead
   * (ORCID's own error body for it): 400 is refused for good (the claim fails at once with
   * `orcid_rejected`), 5xx is worth another try.
   */
  failNext: ({ orcid, status, method = 'POST', count = 1 }) => control(currentStack().urls['orcid-api'], 'POST', '/_control/fail-next', {
    orcid, status, method, count,
  }),
  /**
   * Changes the double's settings (e.g. `{rateLimit: {perSecond, burst}}`, ORCID's limit per client
   * address) and answers with all of them; `{}` only reads them.
   */
  configure: (changes = {}) => control(currentStack().urls['orcid-api'], 'POST', '/_control/config', changes),
  /** Counters since the stand-ins started: `requests`, `byStatus`, `overLimit` (calls the rate limit refused), … */
  stats: () => control(currentStack().urls['orcid-api'], 'GET', '/_control/stats'),
  /** The last 1000 calls, oldest first: `[{at, method, path, query, status, ms}]`. */
  requests: () => control(currentStack().urls['orcid-api'], 'GET', '/_control/requests'),
};

/** An ORCID work with one DOI, in the Member API's JSON. */
export function orcidWork(doi, title) {
  return {
    title: { title: { value: title } },
    type: 'data-set',
    'external-ids': {
      'external-id': [{
        'external-id-type': 'doi',
        'external-id-value': doi,
        'external-id-url': { value: `https://doi.org/${doi}` },
        'external-id-relationship': 'self',
      }],
    },
  };
}

/** The DataCite REST double. */
export const datacite = {
  /**
   * Registers (or updates) a findable DOI whose creators carry the given ORCID iDs (a Dataset,
   * unless `resourceTypeGeneral` says otherwise).
   */
  addDoi({ doi, title, orcids, resourceTypeGeneral = 'Dataset' }) {
    return control(currentStack().urls.datacite, 'POST', '/_control/dois', {
      doi,
      titles: [{ title }],
      creators: orcids.map((orcid, i) => ({
        name: `Researcher, Test ${i + 1}`,
        givenName: `Test ${i + 1}`,
        familyName: 'Researcher',
        nameType: 'Personal',
        nameIdentifiers: [{ nameIdentifier: `https://orcid.org/${orcid}`, nameIdentifierScheme: 'ORCID' }],
      })),
      publisher: 'E2E Test Repository',
      publicationYear: 2024,
      types: resourceTypeGeneral === 'Dataset'
        ? { resourceTypeGeneral, resourceType: 'Survey data' }
        : { resourceTypeGeneral, resourceType: '' },
    });
  },
};

/** The OpenID providers playing ORCID and Google: live tokens per account. */
export const oidc = {
  state: (which) => control(currentStack().urls[which], 'GET', '/_control/state'),
  /** Live access tokens of one account (an ORCID iD, or Google's `sub`) at `which` provider. */
  async accessTokens(which, accountId) {
    const { accounts } = await this.state(which);
    return accounts[accountId]?.accessTokens ?? 0;
  },
};
