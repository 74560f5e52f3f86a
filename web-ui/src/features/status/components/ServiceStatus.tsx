import { errorMessage } from '../../../api/errors';
import { useStatus, type Status } from '../api/get-status';

const DATABASE_LABELS: Record<Status['database'], string> = {
  ok: 'Available',
  unavailable: 'Unavailable',
};

/** The API's version and health, from `GET /api/v1/status`. */
export function ServiceStatus() {
  const status = useStatus();

  return (
    <section className="card" aria-labelledby="service-status-heading">
      <h2 id="service-status-heading">Service status</h2>
      {status.isPending ? (
        <p role="status">Loading service status…</p>
      ) : status.isError ? (
        <div role="alert" className="error">
          <p>Could not load the service status. {errorMessage(status.error)}</p>
          <button type="button" onClick={() => void status.refetch()} disabled={status.isFetching}>
            {status.isFetching ? 'Retrying…' : 'Try again'}
          </button>
        </div>
      ) : (
        <dl className="facts">
          <div>
            <dt>Version</dt>
            <dd>{status.data.version}</dd>
          </div>
          <div>
            <dt>Database</dt>
            <dd data-state={status.data.database}>{DATABASE_LABELS[status.data.database]}</dd>
          </div>
          <div>
            <dt>Jobs queued</dt>
            {/* Absent or null while the database is unavailable. */}
            <dd>{status.data.queue_depth ?? 'Not available'}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
