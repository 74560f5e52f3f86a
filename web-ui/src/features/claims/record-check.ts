import type { ReconcileReport } from './api/check-orcid-record';

const works = (n: number) => (n === 1 ? '1 work' : `${n} works`);

/**
 * What "Check my ORCID record" found, in sentences for the page's live region: "Your ORCID record
 * holds 12 works. 1 you removed on orcid.org is marked so; 1 already there from another source was
 * not added twice." When nothing needed changing, it says so.
 */
export function recordCheckSummary(report: ReconcileReport): string {
  const holds =
    report.works_in_record === 0
      ? 'Your ORCID record holds no works.'
      : `Your ORCID record holds ${works(report.works_in_record)}.`;
  const changes: string[] = [];
  const { removed_in_orcid: removed, already_in_record: elsewhere, adopted } = report;
  if (removed > 0) {
    changes.push(removed === 1 ? '1 you removed on orcid.org is marked so' : `${removed} you removed on orcid.org are marked so`);
  }
  if (elsewhere > 0) {
    changes.push(
      elsewhere === 1
        ? '1 already there from another source was not added twice'
        : `${elsewhere} already there from other sources were not added twice`,
    );
  }
  if (adopted > 0) {
    changes.push(
      adopted === 1
        ? '1 that Profiles had added before was found there'
        : `${adopted} that Profiles had added before were found there`,
    );
  }
  if (changes.length === 0) return `${holds} Your claims match it: nothing needed changing.`;
  return `${holds} ${changes.join('; ')}.`;
}
