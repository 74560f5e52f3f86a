/** Shown when the server signs in against ORCID's sandbox, where production ORCID accounts do not exist. */
export function SandboxNotice({ orcidUrl }: { orcidUrl?: string | null }) {
  return (
    <div className="notice notice--warning">
      <p>
        <strong>This service uses the ORCID sandbox.</strong> Your usual ORCID account will not work here: sign
        in with a separate sandbox account
        {orcidUrl ? (
          <>
            {' '}
            from <a href={`${orcidUrl}/register`}>{new URL(orcidUrl).host}</a>
          </>
        ) : null}
        .
      </p>
    </div>
  );
}
