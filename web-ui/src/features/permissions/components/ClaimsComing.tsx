/**
 * Stand-ins for the claim statistics and the Search & Link list, which need the claims API (a later
 * task). They say so plainly and show no numbers.
 */
export function ClaimsComing({ searchUrl }: { searchUrl?: string | undefined }) {
  return (
    <div className="permission-grid">
      <section className="card card--placeholder" aria-labelledby="claim-stats-heading">
        <div className="card__header">
          <h3 id="claim-stats-heading">Claim statistics</h3>
          <span className="pill pill--neutral">Coming</span>
        </div>
        <p>Claim statistics appear here once the claims service is available.</p>
      </section>
      <section className="card card--placeholder" aria-labelledby="claim-list-heading">
        <div className="card__header">
          <h3 id="claim-list-heading">Your claimed works</h3>
          <span className="pill pill--neutral">Coming</span>
        </div>
        <p>The works you add to ORCID with Search & Link will be listed here once the claims service is available.</p>
        {searchUrl && (
          <p>
            Meanwhile, you can <a href={searchUrl}>find your works in DataCite Search</a>.
          </p>
        )}
      </section>
    </div>
  );
}
