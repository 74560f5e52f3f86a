// Test double of the DataCite REST API (`https://api.datacite.org`): the read side Profiles uses to build
// ORCID works from DOIs and to find new DOIs for auto-update. Dependency-free (node:http only).
//
// Behaviour follows the real DataCite REST API: JSON:API documents,
// anonymous callers see only `state: findable`, `GET /dois/{doi}` with the DOI unescaped, and
// `GET /dois` with filters, an Elasticsearch-style `query`, page-number and cursor pagination.
//
//   const datacite = await startDatacite();                    // built-in fixtures
//   // GET `${datacite.url}/dois?user-id=0000-0002-1825-0097`
//   await datacite.close();
//
// Supported on `GET /dois` (a subset of lupo's `datacite_dois_controller`):
//   user-id        bare iD or https://orcid.org/ URL; exact match on a *creator* nameIdentifier only
//   query          query_string subset, see `parseQuery`: field:value, field:"phrase", field:[a TO b] and
//                  {a TO b} ranges (dates, `*` and `now[-Nd|h|m|s]` bounds), field:*, field:(a OR b),
//                  AND / OR / NOT / - / + and parentheses, free text (implicit operator AND, as lupo sets
//                  default_operator AND). "DOIs updated since X" is `query=updated:[X TO *]`; levriero's
//                  `creators.nameIdentifiers.nameIdentifierScheme:ORCID AND updated:[A TO B]` works as is.
//                  Unescaped `/` or a second `:` in an unquoted term is a 400, as it is a parse error in
//                  Elasticsearch, so quote ORCID URLs.
//   ids            comma-separated DOIs (any case): those records whatever their state, every other
//                  filter ignored, as lupo's `find_by_ids` does
//   has-person, resource-type-id, client-id, provider-id, prefix, sort, page[size], page[number],
//   page[cursor], disable-facets, fields[dois], include=client, affiliation=true, publisher=true.
// Anything else is ignored, as lupo ignores parameters it does not know (notably there is no `updated=`
// filter parameter: use the query range).
//
// Also, on the same port, DataCite Commons' DOI search page (`https://commons.datacite.org/doi.org?query=…`),
// where the web UI's "Your DOIs in DataCite Search" links lead when DATACITE_SEARCH_URL is this double:
// `GET /doi.org?query=…` answers an HTML page listing the findable DOIs the query matches (the same
// query language as above), newest first.
//
// Everything under /_control/ is ours, not DataCite's: the shared test controls (faults, latency,
// counters, request log, reset: util.mjs `createControl`, README.md "Test controls") and this
// double's own for adding and removing DOIs; see `controlRoutes`.

import http from 'node:http';
import {
  createControl, listen, closeServer, reachableHost, esc, page, sendText,
} from './util.mjs';

export const ORCIDS = Object.freeze({
  carberry: '0000-0002-1825-0097', // Josiah Carberry, ORCID's fictitious test researcher
  quill: '0000-0001-5109-3700',
  okafor: '0000-0002-9079-593X',
});

const MAX_PAGE_SIZE = 1000; // DataCite's REST API accepts page[size] from 0 to 1000
const DEFAULT_PAGE_SIZE = 25;
const PAGE_NUMBER_WINDOW = 10_000; // DataCite's page[number] only reaches the first 10,000 hits

// ---------------------------------------------------------------------------------------------------
// Fixtures

const BROWN = { name: 'Brown University', affiliationIdentifier: 'https://ror.org/05gq02987', affiliationIdentifierScheme: 'ROR', schemeUri: 'https://ror.org' };
const EXAMPLE_UNI = { name: 'University of Examples', affiliationIdentifier: 'https://ror.org/00example0', affiliationIdentifierScheme: 'ROR', schemeUri: 'https://ror.org' };

const orcidIdentifier = (orcid) => ({ nameIdentifier: `https://orcid.org/${orcid}`, nameIdentifierScheme: 'ORCID', schemeUri: 'https://orcid.org' });
const person = (givenName, familyName, { orcid, affiliation } = {}) => ({
  name: `${familyName}, ${givenName}`,
  nameType: 'Personal',
  givenName,
  familyName,
  affiliation: affiliation ? [affiliation] : [],
  nameIdentifiers: orcid ? [orcidIdentifier(orcid)] : [],
});
const organization = (name) => ({ name, nameType: 'Organizational', affiliation: [], nameIdentifiers: [] });
const doiRelation = (relationType, doi, resourceTypeGeneral) => ({ relationType, relatedIdentifier: doi, relatedIdentifierType: 'DOI', ...(resourceTypeGeneral ? { resourceTypeGeneral } : {}) });

const carberry = person('Josiah', 'Carberry', { orcid: ORCIDS.carberry, affiliation: BROWN });
const marsh = person('Imogen', 'Marsh', { affiliation: BROWN });
const ng = person('Priya', 'Ng');

/**
 * Built-in DOIs, in DataCite's attribute shape (with `publisher` and `affiliation` as objects; the
 * server renders them as strings unless `publisher=true` / `affiliation=true`). Prefix 10.5555 is
 * the test prefix; 10.14454 is DataCite's own. All but the last are findable.
 */
const FIXTURE_SOURCE = [
  {
    doi: '10.5555/j9cp-6b21',
    clientId: 'datacite.test',
    creators: [carberry, marsh],
    titles: [{ title: 'Cephalopod sightings in Narragansett Bay, 2015–2019' }],
    publisher: { name: 'Brown University Digital Repository' },
    publicationYear: 2019,
    types: { resourceTypeGeneral: 'Dataset', resourceType: 'Survey data' },
    subjects: [{ subject: 'Marine biology' }, { subject: 'Cephalopoda' }],
    dates: [{ date: '2019-06-12', dateType: 'Issued' }, { date: '2015/2019', dateType: 'Collected' }],
    descriptions: [{ description: 'Monthly shore and boat counts of squid and octopus,   collected by volunteers.', descriptionType: 'Abstract' }],
    rightsList: [{ rights: 'Creative Commons Zero v1.0 Universal', rightsUri: 'https://creativecommons.org/publicdomain/zero/1.0/legalcode', rightsIdentifier: 'cc0-1.0', rightsIdentifierScheme: 'SPDX' }],
    url: 'https://repository.example.edu/datasets/j9cp-6b21',
    created: '2019-06-12T09:14:03.000Z',
    registered: '2019-06-12T09:14:05.000Z',
    updated: '2021-03-02T11:20:44.000Z',
  },
  {
    doi: '10.5555/k4s2-v7q8',
    clientId: 'datacite.test',
    creators: [carberry, ng],
    titles: [{ title: 'psychoceramics-toolkit: tools for the quantitative study of cracked pots' }],
    publisher: { name: 'Zenodo', lang: 'en' },
    publicationYear: 2020,
    types: { resourceTypeGeneral: 'Software', resourceType: '' },
    dates: [{ date: '2020-02-03', dateType: 'Issued' }],
    descriptions: [{ description: 'Concept DOI: resolves to the latest version.', descriptionType: 'Abstract' }],
    relatedIdentifiers: [doiRelation('HasVersion', '10.5555/4gx1-mc20', 'Software'), { relationType: 'IsSupplementTo', relatedIdentifier: 'https://github.com/example/psychoceramics-toolkit/tree/v1.2.0', relatedIdentifierType: 'URL' }],
    url: 'https://zenodo.example.org/records/k4s2-v7q8',
    created: '2020-02-03T15:00:00.000Z',
    registered: '2020-02-03T15:00:02.000Z',
    updated: '2022-08-19T07:45:10.000Z',
  },
  {
    // A version DOI: levriero's push_item skips DOIs with an IsVersionOf relation.
    doi: '10.5555/4gx1-mc20',
    clientId: 'datacite.test',
    creators: [carberry, ng],
    titles: [{ title: 'psychoceramics-toolkit: tools for the quantitative study of cracked pots' }],
    publisher: { name: 'Zenodo' },
    publicationYear: 2022,
    types: { resourceTypeGeneral: 'Software', resourceType: '' },
    version: '1.2.0',
    dates: [{ date: '2022-08-19', dateType: 'Issued' }],
    relatedIdentifiers: [doiRelation('IsVersionOf', '10.5555/k4s2-v7q8', 'Software')],
    url: 'https://zenodo.example.org/records/4gx1-mc20',
    created: '2022-08-19T07:44:58.000Z',
    registered: '2022-08-19T07:45:00.000Z',
    updated: '2022-08-19T07:45:01.000Z',
  },
  {
    // Text + resourceType "Journal article" → journal-article (Text is refined by resourceType), with a container title.
    doi: '10.5555/ty4m-3h09',
    clientId: 'datacite.test',
    creators: [carberry, marsh],
    titles: [{ title: 'The effect of glaze thickness on crack propagation in Ming-era vessels' }, { title: 'Glaze and cracks', titleType: 'AlternativeTitle' }],
    publisher: { name: 'Psychoceramics Society Press' },
    container: { type: 'Journal', title: 'Journal of Psychoceramics', identifier: '1234-5679', identifierType: 'ISSN', volume: '12', issue: '3', firstPage: '45', lastPage: '67' },
    publicationYear: 2021,
    types: { resourceTypeGeneral: 'Text', resourceType: 'Journal article' },
    dates: [{ date: '2021-04-30', dateType: 'Issued' }],
    descriptions: [{ description: 'We measure how glaze thickness changes the paths cracks take.', descriptionType: 'Abstract' }],
    relatedIdentifiers: [{ relationType: 'IsPublishedIn', relatedIdentifier: '1234-5679', relatedIdentifierType: 'ISSN', resourceTypeGeneral: 'Journal' }],
    language: 'en',
    url: 'https://journal.example.org/articles/ty4m-3h09',
    created: '2021-04-30T12:00:00.000Z',
    registered: '2021-04-30T12:00:01.000Z',
    updated: '2021-05-02T08:30:00.000Z',
  },
  {
    // Collection of datasets → other in orcid_client 0.18 (its refinement of Collection by resourceType still gives other).
    doi: '10.14454/q6vx-2t51',
    clientId: 'datacite.datacite',
    creators: [carberry, organization('Carberry Lab')],
    titles: [{ title: 'Carberry Lab field data, 2010–2020' }],
    publisher: { name: 'DataCite' },
    publicationYear: 2020,
    types: { resourceTypeGeneral: 'Collection', resourceType: 'Collection of Datasets' },
    dates: [{ date: '2020-11-11', dateType: 'Issued' }],
    relatedIdentifiers: [doiRelation('HasPart', '10.5555/j9cp-6b21', 'Dataset')],
    url: 'https://lab.example.edu/carberry/data',
    created: '2020-11-11T10:00:00.000Z',
    registered: '2020-11-11T10:00:01.000Z',
    updated: '2020-11-12T10:00:00.000Z',
  },
  {
    // JournalArticle with no container: the work's journal-title falls back to the publisher.
    doi: '10.14454/m8fd-0c37',
    clientId: 'datacite.datacite',
    creators: [person('Rosalind', 'Quill', { orcid: ORCIDS.quill, affiliation: EXAMPLE_UNI })],
    titles: [{ title: 'Persistent identifiers for research outputs: a practical survey' }],
    publisher: { name: 'DataCite' },
    publicationYear: 2023,
    types: { resourceTypeGeneral: 'JournalArticle', resourceType: '' },
    dates: [{ date: '2023-09-15', dateType: 'Issued' }],
    descriptions: [{ description: 'A survey of how repositories assign and use persistent identifiers.', descriptionType: 'Abstract' }],
    url: 'https://datacite.example.org/articles/m8fd-0c37',
    created: '2023-09-15T14:20:00.000Z',
    registered: '2023-09-15T14:20:02.000Z',
    updated: '2023-09-16T09:00:00.000Z',
  },
  {
    // Carberry is only a *contributor* here: `user-id` (which matches creators only) must not find it, a
    // `creators_and_contributors` query must.
    doi: '10.14454/w2b7-9kp4',
    clientId: 'datacite.datacite',
    creators: [person('Tomás', 'Okafor', { orcid: ORCIDS.okafor, affiliation: EXAMPLE_UNI })],
    contributors: [{ ...carberry, contributorType: 'ContactPerson' }],
    titles: [{ title: 'Soil moisture readings from the Kettle Pond sensor array' }],
    publisher: { name: 'University of Examples Research Data' },
    publicationYear: 2024,
    types: { resourceTypeGeneral: 'Dataset', resourceType: 'Sensor data' },
    dates: [{ date: '2024-01-20', dateType: 'Issued' }],
    url: 'https://data.example.edu/kettle-pond',
    created: '2024-01-20T16:05:00.000Z',
    registered: '2024-01-20T16:05:01.000Z',
    updated: '2024-02-01T12:00:00.000Z',
  },
  {
    // No ORCID anywhere: auto-update has nobody to push it to.
    doi: '10.5555/n0or-c1d0',
    clientId: 'datacite.test',
    creators: [marsh, ng],
    titles: [{ title: 'Kiln temperature logging: a technical note' }],
    publisher: { name: 'Brown University Digital Repository' },
    publicationYear: 2018,
    types: { resourceTypeGeneral: 'Text', resourceType: 'Technical Report' },
    dates: [{ date: '2018-10-01', dateType: 'Issued' }],
    url: 'https://repository.example.edu/reports/n0or-c1d0',
    created: '2018-10-01T08:00:00.000Z',
    registered: '2018-10-01T08:00:01.000Z',
    updated: '2018-10-01T08:00:02.000Z',
  },
  {
    // Registered but not findable: invisible to anonymous callers, so 404 and absent from lists.
    doi: '10.5555/dr4f-7x0p',
    clientId: 'datacite.test',
    state: 'registered',
    creators: [carberry],
    titles: [{ title: 'Embargoed cephalopod tracking data' }],
    publisher: { name: 'Brown University Digital Repository' },
    publicationYear: 2025,
    types: { resourceTypeGeneral: 'Dataset', resourceType: '' },
    url: 'https://repository.example.edu/datasets/dr4f-7x0p',
    created: '2025-01-05T10:00:00.000Z',
    registered: '2025-01-05T10:00:01.000Z',
    updated: '2025-01-05T10:00:02.000Z',
  },
];

/**
 * What Profiles should make of each fixture, per orcid_client 0.18's type table and refinements and
 * levriero's skip rules. Written out by hand so tests of the Rust mapping have an oracle that
 * does not share its code. `journalTitle` is the container title, else the publisher; DataCite's own
 * service (volpino) sends the publisher for ty4m-3h09 because of an operator-precedence bug.
 */
export const EXPECTED = Object.freeze({
  '10.5555/j9cp-6b21': { orcidWorkType: 'data-set', journalTitle: 'Brown University Digital Repository', autoUpdate: 'push' },
  '10.5555/k4s2-v7q8': { orcidWorkType: 'software', journalTitle: 'Zenodo', autoUpdate: 'push' },
  '10.5555/4gx1-mc20': { orcidWorkType: 'software', journalTitle: 'Zenodo', autoUpdate: 'skip: IsVersionOf' },
  '10.5555/ty4m-3h09': { orcidWorkType: 'journal-article', journalTitle: 'Journal of Psychoceramics', autoUpdate: 'push' },
  '10.14454/q6vx-2t51': { orcidWorkType: 'other', journalTitle: 'DataCite', autoUpdate: 'push' },
  '10.14454/m8fd-0c37': { orcidWorkType: 'journal-article', journalTitle: 'DataCite', autoUpdate: 'push' },
  '10.14454/w2b7-9kp4': { orcidWorkType: 'data-set', journalTitle: 'University of Examples Research Data', autoUpdate: 'push' },
  '10.5555/n0or-c1d0': { orcidWorkType: 'report', journalTitle: 'Brown University Digital Repository', autoUpdate: 'skip: no ORCID' },
  '10.5555/dr4f-7x0p': { orcidWorkType: 'data-set', journalTitle: 'Brown University Digital Repository', autoUpdate: 'not findable' },
});

// ---------------------------------------------------------------------------------------------------
// Normalisation: fill a partial DOI into the full attribute set lupo returns.

// Derived `types` fields as lupo/bolognese fill them; only the common types are listed.
const DERIVED_TYPES = {
  Dataset: { schemaOrg: 'Dataset', citeproc: 'dataset', bibtex: 'misc', ris: 'DATA' },
  Software: { schemaOrg: 'SoftwareSourceCode', citeproc: 'article', bibtex: 'misc', ris: 'COMP' },
  Text: { schemaOrg: 'ScholarlyArticle', citeproc: 'article-journal', bibtex: 'article', ris: 'RPRT' },
  JournalArticle: { schemaOrg: 'ScholarlyArticle', citeproc: 'article-journal', bibtex: 'article', ris: 'JOUR' },
  Collection: { schemaOrg: 'Collection', citeproc: 'article', bibtex: 'misc', ris: 'GEN' },
  Report: { schemaOrg: 'Report', citeproc: 'report', bibtex: 'techreport', ris: 'RPRT' },
};
const FALLBACK_TYPES = { schemaOrg: 'CreativeWork', citeproc: 'article', bibtex: 'misc', ris: 'GEN' };

const ORCID_IN = /(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])\/?$/;
const bareOrcid = (value) => {
  const m = ORCID_IN.exec(String(value ?? '').trim());
  return m ? m[1].toUpperCase() : null;
};
const bareDoi = (value) => String(value ?? '').trim().replace(/^(https?:\/\/)?(dx\.)?doi\.org\//i, '').replace(/^doi:/i, '').toLowerCase();

function normalizePerson(p) {
  const out = { ...p };
  out.name = p.name ?? ([p.familyName, p.givenName].filter(Boolean).join(', ') || 'Unknown');
  if (!out.nameType && (p.givenName || p.familyName)) out.nameType = 'Personal';
  out.affiliation = (p.affiliation ?? []).map((a) => (typeof a === 'string' ? { name: a } : { ...a }));
  // lupo stores ORCID nameIdentifiers as https://orcid.org/ URLs whatever the depositor sent.
  out.nameIdentifiers = (p.nameIdentifiers ?? []).map((n) => {
    const id = { ...n };
    if (String(id.nameIdentifierScheme).toUpperCase() === 'ORCID') {
      const orcid = bareOrcid(id.nameIdentifier);
      if (orcid) id.nameIdentifier = `https://orcid.org/${orcid}`;
      id.nameIdentifierScheme = 'ORCID';
      id.schemeUri ??= 'https://orcid.org';
    }
    return id;
  });
  return out;
}

/** Turn a (possibly partial) attributes object into the stored record. Throws on a missing DOI. */
export function normalizeDoi(input, { now = new Date().toISOString() } = {}) {
  const doi = bareDoi(input.doi ?? input.id);
  if (!/^10\.\d{4,9}\/\S+$/.test(doi)) throw new Error(`not a DOI: ${JSON.stringify(input.doi ?? input.id)}`);
  const [prefix, ...rest] = doi.split('/');
  const typesIn = input.types ?? {};
  const resourceTypeGeneral = typesIn.resourceTypeGeneral ?? 'Other';
  const publisher = typeof input.publisher === 'string' ? { name: input.publisher } : { ...(input.publisher ?? { name: '(:unav)' }) };
  const publicationYear = input.publicationYear ?? (input.created ?? now).slice(0, 4);
  const relatedIdentifiers = (input.relatedIdentifiers ?? []).map((r) => ({ ...r }));
  const countRelations = (type) => relatedIdentifiers.filter((r) => r.relationType === type).length;
  const attributes = {
    doi,
    prefix,
    suffix: rest.join('/'),
    identifiers: input.identifiers ?? [],
    alternateIdentifiers: input.alternateIdentifiers ?? [],
    creators: (input.creators ?? []).map(normalizePerson),
    titles: typeof input.titles === 'string' ? [{ title: input.titles }] : (input.titles ?? []).map((t) => ({ ...t })),
    publisher,
    container: input.container ?? {},
    publicationYear: Number(publicationYear),
    subjects: input.subjects ?? [],
    contributors: (input.contributors ?? []).map(normalizePerson),
    dates: input.dates ?? [{ date: String(publicationYear), dateType: 'Issued' }],
    language: input.language ?? null,
    types: { resourceTypeGeneral, resourceType: typesIn.resourceType ?? '', ...(DERIVED_TYPES[resourceTypeGeneral] ?? FALLBACK_TYPES), ...typesIn },
    relatedIdentifiers,
    relatedItems: input.relatedItems ?? [],
    sizes: input.sizes ?? [],
    formats: input.formats ?? [],
    version: input.version ?? null,
    rightsList: input.rightsList ?? [],
    descriptions: input.descriptions ?? [],
    geoLocations: input.geoLocations ?? [],
    fundingReferences: input.fundingReferences ?? [],
    url: input.url ?? `https://example.org/${doi}`,
    contentUrl: input.contentUrl ?? null,
    metadataVersion: input.metadataVersion ?? 1,
    schemaVersion: input.schemaVersion ?? 'http://datacite.org/schema/kernel-4',
    source: input.source ?? 'api',
    isActive: (input.state ?? 'findable') === 'findable',
    state: input.state ?? 'findable',
    reason: input.reason ?? null,
    viewCount: input.viewCount ?? 0,
    viewsOverTime: input.viewsOverTime ?? [],
    downloadCount: input.downloadCount ?? 0,
    downloadsOverTime: input.downloadsOverTime ?? [],
    referenceCount: countRelations('References'),
    citationCount: input.citationCount ?? 0,
    citationsOverTime: input.citationsOverTime ?? [],
    partCount: countRelations('HasPart'),
    partOfCount: countRelations('IsPartOf'),
    versionCount: countRelations('HasVersion'),
    versionOfCount: countRelations('IsVersionOf'),
    created: input.created ?? now,
    registered: input.registered ?? ((input.state ?? 'findable') === 'draft' ? null : now),
    published: String(publicationYear),
    updated: input.updated ?? now,
  };
  return {
    attributes,
    clientId: input.clientId ?? input['client-id'] ?? (prefix === '10.5555' ? 'datacite.test' : 'datacite.datacite'),
    providerId: input.providerId ?? input['provider-id'] ?? 'datacite',
  };
}

/** The built-in DOIs as stored (full attributes; `publisher` and affiliations as objects). */
export const FIXTURE_DOIS = Object.freeze(FIXTURE_SOURCE.map((f) => deepFreeze(normalizeDoi(f).attributes)));

function deepFreeze(value) {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Rendering

const xmlEscape = (s) => String(s ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A small but valid-looking DataCite kernel-4 document; lupo returns the deposited XML base64-encoded. */
function dataciteXml(a) {
  const person = (p, tag) => `<${tag}><${tag}Name nameType="${xmlEscape(p.nameType ?? 'Personal')}">${xmlEscape(p.name)}</${tag}Name>`
    + (p.givenName ? `<givenName>${xmlEscape(p.givenName)}</givenName>` : '')
    + (p.familyName ? `<familyName>${xmlEscape(p.familyName)}</familyName>` : '')
    + p.nameIdentifiers.map((n) => `<nameIdentifier nameIdentifierScheme="${xmlEscape(n.nameIdentifierScheme)}" schemeURI="${xmlEscape(n.schemeUri ?? '')}">${xmlEscape(n.nameIdentifier)}</nameIdentifier>`).join('')
    + p.affiliation.map((af) => `<affiliation>${xmlEscape(af.name)}</affiliation>`).join('')
    + `</${tag}>`;
  const contributors = a.contributors.map((c) => person(c, 'contributor').replace('<contributor>', `<contributor contributorType="${xmlEscape(c.contributorType ?? 'Other')}">`));
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + '<resource xmlns="http://datacite.org/schema/kernel-4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://datacite.org/schema/kernel-4 http://schema.datacite.org/meta/kernel-4/metadata.xsd">'
    + `<identifier identifierType="DOI">${xmlEscape(a.doi.toUpperCase())}</identifier>`
    + `<creators>${a.creators.map((c) => person(c, 'creator')).join('')}</creators>`
    + `<titles>${a.titles.map((t) => `<title${t.titleType ? ` titleType="${xmlEscape(t.titleType)}"` : ''}>${xmlEscape(t.title)}</title>`).join('')}</titles>`
    + `<publisher>${xmlEscape(a.publisher.name)}</publisher>`
    + `<publicationYear>${a.publicationYear}</publicationYear>`
    + `<resourceType resourceTypeGeneral="${xmlEscape(a.types.resourceTypeGeneral)}">${xmlEscape(a.types.resourceType)}</resourceType>`
    + (contributors.length ? `<contributors>${contributors.join('')}</contributors>` : '')
    + (a.relatedIdentifiers.length ? `<relatedIdentifiers>${a.relatedIdentifiers.map((r) => `<relatedIdentifier relatedIdentifierType="${xmlEscape(r.relatedIdentifierType)}" relationType="${xmlEscape(r.relationType)}">${xmlEscape(r.relatedIdentifier)}</relatedIdentifier>`).join('')}</relatedIdentifiers>` : '')
    + (a.version ? `<version>${xmlEscape(a.version)}</version>` : '')
    + (a.descriptions.length ? `<descriptions>${a.descriptions.map((d) => `<description descriptionType="${xmlEscape(d.descriptionType ?? 'Other')}">${xmlEscape(d.description)}</description>`).join('')}</descriptions>` : '')
    + '</resource>';
}

function renderDoi(record, options) {
  const src = record.attributes;
  const attributes = structuredClone(src);
  // DataCite renders publisher as a string unless publisher=true; affiliations are strings unless affiliation=true.
  if (!options.publisherObject) attributes.publisher = src.publisher.name;
  if (!options.affiliationObjects) {
    for (const p of [...attributes.creators, ...attributes.contributors]) p.affiliation = p.affiliation.map((af) => af.name);
  }
  // Keep lupo's key order, with xml where lupo puts it (after fundingReferences).
  const ordered = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'url') ordered.xml = Buffer.from(dataciteXml(src)).toString('base64');
    ordered[key] = value;
  }
  let out = ordered;
  if (options.fields) out = Object.fromEntries(Object.entries(ordered).filter(([k]) => options.fields.has(k)));

  const related = (type) => src.relatedIdentifiers
    .filter((r) => r.relationType === type && r.relatedIdentifierType === 'DOI')
    .map((r) => ({ id: bareDoi(r.relatedIdentifier), type: 'dois' }));
  return {
    id: src.doi,
    type: 'dois',
    attributes: out,
    relationships: {
      client: { data: { id: record.clientId, type: 'clients' } },
      provider: { data: { id: record.providerId, type: 'providers' } },
      media: { data: { id: src.doi, type: 'media' } },
      references: { data: related('References') },
      citations: { data: [] },
      parts: { data: related('HasPart') },
      partOf: { data: related('IsPartOf') },
      versions: { data: related('HasVersion') },
      versionOf: { data: related('IsVersionOf') },
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Query: a subset of Elasticsearch query_string

class QueryError extends Error {}

/**
 * Parse a query_string into a tree of {op:'and'|'or'|'not'} and {field, kind:'word'|'phrase'|'range'|'exists'|'all'}.
 * Free-text terms get field null and are matched against DEFAULT_FIELDS.
 */
export function parseQuery(q) {
  let i = 0;
  const fail = (msg) => { throw new QueryError(`Failed to parse query [${q}]: ${msg} at position ${i}`); };
  const skipSpace = () => { while (i < q.length && /\s/.test(q[i])) i++; };
  const atKeyword = (word) => q.startsWith(word, i) && (i + word.length >= q.length || /[\s(]/.test(q[i + word.length]));
  const takeKeyword = (word) => (atKeyword(word) ? ((i += word.length), true) : false);
  const takeSymbol = (sym) => (q.startsWith(sym, i) ? ((i += sym.length), true) : false);

  function parseOr(field) {
    const items = [parseAnd(field)];
    for (;;) {
      skipSpace();
      if (takeKeyword('OR') || takeSymbol('||')) items.push(parseAnd(field));
      else break;
    }
    return items.length === 1 ? items[0] : { op: 'or', items };
  }
  function parseAnd(field) {
    const items = [parseUnary(field)];
    for (;;) {
      skipSpace();
      if (i >= q.length || q[i] === ')' || atKeyword('OR') || q.startsWith('||', i)) break;
      if (takeKeyword('AND') || takeSymbol('&&')) items.push(parseUnary(field));
      else items.push(parseUnary(field)); // lupo's default_operator is AND
    }
    return items.length === 1 ? items[0] : { op: 'and', items };
  }
  function parseUnary(field) {
    skipSpace();
    if (takeKeyword('NOT') || takeSymbol('!') || takeSymbol('-')) return { op: 'not', item: parseUnary(field) };
    if (takeSymbol('+')) return parseUnary(field);
    return parsePrimary(field);
  }
  function parsePrimary(field) {
    skipSpace();
    if (i >= q.length) fail('unexpected end of query');
    if (q[i] === ')') fail("unexpected ')'");
    const named = /^([A-Za-z_][\w.-]*):/.exec(q.slice(i));
    if (named) {
      i += named[0].length;
      return parseValue(named[1]);
    }
    return parseValue(field);
  }
  function parseValue(field) {
    if (q[i] === '(') {
      i++;
      const inner = parseOr(field);
      skipSpace();
      if (q[i] !== ')') fail("missing ')'");
      i++;
      return inner;
    }
    if (q[i] === '"') {
      i++;
      let value = '';
      while (i < q.length && q[i] !== '"') {
        if (q[i] === '\\' && i + 1 < q.length) i++;
        value += q[i++];
      }
      if (q[i] !== '"') fail('unterminated phrase');
      i++;
      return { field, kind: 'phrase', value };
    }
    if (q[i] === '[' || q[i] === '{') {
      const loInc = q[i] === '[';
      const end = q.slice(i).search(/[\]}]/);
      if (end === -1) fail('unterminated range');
      const body = q.slice(i + 1, i + end);
      const hiInc = q[i + end] === ']';
      i += end + 1;
      const parts = body.split(/\s+TO\s+/);
      if (parts.length !== 2) fail('a range needs "X TO Y"');
      const unescape = (s) => s.trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
      return { field, kind: 'range', lo: unescape(parts[0]), hi: unescape(parts[1]), loInc, hiInc };
    }
    let value = '';
    let raw = '';
    while (i < q.length && !/[\s()]/.test(q[i])) {
      if (q[i] === '\\' && i + 1 < q.length) {
        raw += q[i] + q[i + 1];
        value += q[i + 1];
        i += 2;
        continue;
      }
      // Unescaped, these mean a regex (/) or a field (:) to Elasticsearch; a URL has to be quoted.
      if (q[i] === '/' || q[i] === ':') fail(`unescaped '${q[i]}' in term "${raw}${q.slice(i).split(/[\s()]/)[0]}"; quote it`);
      raw += q[i];
      value += q[i++];
    }
    if (value === '') fail('empty term');
    if (value === '*') return field ? { field, kind: 'exists' } : { field, kind: 'all' };
    return { field, kind: 'word', value, wildcard: /(?<!\\)[*?]/.test(raw) };
  }

  const tree = parseOr(null);
  skipSpace();
  if (i < q.length) fail(`unexpected '${q[i]}'`);
  return tree;
}

// Free text searches these (the DOI, titles, names and a little more).
const DEFAULT_FIELDS = ['doi', 'titles.title', 'creators.name', 'creators.givenName', 'creators.familyName',
  'contributors.name', 'descriptions.description', 'subjects.subject', 'publisher.name'];
// Analysed text in lupo's mapping; everything else behaves as a keyword (whole-value match).
const TEXT_LEAVES = new Set(['title', 'name', 'givenName', 'familyName', 'description', 'subject', 'resourceType', 'publisher']);
const DATE_FIELDS = new Set(['created', 'registered', 'updated', 'published', 'dates.date']);

function collect(value, path) {
  if (value == null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => collect(v, path));
  if (path.length === 0) return typeof value === 'object' ? [] : [String(value)];
  return collect(value[path[0]], path.slice(1));
}

function valuesFor(field, record) {
  const a = record.attributes;
  switch (field) {
    case 'doi': case 'id': case 'uid': case 'identifier': return [a.doi];
    case 'client_id': case 'client.id': case 'clientId': return [record.clientId];
    case 'provider_id': case 'provider.id': case 'providerId': return [record.providerId];
    case 'publisher': return [a.publisher.name];
    case 'aasm_state': return [a.state];
    case 'resource_type_id': return [a.types.resourceTypeGeneral];
    default: break;
  }
  const path = field.split('.');
  if (path[0] === 'creators_and_contributors') {
    return [...collect(a.creators, path.slice(1)), ...collect(a.contributors, path.slice(1))];
  }
  return collect(a, path);
}

const tokens = (s) => String(s).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const wildcardRegex = (term) => new RegExp(`^${term.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);

function parseBound(text, isDate) {
  if (text === '*') return null;
  if (!isDate) return Number.isFinite(Number(text)) ? Number(text) : text.toLowerCase();
  // Elasticsearch date math, the common forms: now, now-7d, now-1h (rounding like /d is ignored).
  const math = /^now(?:([+-])(\d+)([smhdwMy]))?(?:\/[smhdwMy])?$/.exec(text);
  if (math) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, M: 2592e6, y: 31536e6 }[math[3]] ?? 0;
    return Date.now() + (math[1] === '-' ? -1 : 1) * Number(math[2] ?? 0) * unit;
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new QueryError(`failed to parse date field [${text}]`);
  return t;
}

function matchLeaf(node, record) {
  if (node.kind === 'all') return true;
  const fields = node.field ? [node.field] : DEFAULT_FIELDS;
  return fields.some((field) => {
    const values = valuesFor(field, record);
    if (node.kind === 'exists') return values.some((v) => v !== '');
    const leaf = field.split('.').at(-1);
    if (node.kind === 'range') {
      const isDate = DATE_FIELDS.has(field);
      const lo = parseBound(node.lo, isDate);
      const hi = parseBound(node.hi, isDate);
      return values.some((raw) => {
        const v = isDate ? Date.parse(raw) : Number.isFinite(Number(raw)) ? Number(raw) : raw.toLowerCase();
        if (isDate && Number.isNaN(v)) return false;
        if (lo !== null && (node.loInc ? v < lo : v <= lo)) return false;
        if (hi !== null && (node.hiInc ? v > hi : v >= hi)) return false;
        return true;
      });
    }
    const term = node.value;
    // ORCID iDs and DOIs match in bare or URL form (a tolerance: lupo stores ORCID URLs, see the report).
    if (leaf === 'nameIdentifier' && bareOrcid(term)) return values.some((v) => bareOrcid(v) === bareOrcid(term));
    if (leaf === 'doi' || leaf === 'relatedIdentifier' || field === 'id' || field === 'uid' || field === 'identifier') {
      if (!node.wildcard) return values.some((v) => bareDoi(v) === bareDoi(term));
    }
    if (DATE_FIELDS.has(field) && !node.wildcard) return values.some((v) => v.startsWith(term));
    if (TEXT_LEAVES.has(leaf) || !node.field) {
      const valueTokenLists = values.map(tokens);
      if (node.wildcard) {
        const re = wildcardRegex(term);
        return valueTokenLists.some((list) => list.some((t) => re.test(t)));
      }
      const wanted = tokens(term);
      if (wanted.length === 0) return false;
      if (node.kind === 'phrase') {
        return valueTokenLists.some((list) => list.some((_, start) => wanted.every((w, k) => list[start + k] === w)));
      }
      return valueTokenLists.some((list) => wanted.every((w) => list.includes(w)));
    }
    if (node.wildcard) {
      const re = wildcardRegex(term);
      return values.some((v) => re.test(v.toLowerCase()));
    }
    return values.some((v) => v.toLowerCase() === term.toLowerCase());
  });
}

function evaluate(node, record) {
  switch (node.op) {
    case 'and': return node.items.every((n) => evaluate(n, record));
    case 'or': return node.items.some((n) => evaluate(n, record));
    case 'not': return !evaluate(node.item, record);
    default: return matchLeaf(node, record);
  }
}

// ---------------------------------------------------------------------------------------------------
// Server

const notFoundBody = () => ({ errors: [{ status: '404', title: "The resource you are looking for doesn't exist." }] });
const errorBody = (status, title) => ({ errors: [{ status: String(status), title }] });
const FAULT_TITLES = {
  400: 'Bad request', 401: 'Bad credentials.', 403: 'You are not authorized to access this resource.',
  404: "The resource you are looking for doesn't exist.", 429: 'Too many requests, please slow down.',
  500: 'An unexpected error occurred. The DataCite team has been notified.',
  503: 'The service is temporarily unavailable. Please try again later.',
};
// 502/503/504 faults come from the load balancer in front of lupo, as HTML (util.mjs `gatewayPage`);
// an outage (`POST /_control/config {"down": true}`) answers lupo's own JSON:API 503.

const truthy = (v) => v === 'true' || v === '1';
const cursorOf = (record) => Buffer.from(JSON.stringify([Date.parse(record.attributes.created), record.attributes.doi])).toString('base64url');

/**
 * Start the double.
 *
 * @param {object} [options]
 * @param {number} [options.port=0]
 * @param {string} [options.host='127.0.0.1']
 * @param {object[]} [options.fixtures] DOIs to serve instead of the built-in ones (partial attributes are filled in).
 * @param {number} [options.latencyMs=0]
 */
export async function startDatacite({ port = 0, host = '127.0.0.1', fixtures = FIXTURE_SOURCE, latencyMs = 0 } = {}) {
  const load = () => new Map(fixtures.map((f) => {
    const record = normalizeDoi(structuredClone(f));
    return [record.attributes.doi, record];
  }));
  const state = {
    /** lower-case DOI → { attributes, clientId, providerId } */
    dois: load(),
  };

  const findable = (record) => record.attributes.state === 'findable';

  /** An API call the harness let through: counted, delayed, and not faulted. */
  async function handle(req, res, url) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(req, res, 405, errorBody(405, 'Method not allowed'), { Allow: 'GET' });
    if (url.pathname === '/doi.org') return searchPage(req, res, url);
    if (url.pathname === '/dois' || url.pathname === '/dois/') return listDois(req, res, url);
    if (url.pathname.startsWith('/dois/')) {
      // DataCite takes the DOI unescaped, slash included; an escaped %2F works too.
      const doi = bareDoi(decodeURIComponent(url.pathname.slice('/dois/'.length)));
      const record = state.dois.get(doi);
      if (!record || !findable(record)) return sendJson(req, res, 404, notFoundBody());
      return sendJson(req, res, 200, { data: renderDoi(record, renderOptions(url)) });
    }
    return sendJson(req, res, 404, notFoundBody());
  }

  function renderOptions(url) {
    const fields = url.searchParams.get('fields[dois]');
    return {
      publisherObject: truthy(url.searchParams.get('publisher')),
      affiliationObjects: truthy(url.searchParams.get('affiliation')),
      fields: fields ? new Set(fields.split(',').map((s) => s.trim()).filter(Boolean)) : null,
    };
  }

  /** DataCite Commons' search: the findable DOIs the query matches, as a page for people. */
  function searchPage(req, res, url) {
    const query = url.searchParams.get('query') ?? '';
    let records = [...state.dois.values()].filter(findable);
    let error = null;
    if (query.trim()) {
      try {
        const tree = parseQuery(query);
        records = records.filter((r) => evaluate(tree, r));
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        error = `This search could not be read: ${err.message}`;
        records = [];
      }
    }
    sortRecords(records, '-updated');
    const items = records.map((r) => `<li><strong>${esc(r.attributes.titles[0]?.title ?? r.attributes.doi)}</strong> <code>${esc(r.attributes.doi)}</code></li>`);
    const body = `<p>Search: <code>${esc(query)}</code></p>
<p>${records.length === 1 ? '1 DOI' : `${records.length} DOIs`}</p>
${items.length ? `<ul class="dois">${items.join('\n')}</ul>` : ''}`;
    const html = page({ title: 'Search DOIs', provider: 'DataCite Commons', body, status: error });
    sendText(res, error ? 400 : 200, req.method === 'HEAD' ? '' : html, 'text/html');
  }

  function listDois(req, res, url) {
    const p = url.searchParams;
    const ids = p.get('ids');
    if (ids !== null && ids.trim()) return listByIds(req, res, url, ids);
    let records = [...state.dois.values()].filter(findable);

    const userId = p.get('user-id');
    if (userId) {
      // lupo normalises the value to the ORCID URL, so bare iDs and URLs both work; junk matches nothing.
      const orcid = bareOrcid(userId);
      records = orcid
        ? records.filter((r) => r.attributes.creators.some((c) => c.nameIdentifiers.some((n) => bareOrcid(n.nameIdentifier) === orcid)))
        : [];
    }
    if (truthy(p.get('has-person'))) {
      records = records.filter((r) => r.attributes.creators.some((c) => c.nameIdentifiers.some((n) => n.nameIdentifierScheme === 'ORCID')));
    }
    const resourceTypes = p.get('resource-type-id');
    if (resourceTypes) {
      // lupo camelises the id (journal-article → JournalArticle); compare without separators.
      const squash = (s) => s.toLowerCase().replace(/[-_\s]/g, '');
      const wanted = new Set(resourceTypes.split(',').map(squash));
      records = records.filter((r) => wanted.has(squash(r.attributes.types.resourceTypeGeneral)));
    }
    const listFilter = (param, get) => {
      const value = p.get(param);
      if (!value) return;
      const wanted = new Set(value.toLowerCase().split(','));
      records = records.filter((r) => wanted.has(String(get(r)).toLowerCase()));
    };
    listFilter('client-id', (r) => r.clientId);
    listFilter('provider-id', (r) => r.providerId);
    listFilter('prefix', (r) => r.attributes.prefix);

    const query = p.get('query');
    if (query && query.trim()) {
      let tree;
      try {
        tree = parseQuery(query);
        records = records.filter((r) => evaluate(tree, r));
      } catch (err) {
        if (err instanceof QueryError) return sendJson(req, res, 400, errorBody(400, err.message));
        throw err;
      }
    }

    const size = Math.min(MAX_PAGE_SIZE, Math.max(0, Number.parseInt(p.get('page[size]') ?? `${DEFAULT_PAGE_SIZE}`, 10) || 0));
    const cursor = p.get('page[cursor]');
    const total = records.length;
    let page;
    let next = null;
    let pageNumber = null;

    if (cursor !== null) {
      // DataCite's cursor mode is always `created` ascending; follow links.next until it is absent.
      records.sort((a, b) => Date.parse(a.attributes.created) - Date.parse(b.attributes.created) || a.attributes.doi.localeCompare(b.attributes.doi));
      let start = 0;
      if (cursor !== '1' && cursor !== '') {
        let after;
        try {
          after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
        } catch {
          return sendJson(req, res, 400, errorBody(400, 'Invalid cursor'));
        }
        if (!Array.isArray(after)) return sendJson(req, res, 400, errorBody(400, 'Invalid cursor'));
        const [afterCreated, afterDoi] = after;
        start = records.findIndex((r) => {
          const created = Date.parse(r.attributes.created);
          return created > afterCreated || (created === afterCreated && r.attributes.doi.localeCompare(afterDoi) > 0);
        });
        if (start === -1) start = records.length;
      }
      page = records.slice(start, start + size);
      // "links.next is omitted when the page is short" — so a full last page still gets one.
      if (size > 0 && page.length === size) next = withParams(url, { 'page[cursor]': cursorOf(page.at(-1)), 'page[number]': null });
    } else {
      sortRecords(records, p.get('sort'));
      pageNumber = Math.max(1, Number.parseInt(p.get('page[number]') ?? '1', 10) || 1);
      if (size > 0 && (pageNumber - 1) * size >= PAGE_NUMBER_WINDOW) {
        return sendJson(req, res, 400, errorBody(400, `page[number] only reaches the first ${PAGE_NUMBER_WINDOW} results; use page[cursor] to go further.`));
      }
      page = records.slice((pageNumber - 1) * size, pageNumber * size);
      const reachable = Math.min(total, PAGE_NUMBER_WINDOW);
      if (size > 0 && pageNumber * size < reachable) next = withParams(url, { 'page[number]': String(pageNumber + 1), 'page[size]': String(size) });
    }

    const options = renderOptions(url);
    const meta = {
      total,
      totalPages: size > 0 ? Math.ceil(Math.min(total, PAGE_NUMBER_WINDOW) / size) : 0,
      page: pageNumber,
    };
    if (!truthy(p.get('disable-facets'))) Object.assign(meta, facets(records));
    const body = {
      data: page.map((r) => renderDoi(r, options)),
      meta,
      links: { self: `${baseUrl(req)}${url.pathname}${url.search}`, ...(next ? { next: `${baseUrl(req)}${next}` } : {}) },
    };
    if ((p.get('include') ?? '').split(',').includes('client')) {
      const clients = [...new Set(page.map((r) => r.clientId))];
      body.included = clients.map((id) => ({ id, type: 'clients', attributes: { name: `Repository ${id}`, symbol: id.toUpperCase(), clientType: 'repository' } }));
    }
    return sendJson(req, res, 200, body);
  }

  /**
   * `GET /dois?ids=a,b,…`, lupo's `find_by_ids`: the DOIs named (split at commas, matched whatever
   * their case), with no other filter (not even `state`: lupo's controller does not pass it on), sorted
   * by `sort` (default `-updated`), paged by page[size] (default 25) and page[number].
   */
  function listByIds(req, res, url, ids) {
    const p = url.searchParams;
    const wanted = new Set(ids.split(',').map(bareDoi).filter(Boolean));
    const records = [...state.dois.values()].filter((r) => wanted.has(r.attributes.doi));
    sortRecords(records, p.get('sort'));
    const size = Math.min(MAX_PAGE_SIZE, Math.max(0, Number.parseInt(p.get('page[size]') ?? `${DEFAULT_PAGE_SIZE}`, 10) || 0));
    const pageNumber = Math.max(1, Number.parseInt(p.get('page[number]') ?? '1', 10) || 1);
    const page = records.slice((pageNumber - 1) * size, pageNumber * size);
    const meta = { total: records.length, totalPages: size > 0 ? Math.ceil(records.length / size) : 0, page: pageNumber };
    if (!truthy(p.get('disable-facets'))) Object.assign(meta, facets(records));
    const options = renderOptions(url);
    return sendJson(req, res, 200, {
      data: page.map((r) => renderDoi(r, options)),
      meta,
      links: { self: `${baseUrl(req)}${url.pathname}${url.search}` },
    });
  }

  // -------------------------------------------------------------------------------------------------
  // This double's own control endpoints (not DataCite's), next to the shared ones (README.md "Test
  // controls"; faults without a `body` answer DataCite's JSON:API error for their status).
  //
  //   POST   /_control/dois        a DOI's attributes ({"doi", "creators", …}, or {"data":{"attributes":{…}}});
  //                                 adds or replaces it with `updated` = now (a new registration or update;
  //                                 an `updated` in the body is ignored). Works during an outage (`down`):
  //                                 the DOI is stored and listed once the outage ends.
  //   DELETE /_control/dois/{doi}  forget a DOI
  //   POST   /_control/reset       also puts back the start-up fixtures
  const controlRoutes = {
    'POST dois': async ({ payload }) => {
      const p = await payload();
      const input = p.data?.attributes ? { ...p.data.attributes, doi: p.data.attributes.doi ?? p.data.id } : p;
      const now = new Date().toISOString();
      let record;
      try {
        record = normalizeDoi({ ...input, updated: undefined }, { now });
      } catch (err) {
        return [400, { error: err.message }];
      }
      const existing = state.dois.get(record.attributes.doi);
      if (existing) {
        // An update keeps the DOI's history; only `updated` moves.
        record.attributes.created = input.created ?? existing.attributes.created;
        record.attributes.registered = input.registered ?? existing.attributes.registered ?? record.attributes.registered;
      }
      record.attributes.updated = now;
      state.dois.set(record.attributes.doi, record);
      return [existing ? 200 : 201, { data: renderDoi(record, { publisherObject: true, affiliationObjects: true }) }];
    },
    'DELETE dois/*': ({ rest }) => {
      const doi = bareDoi(decodeURIComponent(rest));
      return [state.dois.delete(doi) ? 200 : 404, { deleted: doi }];
    },
  };

  const control = createControl({
    config: { latencyMs },
    routes: controlRoutes,
    reset: () => { state.dois = load(); },
    outage: 'service',
    send: sendJson,
    faultBody: (status) => errorBody(status, FAULT_TITLES[status] ?? http.STATUS_CODES[status] ?? 'Error'),
    onError: (err, req, res) => {
      if (res.headersSent) return res.destroy(err);
      return sendJson(req, res, 500, errorBody(500, err.message));
    },
  });
  Object.assign(state, {
    config: control.config, faults: control.faults, stats: control.stats, log: control.log,
  });

  const server = http.createServer(control.handler(handle));
  const actualPort = await listen(server, port, host);
  const baseUrl = (req) => `http://${req.headers.host ?? `${reachableHost(host)}:${actualPort}`}`;

  return {
    url: `http://${reachableHost(host)}:${actualPort}`,
    port: actualPort,
    state,
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function sortRecords(records, sort) {
  // DataCite's default order is `-updated`. `relevance` has no scores here, so it keeps the default.
  const spec = sort && sort !== 'relevance' && sort !== '-relevance' ? sort : '-updated';
  const desc = spec.startsWith('-');
  const key = spec.replace(/^-/, '');
  const value = (r) => {
    const a = r.attributes;
    switch (key) {
      case 'created': case 'updated': case 'registered': return Date.parse(a[key] ?? 0);
      case 'published': return Number(a.publicationYear);
      case 'name': return a.doi;
      case 'title': return a.titles[0]?.title?.toLowerCase() ?? '';
      default: return Date.parse(a.updated);
    }
  };
  records.sort((x, y) => {
    const a = value(x);
    const b = value(y);
    const order = a < b ? -1 : a > b ? 1 : x.attributes.doi.localeCompare(y.attributes.doi);
    return desc ? -order : order;
  });
}

/** A few of lupo's facets (sent as arrays unless disable-facets is set), as {id, title, count}. */
function facets(records) {
  const count = (get, title = (id) => id) => {
    const counts = new Map();
    for (const r of records) {
      const id = get(r);
      if (id != null) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
      .map(([id, c]) => ({ id: String(id), title: title(String(id)), count: c }));
  };
  return {
    states: count((r) => r.attributes.state, (id) => id[0].toUpperCase() + id.slice(1)),
    resourceTypes: count((r) => r.attributes.types.resourceTypeGeneral.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
      (id) => id.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ')),
    created: count((r) => r.attributes.created.slice(0, 4)),
    published: count((r) => String(r.attributes.publicationYear)),
    registered: count((r) => r.attributes.registered?.slice(0, 4) ?? null),
    providers: count((r) => r.providerId),
    clients: count((r) => r.clientId),
    prefixes: count((r) => r.attributes.prefix),
  };
}

/** Path and query of `url` with some parameters replaced (null removes one); other parameters are kept. */
function withParams(url, changes) {
  const params = new URLSearchParams(url.searchParams);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) params.delete(key);
    else params.set(key, value);
  }
  return `${url.pathname}?${params}`;
}

function sendJson(req, res, status, body, headers = {}) {
  // DataCite answers with the JSON:API media type, and plain application/json for callers that ask for it.
  const plain = /application\/json/i.test(req.headers.accept ?? '') && !/application\/vnd\.api\+json/i.test(req.headers.accept ?? '');
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `${plain ? 'application/json' : 'application/vnd.api+json'}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
