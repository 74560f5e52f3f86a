// Journey 19: what a researcher types in Search & Link. A DOI pasted in any of its forms finds
// that DOI; words holding DataCite's operator characters are searched as words (no parser error
// reaches the page); a DOI naming the person as a contributor is among "your DOIs".
import { expectAccessible } from '../support/a11y.js';
import { randomDoi, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import { doiRow, openSearch, region, registerDoi, signInWithOrcid } from '../support/flows.js';
import { currentStack } from '../support/stack.js';

/** A DOI at the DataCite double naming `orcid` as a contributor (a data curator) only. */
async function addCuratedDoi(doi, orcid) {
  const res = await fetch(`${currentStack().urls.datacite}/_control/dois`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      doi,
      titles: [{ title: 'Curated survey' }],
      creators: [{ name: 'Researcher, Other', nameType: 'Personal' }],
      contributors: [{
        name: 'Researcher, Curating', contributorType: 'DataCurator', nameType: 'Personal',
        nameIdentifiers: [{ nameIdentifier: `https://orcid.org/${orcid}`, nameIdentifierScheme: 'ORCID' }],
      }],
      publisher: 'E2E Test Repository',
      publicationYear: 2024,
      types: { resourceTypeGeneral: 'Dataset', resourceType: 'Survey data' },
    }),
  });
  if (!res.ok) throw new Error(`POST /_control/dois → ${res.status}`);
}

async function search(page, text) {
  const dois = region(page, 'Your DOIs in DataCite');
  await dois.getByRole('searchbox', { name: 'Search DataCite' }).fill(text);
  await dois.getByRole('button', { name: 'Search', exact: true }).click();
  return dois;
}

test('19. Search & Link: a pasted DOI in any form finds it; odd words are words; contributors count as yours', async ({ page }) => {
  const orcid = randomOrcid();
  const { doi } = await registerDoi([randomOrcid()], 'Pasted DOI');
  // A DOI where the person is a contributor only (a data curator), not a creator.
  const curated = randomDoi('curated');
  await addCuratedDoi(curated, orcid);
  await signInWithOrcid(page, orcid);
  await openSearch(page);
  await expect(doiRow(page, curated)).toBeVisible();
  await expectAccessible(page);

  for (const typed of [doi, `doi:${doi}`, `https://doi.org/${doi.toUpperCase()}`]) {
    const dois = await search(page, typed);
    await expect(doiRow(page, doi)).toBeVisible();
    await expect(dois.getByRole('alert')).toHaveCount(0);
  }
  await expectAccessible(page);

  for (const words of ['title:(', 'pots AND']) {
    const dois = await search(page, words);
    await expect(dois.getByText(/Failed to parse|unescaped|quote it/)).toHaveCount(0);
    await expect(dois.getByRole('alert')).toHaveCount(0);
  }
  await expectAccessible(page);
});
