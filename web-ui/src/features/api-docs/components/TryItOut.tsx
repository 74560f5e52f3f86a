import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { ME_KEY } from '../../../api/query-keys';
import {
  acceptsBearerToken,
  acceptsSession,
  enumValues,
  exampleOf,
  htmlId,
  isPublic,
  typeText,
  type OpenApiDocument,
  type Operation,
} from '../openapi';
import {
  buildRequest,
  describeRequest,
  parameterKey,
  sendRequest,
  type InputProblem,
  type TryResponse,
} from '../request';

/** The JSON media type of a request body, if it has one. */
function jsonBody(operation: Operation['operation']) {
  const content = operation.requestBody?.content ?? {};
  const type = Object.keys(content).find((t) => /\bjson\b|\+json\b/i.test(t));
  return type ? { type, media: content[type] } : undefined;
}

/** Which credentials this operation's request carries, in a sentence. */
function credentialsNote(doc: OpenApiDocument, op: Operation, token: string | undefined): string {
  const bearer = acceptsBearerToken(doc, op.operation);
  const session = acceptsSession(doc, op.operation);
  if (bearer && token) return 'Sent with your token (Authorization: Bearer …) from “Authorize”.';
  if (bearer && session) return 'Sent with this browser’s session cookie, if you are signed in; or authorize with a token above.';
  if (bearer) return 'Needs a token: paste one under “Authorize” above.';
  if (session) {
    return token
      ? 'Sent with this browser’s session cookie (sign in first). Your token is not sent: this operation takes the session only.'
      : 'Sent with this browser’s session cookie: sign in first.';
  }
  if (isPublic(doc, op.operation)) return 'No credentials needed.';
  return 'Sent with this browser’s cookies; the credentials it needs cannot be given from this page.';
}

interface Outcome {
  request: string;
  response?: TryResponse;
  error?: string;
}

/**
 * "Try it out": a form for the operation's parameters and JSON body, sent from this page (same
 * origin) with the session cookie, and with the pasted token when the operation takes a bearer
 * token; then the status, headers and body of the answer.
 */
export function TryItOut({ doc, op, token }: { doc: OpenApiDocument; op: Operation; token: string | undefined }) {
  const queryClient = useQueryClient();
  const body = jsonBody(op.operation);
  const [values, setValues] = useState<Record<string, string>>({});
  const [bodyText, setBodyText] = useState(() =>
    body ? JSON.stringify(body.media?.example ?? exampleOf(doc, body.media?.schema), null, 2) : '',
  );
  const [problems, setProblems] = useState<InputProblem[]>([]);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const formRef = useRef<HTMLFormElement>(null);
  const abort = useRef<AbortController>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const fieldId = (key: string) => htmlId(`${op.id}-field`, key);
  const problemFor = (key: string) => problems.find((p) => p.field === key)?.message;
  const sendsToken = acceptsBearerToken(doc, op.operation) && token !== undefined;

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const built = buildRequest({
      method: op.method,
      path: op.path,
      parameters: op.parameters,
      values,
      body: body ? bodyText : undefined,
      bodyType: body?.type,
      bearerToken: sendsToken ? token : undefined,
    });
    if (Array.isArray(built)) {
      setProblems(built);
      const [first] = built;
      if (first) formRef.current?.querySelector<HTMLElement>(`#${fieldId(first.field)}`)?.focus();
      return;
    }
    setProblems([]);
    setPending(true);
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    const request = describeRequest(built);
    try {
      const response = await sendRequest(built, controller.signal);
      setOutcome({ request, response });
      // A change made here (the account, a token, a sign-out) shows on the rest of the app too.
      if (op.method !== 'get' && response.status < 400) void queryClient.invalidateQueries({ queryKey: ME_KEY });
    } catch (error) {
      if (controller.signal.aborted) return;
      setOutcome({ request, error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (!controller.signal.aborted) setPending(false);
    }
  };

  const parameters = op.parameters.filter((p) => p.in !== 'cookie');
  const status = pending
    ? 'Sending…'
    : outcome?.response
      ? `Response: ${outcome.response.status}${outcome.response.statusText ? ` ${outcome.response.statusText}` : ''}`
      : outcome?.error
        ? `The request failed: ${outcome.error}`
        : '';

  return (
    <div className="try">
      <p className="try__credentials">{credentialsNote(doc, op, token)}</p>
      <form
        ref={formRef}
        className="try__form"
        noValidate
        onSubmit={(event) => {
          void submit(event);
        }}
      >
        {parameters.map((parameter) => {
          const key = parameterKey(parameter);
          const id = fieldId(key);
          const hintId = `${id}-hint`;
          const errorId = `${id}-error`;
          const problem = problemFor(key);
          const options = enumValues(doc, parameter.schema);
          const required = parameter.in === 'path' || parameter.required === true;
          const common = {
            id,
            value: values[key] ?? '',
            'aria-describedby': problem ? `${hintId} ${errorId}` : hintId,
            'aria-invalid': problem ? true : undefined,
          };
          const set = (value: string) => {
            setValues((before) => ({ ...before, [key]: value }));
          };
          return (
            <div className="field" key={key}>
              <label htmlFor={id}>
                <code>{parameter.name}</code>
                <span className="muted">
                  {' '}
                  ({parameter.in}, {required ? 'required' : 'optional'})
                </span>
              </label>
              <p id={hintId} className="field__hint">
                {typeText(doc, parameter.schema)}
              </p>
              {options ? (
                <select
                  {...common}
                  onChange={(event) => {
                    set(event.target.value);
                  }}
                >
                  <option value="">{required ? 'Choose…' : '(not sent)'}</option>
                  {options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...common}
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => {
                    set(event.target.value);
                  }}
                />
              )}
              {problem && (
                <p id={errorId} className="field__error">
                  {problem}
                </p>
              )}
            </div>
          );
        })}
        {body && (
          <div className="field">
            <label htmlFor={fieldId('body')}>
              Request body <span className="muted">({body.type})</span>
            </label>
            <textarea
              id={fieldId('body')}
              className="try__body-input"
              rows={Math.min(12, Math.max(3, bodyText.split('\n').length))}
              value={bodyText}
              spellCheck={false}
              aria-describedby={problemFor('body') ? `${fieldId('body')}-error` : undefined}
              aria-invalid={problemFor('body') ? true : undefined}
              onChange={(event) => {
                setBodyText(event.target.value);
              }}
            />
            {problemFor('body') && (
              <p id={`${fieldId('body')}-error`} className="field__error">
                {problemFor('body')}
              </p>
            )}
          </div>
        )}
        <div className="form__actions">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Sending…' : 'Send request'}
          </button>
          {outcome && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setOutcome(undefined);
              }}
            >
              Clear response
            </button>
          )}
        </div>
      </form>
      <p role="status" className="status-line try__status">
        {status}
      </p>
      {outcome && <Result outcome={outcome} />}
    </div>
  );
}

function Result({ outcome }: { outcome: Outcome }) {
  const { response } = outcome;
  return (
    <div className="try__result">
      <h5>Request</h5>
      <pre className="code-block">
        <code>{outcome.request}</code>
      </pre>
      <h5>Response</h5>
      {outcome.error && (
        <p className="error">The request did not reach the server or was cut off: {outcome.error}</p>
      )}
      {response && (
        <>
          <dl className="details try__facts">
            <div>
              <dt>Status</dt>
              <dd>
                {response.status}
                {response.statusText ? ` ${response.statusText}` : ''}
              </dd>
            </div>
            <div>
              <dt>Content type</dt>
              <dd>{response.contentType ?? '(none)'}</dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd>{response.elapsedMs} ms</dd>
            </div>
          </dl>
          <details className="try__headers">
            <summary>Response headers ({response.headers.length})</summary>
            <dl className="details">
              {response.headers.map(([name, value]) => (
                <div key={name}>
                  <dt>
                    <code>{name}</code>
                  </dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </details>
          <h6 className="try__body-title">Body</h6>
          {response.body === '' ? (
            <p className="muted">(empty)</p>
          ) : (
            <pre className="code-block try__body">
              <code>{response.body}</code>
            </pre>
          )}
        </>
      )}
    </div>
  );
}
