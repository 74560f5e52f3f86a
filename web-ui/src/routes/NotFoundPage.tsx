import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <>
      <title>Page not found · Profiles</title>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to="/">Go to the home page</Link>.
      </p>
    </>
  );
}
