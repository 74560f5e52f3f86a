import { ApiReference } from '../features/api-docs/components/ApiReference';

/** `/api/docs`: the API reference, read from the server's OpenAPI document, with "Try it out". */
export function ApiDocsPage() {
  return (
    <>
      <title>API reference · Profiles</title>
      <ApiReference />
    </>
  );
}
