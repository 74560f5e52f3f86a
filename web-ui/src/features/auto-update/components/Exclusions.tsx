import { useId, useState, type SubmitEvent } from 'react';
import { ApiError } from '../../../api/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDate } from '../../../lib/format';
import { useAddExclusion, useExclusions, useRemoveExclusion, type Exclusion } from '../api/exclusions';
import {
  EXCLUSION_KIND_ORDER,
  EXCLUSION_KINDS,
  exclusionOrigin,
  exclusionWords,
  type ExclusionKind,
} from '../exclusion-words';

const sentence = (text: string) => {
  const trimmed = text.trim();
  const upper = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
};

/**
 * What Auto-Update leaves out (`GET /api/v1/auto-update/exclusions`): each with why it is there (the
 * person added it, removed the work, dismissed the DOI) and "Stop excluding"; and a form to add one,
 * by kind, with a hint per kind and the API's 422 at the field.
 */
export function Exclusions() {
  const exclusions = useExclusions();
  const add = useAddExclusion();
  const remove = useRemoveExclusion();
  const [kind, setKind] = useState<ExclusionKind>('doi');
  const [value, setValue] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const ids = useId();
  const kindId = `${ids}-kind`;
  const valueId = `${ids}-value`;
  const needsValue = kind !== 'versions_and_parts';
  const words = EXCLUSION_KINDS[kind];

  // A 422 names its field: shown there; anything else above the form.
  const fieldError =
    add.error instanceof ApiError
      ? (add.error.fieldErrors.find((f) => f.field === 'value' || f.field === 'kind') ??
        (add.error.status === 422 ? { field: 'value', message: add.error.message } : undefined))
      : undefined;
  const valueError = fieldError && needsValue ? sentence(fieldError.message) : undefined;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAnnouncement('');
    remove.reset();
    add.mutate(needsValue ? { kind, value: value.trim() } : { kind }, {
      onSuccess: (exclusion) => {
        setValue('');
        setAnnouncement(`Auto-Update now leaves out: ${exclusionWords(exclusion)}.`);
      },
    });
  };

  const stop = (exclusion: Exclusion) => {
    setAnnouncement('');
    add.reset();
    remove.mutate(exclusion.id, {
      onSuccess: () => {
        setAnnouncement(`Auto-Update no longer leaves out: ${exclusionWords(exclusion)}.`);
      },
    });
  };

  let list;
  if (exclusions.isPending) {
    list = <Loading>Loading your exclusions…</Loading>;
  } else if (exclusions.isError) {
    list = (
      <ErrorAlert
        error={exclusions.error}
        context="Could not load your exclusions."
        onRetry={() => void exclusions.refetch()}
        retrying={exclusions.isFetching}
      />
    );
  } else if (exclusions.data.length === 0) {
    list = <p className="muted">Nothing is excluded. Auto-Update takes in every DOI that names you.</p>;
  } else {
    list = (
      <ul className="session-list" aria-label="Your exclusions">
        {exclusions.data.map((exclusion) => (
          <ExclusionRow
            key={exclusion.id}
            exclusion={exclusion}
            busy={remove.isPending}
            removing={remove.isPending && remove.variables === exclusion.id}
            onStop={() => {
              stop(exclusion);
            }}
          />
        ))}
      </ul>
    );
  }

  return (
    <section className="card" aria-labelledby="exclusions-heading">
      <h3 id="exclusions-heading">What Auto-Update leaves out</h3>
      <p className="muted">
        Auto-Update does not add or propose DOIs that match one of these. A DOI you remove from your ORCID record or
        dismiss is listed too, so it is not added again; adding it yourself with Search &amp; Link lifts that.
      </p>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {remove.isError && <ErrorAlert error={remove.error} context="Nothing was changed." />}
      {list}
      <form className="form" onSubmit={submit} noValidate>
        <h4>Add an exclusion</h4>
        <div className="field">
          <label htmlFor={kindId}>Leave out</label>
          <select
            id={kindId}
            value={kind}
            onChange={(event) => {
              setKind(event.target.value as ExclusionKind);
              add.reset();
            }}
          >
            {EXCLUSION_KIND_ORDER.map((k) => (
              <option key={k} value={k}>
                {EXCLUSION_KINDS[k].option}
              </option>
            ))}
          </select>
          {!needsValue && (
            <p className="field__hint" id={`${valueId}-hint`}>
              {words.hint}
            </p>
          )}
        </div>
        {needsValue && (
          <div className="field">
            <label htmlFor={valueId}>{words.label}</label>
            <input
              id={valueId}
              type="text"
              value={value}
              maxLength={500}
              required
              aria-invalid={valueError ? true : undefined}
              aria-describedby={[`${valueId}-hint`, valueError ? `${valueId}-error` : ''].filter(Boolean).join(' ')}
              onChange={(event) => {
                setValue(event.target.value);
              }}
            />
            <p className="field__hint" id={`${valueId}-hint`}>
              {words.hint}
            </p>
            {valueError && (
              <p id={`${valueId}-error`} className="field__error">
                {valueError}
              </p>
            )}
          </div>
        )}
        {add.isError && !valueError && <ErrorAlert error={add.error} context="The exclusion was not added." />}
        <div className="form__actions">
          <button type="submit" className="button" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add exclusion'}
          </button>
        </div>
      </form>
    </section>
  );
}

interface ExclusionRowProps {
  exclusion: Exclusion;
  busy: boolean;
  removing: boolean;
  onStop: () => void;
}

function ExclusionRow({ exclusion, busy, removing, onStop }: ExclusionRowProps) {
  const titleId = useId();
  return (
    <li className="session">
      <div className="session__what">
        <strong id={titleId}>{exclusionWords(exclusion)}</strong>
        <span className="session__agent">
          {exclusionOrigin(exclusion.origin)} {`Since ${formatDate(exclusion.created_at)}.`}
        </span>
      </div>
      <button
        type="button"
        className="button button--secondary"
        aria-describedby={titleId}
        disabled={busy}
        onClick={onStop}
      >
        {removing ? 'Removing…' : 'Stop excluding'}
      </button>
    </li>
  );
}
