import { useId, useState, type SubmitEvent } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import { claimPill } from '../../../lib/claims';
import { useCreateClaim } from '../api/create-claim';
import { useWorks, type Work } from '../api/get-works';

/**
 * Search & Link: the DOIs that name you in DataCite (or a DataCite search), each with "Add to ORCID
 * record" or where its claim stands.
 */
export function YourDois({ searchUrl }: { searchUrl?: string | undefined }) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const works = useWorks({ query, page });
  const create = useCreateClaim();
  const [announcement, setAnnouncement] = useState('');
  const searchId = useId();

  const search = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setQuery(draft.trim());
    setPage(1);
  };

  const add = (work: Work) => {
    setAnnouncement('');
    create.mutate(work.doi, {
      onSuccess: (claim) => {
        setAnnouncement(
          claim.state === 'waiting_for_permission'
            ? `${work.doi} will be added to your ORCID record once you enable Search & Link.`
            : `${work.doi} is queued for your ORCID record.`,
        );
      },
    });
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
              adding={create.isPending && create.variables === work.doi}
              onAdd={() => {
                add(work);
              }}
            />
          ))}
        </ul>
        <Pagination
          label="DOI pages"
          page={meta.page}
          totalPages={meta.total_pages}
          busy={works.isFetching}
          onPage={setPage}
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
        {announcement}
      </div>
      {create.isError && (
        <ErrorAlert error={create.error} context={`Could not add ${create.variables} to your ORCID record.`} />
      )}
      {body}
    </section>
  );
}

function WorkRow({ work, adding, onAdd }: { work: Work; adding: boolean; onAdd: () => void }) {
  const titleId = useId();
  const claim = work.claim && work.claim.state !== 'deleted' ? work.claim : null;
  // A DOI already in the record (added some other way) reads like a claim that is done.
  const pill = claim
    ? claimPill(claim, 'person')
    : work.in_orcid_record
      ? claimPill({ state: 'done', action: 'create' }, 'person')
      : null;
  return (
    <li className="session">
      <div className="session__what">
        <strong id={titleId}>{work.title ?? work.doi}</strong>
        <span className="session__agent">
          <a href={work.doi_url}>{work.doi}</a>
          {work.publication_year ? ` · ${work.publication_year}` : ''}
          {work.journal_title ? ` · ${work.journal_title}` : ''}
        </span>
      </div>
      {pill ? (
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
      ) : (
        <button type="button" className="button" aria-describedby={titleId} disabled={adding} onClick={onAdd}>
          {adding ? 'Adding…' : 'Add to ORCID record'}
        </button>
      )}
    </li>
  );
}
