import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  deref,
  enumValues,
  isBrowserFlow,
  orList,
  schemaName,
  securityInWords,
  type OpenApiDocument,
  type Operation as OperationEntry,
  type ResponseObject,
} from '../openapi';
import { DocText } from './DocText';
import { Constraints, SchemaDetails, SchemaLink, TypeName } from './SchemaView';
import { TryItOut } from './TryItOut';

interface OperationProps {
  doc: OpenApiDocument;
  op: OperationEntry;
  token: string | undefined;
  /** The page's address names it (`#op-…`): open it. */
  named?: boolean;
}

/**
 * One operation: a heading with a disclosure button (method, path, summary) and, when open, its
 * description, credentials, parameters, request body, responses and "Try it out".
 */
export function Operation({ doc, op, token, named = false }: OperationProps) {
  const [open, setOpen] = useState(named);
  // Named later (a link to #op-… followed on this page): open it then too.
  const [wasNamed, setWasNamed] = useState(named);
  if (named !== wasNamed) {
    setWasNamed(named);
    if (named) setOpen(true);
  }
  const { operation } = op;
  const panelId = `${op.id}-panel`;
  return (
    <div className="operation" id={op.id}>
      <h3 className="operation__heading">
        <button
          type="button"
          className="operation__toggle"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => {
            setOpen((was) => !was);
          }}
        >
          <span className={`method method--${op.method}`}>{op.method.toUpperCase()}</span>{' '}
          <code className="operation__path">{op.path}</code>{' '}
          {operation.summary && <DocText text={operation.summary} inline className="operation__summary" />}
          {operation.deprecated && <span className="operation__deprecated"> (deprecated)</span>}
        </button>
      </h3>
      <div id={panelId} className="operation__panel" hidden={!open}>
        {operation.deprecated && <p className="notice notice--warning">Deprecated: avoid it in new code.</p>}
        <DocText text={operation.description} />
        <p>
          <strong>Credentials:</strong> {orList(securityInWords(doc, operation))}
        </p>
        <Parameters doc={doc} op={op} />
        <RequestBody doc={doc} op={op} />
        <Responses doc={doc} responses={operation.responses} />
        <h4>Try it out</h4>
        {isBrowserFlow(op.path) ? <BrowserFlow doc={doc} op={op} /> : <TryItOut doc={doc} op={op} token={token} />}
      </div>
    </div>
  );
}

function Parameters({ doc, op }: { doc: OpenApiDocument; op: OperationEntry }) {
  if (op.parameters.length === 0) return null;
  return (
    <>
      <h4>Parameters</h4>
      <ul className="props">
        {op.parameters.map((parameter) => (
          <li key={`${parameter.in}:${parameter.name}`} className="props__item">
            <div className="props__head">
              <code className="props__name">{parameter.name}</code> <span className="muted">in {parameter.in}</span>{' '}
              <TypeName doc={doc} schema={parameter.schema} />{' '}
              {parameter.in === 'path' || parameter.required ? (
                <span className="required">required</span>
              ) : (
                <span className="muted">optional</span>
              )}
              {parameter.deprecated && <span className="muted"> · deprecated</span>}
            </div>
            <Constraints doc={doc} schema={parameter.schema} />
            <DocText text={parameter.description} className="props__doc" />
          </li>
        ))}
      </ul>
    </>
  );
}

function RequestBody({ doc, op }: { doc: OpenApiDocument; op: OperationEntry }) {
  const raw = op.operation.requestBody;
  if (!raw) return null;
  const body = deref(doc, raw);
  const content = Object.entries(body.content ?? {});
  return (
    <>
      <h4>Request body</h4>
      <p>
        {body.required ? <span className="required">required</span> : <span className="muted">optional</span>}
      </p>
      <DocText text={body.description} />
      {content.map(([type, media]) => {
        const name = schemaName(media.schema?.$ref);
        return (
          <div key={type} className="media">
            <p>
              <code>{type}</code>
              {media.schema && (
                <>
                  {': '}
                  {name ? <SchemaLink name={name} /> : <TypeName doc={doc} schema={media.schema} />}
                </>
              )}
            </p>
            {media.schema && <SchemaDetails doc={doc} schema={media.schema} />}
          </div>
        );
      })}
    </>
  );
}

function Responses({ doc, responses }: { doc: OpenApiDocument; responses: Record<string, ResponseObject> | undefined }) {
  const entries = Object.entries(responses ?? {});
  if (entries.length === 0) return null;
  return (
    <>
      <h4>Responses</h4>
      <ul className="responses">
        {entries.map(([status, raw]) => {
          const response = deref(doc, raw);
          const content = Object.entries(response.content ?? {});
          const headers = Object.entries(response.headers ?? {});
          return (
            <li key={status} className="responses__item">
              <div className="responses__head">
                <span className={`status-code status-code--${status.charAt(0)}xx`}>{status}</span>
                <DocText text={response.description} />
              </div>
              {content.length > 0 && (
                <ul className="responses__content">
                  {content.map(([type, media]) => (
                    <li key={type}>
                      <code>{type}</code>
                      {media.schema && (
                        <>
                          {': '}
                          <TypeName doc={doc} schema={media.schema} />
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {headers.length > 0 && (
                <ul className="responses__content">
                  {headers.map(([name, header]) => (
                    <li key={name}>
                      Header <code>{name}</code>
                      {header.schema && (
                        <>
                          {': '}
                          <TypeName doc={doc} schema={header.schema} />
                        </>
                      )}
                      <DocText text={header.description} inline className="responses__header-doc" />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/**
 * A browser flow (`/auth/...`) is not tried with a fetch: the browser goes there, then on to the
 * provider and back. A plain GET that needs nothing but a known path value is linked as it is;
 * anything else is started from our own pages.
 */
function BrowserFlow({ doc, op }: { doc: OpenApiDocument; op: OperationEntry }) {
  const pathParameters = op.parameters.filter((p) => p.in === 'path');
  const linkable =
    op.method === 'get' &&
    !op.path.includes('callback') &&
    pathParameters.length <= 1 &&
    !op.parameters.some((p) => p.in !== 'path' && p.required);
  const [only] = pathParameters;
  const values = only ? enumValues(doc, only.schema) : [''];
  const links =
    linkable && values ? values.map((value) => (only ? op.path.replace(`{${only.name}}`, encodeURIComponent(value)) : op.path)) : [];
  return (
    <div className="browser-flow">
      <p>
        This is a browser flow: the browser goes to it, on to the provider and back, so it cannot be tried from this
        page.
      </p>
      {links.length > 0 ? (
        <>
          <p>Open it in this browser:</p>
          <ul>
            {links.map((href) => (
              <li key={href}>
                <a href={href}>
                  <code>{href}</code>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>
          Our pages start it: <Link to="/sign-in">Sign in</Link> and <Link to="/settings">Settings</Link>.
        </p>
      )}
    </div>
  );
}
