import { ServiceStatus } from '../features/status/components/ServiceStatus';

export function HomePage() {
  return (
    <>
      <title>Profiles</title>
      <h1>Your researcher account</h1>
      <p className="lead">
        Sign in to link your identities, keep your ORCID record up to date and claim your works.
      </p>
      <ServiceStatus />
    </>
  );
}
