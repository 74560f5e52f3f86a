import { ApiError } from '../../api/errors';

/** The fields of a new client application the register form has, as the API names them. */
export type ClientField =
  | 'name'
  | 'redirect_uris'
  | 'post_logout_redirect_uris'
  | 'backchannel_logout_uri'
  | 'allowed_scopes';

const URI_FIELDS: readonly string[] = ['redirect_uris', 'post_logout_redirect_uris', 'backchannel_logout_uri'];

/** What the API says is wrong with a URI (its field error's `message`), in words for people. */
const URI_PROBLEMS: Readonly<Record<string, string>> = {
  'is not an absolute URL': 'is not a full address: it must start with https://',
  'must not have a fragment': 'must not have a fragment (a # and what follows it)',
  'must be https (http only for localhost)': 'must start with https:// (http:// only for localhost or 127.0.0.1)',
  'is longer than 500 characters': 'is longer than 500 characters',
};

/** The API's field messages are fragments ("unknown scope"). */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The URI a 422's `detail` names (`redirect_uris: "ftp://app.example/cb" must be https …`), or null.
 * The API writes it quoted, after the field's name.
 */
function uriInDetail(field: string, detail: string): string | null {
  if (!detail.startsWith(`${field}: "`)) return null;
  const rest = detail.slice(field.length + 3);
  const end = rest.lastIndexOf('" ');
  return end > 0 ? rest.slice(0, end).replace(/\\"/g, '"') : null;
}

/** One field error of a refused registration, in words, beside its field. */
function fieldWords(field: string, message: string, detail: string): string {
  if (field === 'name') return 'Give the application a name of 1 to 100 characters.';
  if (field === 'redirect_uris' && message === 'count') {
    return 'Give 1 to 10 redirect URIs, one per line (and at most 10 post-logout redirect URIs).';
  }
  if (URI_FIELDS.includes(field)) {
    const problem = URI_PROBLEMS[message] ?? message;
    const uri = uriInDetail(field, detail);
    return uri ? `“${uri}” ${problem}.` : sentence(`this address ${problem}`);
  }
  if (field === 'allowed_scopes') return detail || sentence(message);
  return sentence(message);
}

/**
 * A refused registration's field errors (a 422 `invalid_parameter` with `errors`), by field, in
 * words to show beside each field: "“ftp://app.example/cb” must start with https://". Empty for
 * any other error.
 */
export function clientFieldErrors(error: unknown): Map<string, string> {
  const found = new Map<string, string>();
  if (!(error instanceof ApiError) || error.status !== 422) return found;
  for (const { field, message } of error.fieldErrors) {
    if (!found.has(field)) found.set(field, fieldWords(field, message, error.message));
  }
  return found;
}

/** A client's kind in words, as its row's pill says it. */
export function clientKindWords(kind: string): string {
  if (kind === 'public') return 'Public: PKCE, no secret';
  if (kind === 'confidential') return 'Confidential: with a secret';
  return kind;
}

/** The lines of a textarea that holds one URI per line, without blanks or spaces around them. */
export function uriLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Where a client application finds the issuer, the endpoints and the signing keys: this origin's
 * OpenID configuration (the API and this app share the origin).
 */
export function discoveryUrl(origin: string = globalThis.location.origin): string {
  return `${origin}/.well-known/openid-configuration`;
}
