import { useId, useState, type SubmitEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import {
  claimPill,
  claimStatus,
  NO_LONGER_NAMED,
  dismissedNotice,
  noticeHolds,
  queuedNotice,
  type ClaimNotice,
  type ClaimRemedy,
  type ClaimState,
} from '../../../lib/claims';
import { useClaim } from '../api/get-claim';
import { useCreateClaim } from '../api/create-claim';
import { useDismissClaim } from '../api/dismiss-claim';
import { useRemoveClaim } from '../api/remove-claim';
import { useRetryClaim } from '../api/retry-claim';
import { useWorks, type Work } from '../api/get-works';
import { ClaimActions, ClaimReasonText } from './ClaimRemedy';

/**
 * Settled states whose row says why (the works list has the state only): the claim is fetched for
 * it. For `ignored` that also tells a claim the person dismissed from one Auto-Update skipped (or
 * one already in the record from another source); for `removed_in_orcid`, the day it was removed;
 * for `done`, whether DataCite still names the person (`no_longer_named`).
 */
const EXPLAINED_STATES: readonly ClaimState[] = ['failed', 'waiting_for_permission', 'ignored', 'removed_in_orcid', 'done'];

interface YourDoisProps {
  searchUrl?: string | undefined;
  /** This page, where ORCID sends the browser back to after "Enable …" in a row. */
  returnTo: string;
}

/**
 * Search & Link: the DOIs that name you in DataCite (or a DataCite search), each with "Add to ORCID
 * record" or its claim's live state (polled while queued or in progress), the reason once it
 * settles, and what helps: "Try again" (or "Dismiss") when it failed, "Add again" once dismissed,
 * "Enable …" when it waits for a permission.
 */
export function YourDois({ searchUrl, returnTo }: YourDoisProps) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const works = useWorks({ query, page });
  const create = useCreateClaim();
  const retry = useRetryClaim();
  const dismiss = useDismissClaim();
  const remove = useRemoveClaim();
  const [removing, setRemoving] = useState<Work | null>(null);
  const [notice, setNotice] = useState<ClaimNotice | null>(null);
  const searchId = useId();

  // A notice lasts while the claim it is about stays as the action left it; then the row says more.
  const noticed = notice ? works.data?.data.find((w) => w.claim?.id === notice.claimId)?.claim : null;
  if (notice && !noticeHolds(notice, noticed)) setNotice(null);

  const startOver = () => {
    setNotice(null);
    create.reset();
    retry.reset();
    dismiss.reset();
  };

  const search = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    startOver();
    setQuery(draft.trim());
    setPage(1);
  };

  const add = (work: Work) => {
    startOver();
    // Runs once the lists were fetched again, so the notice is checked against the fresh state.
    create.mutate(
      { doi: work.doi },
      {
        onSuccess: (claim) => {
          setNotice(queuedNotice({ ...claim, doi: work.doi }));
        },
      },
    );
  };

  const tryAgain = (work: Work, claimId: string) => {
    startOver();
    retry.mutate(claimId, {
      onSuccess: (claim) => {
        setNotice(queuedNotice({ ...claim, doi: work.doi }, true));
      },
    });
  };

  const addAgain = (work: Work, source: NonNullable<Work['claim']>['source']) => {
    startOver();
    create.mutate(
      { doi: work.doi, source },
      {
        onSuccess: (claim) => {
          setNotice(queuedNotice({ ...claim, doi: work.doi }, true));
        },
      },
    );
  };

  // Nothing is asked of ORCID, and it can be added again: no confirmation.
  const setAside = (work: Work, claimId: string) => {
    startOver();
    dismiss.mutate(claimId, {
      onSuccess: (claim) => {
        setNotice(dismissedNotice({ ...claim, doi: work.doi }));
      },
    });
  };

  const confirmRemove = () => {
    const work = removing;
    const claimId = work?.claim?.id;
    if (!work || !claimId) return;
    remove.mutate(claimId, {
      onSuccess: () => {
        setRemoving(null);
        setNotice(null);
      },
    });
  };

  /** Which of a row's actions is under way. */
  const busyWith = (work: Work): ClaimRemedy['kind'] | null => {
    const claimId = work.claim?.id;
    if (retry.isPending && retry.variables === claimId) return 'retry';
    if (dismiss.isPending && dismiss.variables === claimId) return 'dismiss';
    if (create.isPending && create.variables.doi === work.doi && create.variables.source) return 'add_again';
    return null;
  };

  let body;
  if (works.isPending) {
    body = <Loading>Loading your DOIs…</Loading>;
  } else if (works.isError) {
    body = (
      <ErrorAlert
        error={works.error}
        context="Could not load DOIs from DataCite."
        onRetry={() => void works.refetch()}
        retrying={works.isFetching}
      />
    );
  } else if (works.data.data.length === 0) {
    body = <p className="muted">{query ? `No DOIs match “${query}”.` : 'No DOIs in DataCite name your ORCID iD yet.'}</p>;
  } else {
    const { meta } = works.data;
    body = (
      <>
        <p className="muted">{meta.total === 1 ? '1 DOI' : `${meta.total} DOIs`}</p>
        <ul className="session-list">
          {works.data.data.map((work) => (
            <WorkRow
              key={work.doi}
              work={work}
              returnTo={returnTo}
              adding={create.isPending && create.variables.doi === work.doi}
              busy={busyWith(work)}
              onAdd={() => {
                add(work);
              }}
              onRetry={(claimId) => {
                tryAgain(work, claimId);
              }}
              onDismiss={(claimId) => {
                setAside(work, claimId);
              }}
              onAddAgain={(source) => {
                addAgain(work, source);
              }}
              onRemove={() => {
                startOver();
                remove.reset();
                setRemoving(work);
              }}
            />
          ))}
        </ul>
        <Pagination
          label="DOI pages"
          page={meta.page}
          totalPages={meta.total_pages}
          busy={works.isFetching}
          onPage={(next) => {
            startOver();
            setPage(next);
          }}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="your-dois-heading">
      <h3 id="your-dois-heading">Your DOIs in DataCite</h3>
      <p className="muted">
        Add a work to your ORCID record with Search &amp; Link. Without a search, the DOIs that name your ORCID iD are
        listed.
        {searchUrl && (
          <>
            {' '}
            You can also <a href={searchUrl}>find your works in DataCite Search</a>.
          </>
        )}
      </p>
      <form className="search-form" role="search" onSubmit={search}>
        <div className="field">
          <label htmlFor={searchId}>Search DataCite</label>
          <input
            id={searchId}
            type="search"
            value={draft}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
          />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <div role="status" className="status-line">
        {notice?.text}
      </div>
      {create.isError && (
        <ErrorAlert error={create.error} context={`Could not add ${create.variables.doi} to your ORCID record.`} />
      )}
      {retry.isError && <ErrorAlert error={retry.error} context="Could not try the claim again." />}
      {dismiss.isError && <ErrorAlert error={dismiss.error} context="Could not dismiss the claim." />}
      {body}
      {removing && (
        <ConfirmDialog
          title="Remove from ORCID record?"
          confirmLabel="Remove"
          destructive
          busy={remove.isPending}
          error={remove.isError ? <ErrorAlert error={remove.error} context="Nothing was changed." /> : null}
          onConfirm={confirmRemove}
          onCancel={() => {
            setRemoving(null);
            remove.reset();
          }}
        >
          <p>
            DataCite will remove {removing.title ? `“${removing.title}” (${removing.doi})` : removing.doi} from your
            ORCID record.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface WorkRowProps {
  work: Work;
  returnTo: string;
  adding: boolean;
  /** Which of the row's claim actions (Try again, Dismiss, Add again) is under way, if any. */
  busy: ClaimRemedy['kind'] | null;
  onAdd: () => void;
  onRetry: (claimId: string) => void;
  onDismiss: (claimId: string) => void;
  onAddAgain: (source: NonNullable<Work['claim']>['source']) => void;
  onRemove: () => void;
}

/**
 * What this page offers; removing is on the list of claims, except for a work DataCite no longer
 * names the person for, whose note says they may remove it.
 */
const OFFERED: readonly ClaimRemedy['kind'][] = ['retry', 'enable', 'dismiss', 'add_again'];
const offered = (remedy: ClaimRemedy | null | undefined, noLongerNamed = false) =>
  remedy && (OFFERED.includes(remedy.kind) || (noLongerNamed && remedy.kind === 'remove')) ? remedy : null;

function WorkRow({ work, returnTo, adding, busy, onAdd, onRetry, onDismiss, onAddAgain, onRemove }: WorkRowProps) {
  const titleId = useId();
  // A removed claim is as good as none here: the DOI can be added again.
  const claim = work.claim && work.claim.state !== 'deleted' ? work.claim : null;
  const explained = claim !== null && EXPLAINED_STATES.includes(claim.state);
  const detail = useClaim(claim?.id ?? '', explained);
  // Only what was fetched for the state the row shows: an older answer would say the wrong thing.
  const known =
    claim && detail.data?.state === claim.state && detail.data.action === claim.action ? detail.data : undefined;
  // Skipped or dismissed is only known from the claim itself: until it comes, the row says neither.
  const unknown = claim?.state === 'ignored' && !known && (detail.isPending || detail.isFetching);
  const status =
    claim && !unknown ? claimStatus({ ...claim, error: known?.error, skip_reason: known?.skip_reason }) : null;
  const noLongerNamed = known?.state === 'done' && known.error?.code === NO_LONGER_NAMED;
  const remedy = offered(status?.remedy, noLongerNamed);
  const secondary = offered(status?.secondary);
  // A DOI already in the record (added some other way) reads like a claim that is done, and says
  // who added it when the record told.
  const inRecord = work.in_orcid_record || Boolean(work.in_record_from);
  const pill = status ? status.pill : inRecord ? claimPill({ state: 'done', action: 'create' }, 'person') : null;
  const reason =
    status?.reason ??
    (!claim && work.in_record_from
      ? { text: `Already in your ORCID record, added by ${work.in_record_from}.`, tone: 'muted' as const }
      : null);
  return (
    <li className="session">
      <div className="session__what">
        <strong id={titleId}>{work.title ?? work.doi}</strong>
        {pill && <span className={`pill pill--${pill.tone}`}>{pill.label}</span>}
        <span className="session__agent">
          <a href={work.doi_url}>{work.doi}</a>
          {work.publication_year ? ` · ${work.publication_year}` : ''}
          {work.journal_title ? ` · ${work.journal_title}` : ''}
        </span>
        <ClaimReasonText reason={reason} />
      </div>
      {!pill && !unknown && (
        <button type="button" className="button" aria-describedby={titleId} disabled={adding} onClick={onAdd}>
          {adding ? 'Adding…' : 'Add to ORCID record'}
        </button>
      )}
      {claim && (
        <ClaimActions
          remedy={remedy}
          secondary={secondary}
          describedBy={titleId}
          returnTo={returnTo}
          busy={busy}
          onRetry={() => {
            onRetry(claim.id);
          }}
          onDismiss={() => {
            onDismiss(claim.id);
          }}
          onAddAgain={() => {
            onAddAgain(claim.source);
          }}
          onRemove={onRemove}
        />
      )}
    </li>
  );
}
