import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { Loading } from '../../../components/Loading';
import { OPENAPI_URL, useOpenApi } from '../api/get-openapi';
import { groupByTag, schemaAnchor, type OpenApiDocument } from '../openapi';
import '../api-docs.css';
import { Authorize } from './Authorize';
import { DocText } from './DocText';
import { Operation } from './Operation';
import { SchemaDetails } from './SchemaView';

/**
 * The API reference: the server's OpenAPI document (`/api/openapi.json`) as a page, operations by
 * tag, each with "Try it out", and an "Authorize" box whose token stays in this page's memory.
 */
export function ApiReference() {
  const openApi = useOpenApi();

  if (openApi.isPending) {
    return (
      <>
        <h1>API reference</h1>
        <Loading>Loading the API description…</Loading>
      </>
    );
  }
  if (openApi.isError) {
    return (
      <>
        <h1>API reference</h1>
        <div role="alert" className="error">
          <p>Could not load the API description. {openApi.error.message}</p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              void openApi.refetch();
            }}
            disabled={openApi.isFetching}
          >
            {openApi.isFetching ? 'Retrying…' : 'Try again'}
          </button>
        </div>
      </>
    );
  }
  return <Reference doc={openApi.data} />;
}

function Reference({ doc }: { doc: OpenApiDocument }) {
  const [token, setToken] = useState<string>();
  const groups = useMemo(() => groupByTag(doc), [doc]);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const { hash } = useLocation();

  // An address naming an operation or a schema (#op-me, #schema-ClaimView): open it and go there,
  // now that the page has it.
  useEffect(() => {
    if (!hash) return;
    const target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target instanceof HTMLDetailsElement) target.open = true;
    target?.scrollIntoView();
  }, [hash]);

  return (
    <div className="api-docs">
      <h1>{doc.info.title}</h1>
      <p className="lead">
        {doc.info.version && <>Version {doc.info.version} · </>}
        {doc.openapi && <>OpenAPI {doc.openapi} · </>}
        <a href={OPENAPI_URL}>openapi.json</a>
      </p>
      <DocText text={doc.info.description} />
      <Authorize token={token} onChange={setToken} />

      <nav aria-label="API sections" className="api-docs__contents">
        <h2>Sections</h2>
        <ul>
          {groups.map((group) => (
            <li key={group.id}>
              <a href={`#${group.id}`}>{group.name}</a> <span className="muted">({group.operations.length})</span>
            </li>
          ))}
          {schemas.length > 0 && (
            <li>
              <a href="#schemas">Schemas</a> <span className="muted">({schemas.length})</span>
            </li>
          )}
        </ul>
      </nav>

      {groups.map((group) => (
        <section key={group.id} id={group.id} className="api-tag" aria-labelledby={`${group.id}-title`}>
          <h2 id={`${group.id}-title`}>{group.name}</h2>
          <DocText text={group.description} />
          <ul className="operations">
            {group.operations.map((op) => (
              <li key={op.id}>
                <Operation doc={doc} op={op} token={token} named={hash === `#${op.id}`} />
              </li>
            ))}
          </ul>
        </section>
      ))}

      {schemas.length > 0 && (
        <section id="schemas" className="api-tag" aria-labelledby="schemas-title">
          <h2 id="schemas-title">Schemas</h2>
          <p>The shapes of the request and response bodies, by name.</p>
          <ul className="schemas">
            {schemas.map(([name, schema]) => (
              <li key={name}>
                <details id={schemaAnchor(name)} className="schema">
                  <summary>
                    <code>{name}</code>
                  </summary>
                  <SchemaDetails doc={doc} schema={schema} />
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
