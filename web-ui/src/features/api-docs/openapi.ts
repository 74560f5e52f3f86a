// The part of an OpenAPI 3.1 document the API reference reads, and what it works out from it: the
// operations by tag, `$ref`s resolved to components, type names and constraints in words, the
// security of an operation in words and whether a pasted bearer token goes with it.
//
// The document comes from our own server (/api/openapi.json), but it is read defensively: a
// missing field is shown as nothing, never a crash. Its text is only ever rendered as React text.

export interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  allOf?: SchemaObject[];
  nullable?: boolean;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
}

export type ParameterLocation = 'query' | 'path' | 'header' | 'cookie';

export interface ParameterObject {
  $ref?: string;
  name: string;
  in: ParameterLocation;
  description?: string;
  required?: boolean;
  deprecated?: boolean;
  schema?: SchemaObject;
  example?: unknown;
}

export interface MediaTypeObject {
  schema?: SchemaObject;
  example?: unknown;
}

export interface RequestBodyObject {
  $ref?: string;
  description?: string;
  required?: boolean;
  content?: Record<string, MediaTypeObject>;
}

export interface HeaderObject {
  description?: string;
  schema?: SchemaObject;
}

export interface ResponseObject {
  $ref?: string;
  description?: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
}

/** One way to call an operation: every scheme named must be satisfied (`{}`: no credentials). */
export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses?: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;
export type Method = (typeof METHODS)[number];

export type PathItem = Partial<Record<Method, OperationObject>> & { parameters?: ParameterObject[] };

export interface SecuritySchemeObject {
  type?: string;
  scheme?: string;
  bearerFormat?: string;
  in?: string;
  name?: string;
  description?: string;
}

export interface TagObject {
  name: string;
  description?: string;
}

export interface OpenApiDocument {
  openapi?: string;
  info: { title: string; version?: string; description?: string };
  tags?: TagObject[];
  paths: Record<string, PathItem>;
  components?: {
    schemas?: Record<string, SchemaObject>;
    securitySchemes?: Record<string, SecuritySchemeObject>;
    parameters?: Record<string, ParameterObject>;
    requestBodies?: Record<string, RequestBodyObject>;
    responses?: Record<string, ResponseObject>;
  };
  security?: SecurityRequirement[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** For typed values that may still be anything at run time: narrows without widening the type. */
const isObject = <T>(value: T): value is T & object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the outline of a fetched document: an object with `info.title` and `paths`. */
export function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  return isRecord(value) && isRecord(value.info) && typeof value.info.title === 'string' && isRecord(value.paths);
}

// ---- $ref -------------------------------------------------------------------------------------

const SCHEMA_REF = '#/components/schemas/';

/** `#/components/schemas/ClaimView` → `ClaimView`; any other reference → undefined. */
export function schemaName(ref: string | undefined): string | undefined {
  if (!ref?.startsWith(SCHEMA_REF)) return undefined;
  const name = ref.slice(SCHEMA_REF.length);
  return name.includes('/') ? undefined : unescapePointer(name);
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** What a local JSON pointer (`#/components/schemas/X`) points at in `doc`, or undefined. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const segment of ref.slice(2).split('/').map(unescapePointer)) {
    if (!isRecord(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * Follows `$ref`s (a chain of them too, never forever) to the object they name. Anything that
 * does not resolve is returned as it is.
 */
export function deref<T extends { $ref?: string }>(doc: OpenApiDocument, value: T): T {
  let current = value;
  for (let hops = 0; hops < 16 && typeof current.$ref === 'string'; hops++) {
    const target = resolvePointer(doc, current.$ref);
    if (!isRecord(target)) return current;
    current = target as T;
  }
  return current;
}

// ---- Operations -------------------------------------------------------------------------------

export interface Operation {
  /** Unique on the page, safe as an HTML id: `op-<operationId>`. */
  id: string;
  method: Method;
  path: string;
  operation: OperationObject;
  /** Path-level and operation-level parameters, `$ref`s resolved; the operation's win. */
  parameters: ParameterObject[];
}

export interface TagGroup {
  /** Safe as an HTML id: `tag-<name>`. */
  id: string;
  name: string;
  description?: string | undefined;
  operations: Operation[];
}

/** Letters, digits, `-` and `_` only, so it is a valid id and fragment everywhere. */
export const htmlId = (prefix: string, value: string) => `${prefix}-${value.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

function parametersOf(doc: OpenApiDocument, pathItem: PathItem, operation: OperationObject): ParameterObject[] {
  const byKey = new Map<string, ParameterObject>();
  for (const raw of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = deref(doc, raw);
    if (typeof parameter.name !== 'string') continue;
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...byKey.values()];
}

/**
 * Every operation, grouped by its first tag in the order of the document's `tags` (then any other
 * tag, then "default" for untagged ones); within a tag, in the document's path order, methods in
 * the usual order (GET, POST, PUT, PATCH, DELETE, …).
 */
export function groupByTag(doc: OpenApiDocument): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  const group = (name: string, description?: string) => {
    let found = groups.get(name);
    if (!found) {
      found = { id: htmlId('tag', name), name, description, operations: [] };
      groups.set(name, found);
    }
    return found;
  };
  for (const tag of doc.tags ?? []) group(tag.name, tag.description);

  const usedIds = new Set<string>();
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!isObject(pathItem)) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      let id = htmlId('op', operation.operationId ?? `${method}-${path}`);
      for (let n = 2; usedIds.has(id); n++) id = htmlId('op', `${operation.operationId ?? `${method}-${path}`}-${n}`);
      usedIds.add(id);
      group(operation.tags?.[0] ?? 'default').operations.push({
        id,
        method,
        path,
        operation,
        parameters: parametersOf(doc, pathItem, operation),
      });
    }
  }
  return [...groups.values()].filter((g) => g.operations.length > 0);
}

/** The id of a component schema's entry under "Schemas": `schema-ClaimView`. */
export const schemaAnchor = (name: string) => htmlId('schema', name);

/**
 * A browser flow (`/auth/...`): the browser navigates to it and is redirected to a provider and
 * back, so it cannot be tried with a fetch.
 */
export const isBrowserFlow = (path: string) => path === '/auth' || path.startsWith('/auth/');

// ---- Types and constraints in words ------------------------------------------------------------

/** A piece of a type's description: plain words, or the name of a component schema (a link). */
export type TypePart = { text: string } | { schema: string };

const typesOf = (schema: SchemaObject): string[] => {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return schema.nullable && !types.includes('null') ? [...types, 'null'] : types;
};

const alternatives = (parts: TypePart[][], word: string): TypePart[] =>
  parts.flatMap((p, i) => (i === 0 ? p : [{ text: i === parts.length - 1 ? ` ${word} ` : ', ' }, ...p]));

/** Null last: "ClaimSource or null" rather than "null or ClaimSource". */
const nullLast = (schemas: SchemaObject[]) =>
  [...schemas].sort((a, b) => Number(typesOf(a).join() === 'null') - Number(typesOf(b).join() === 'null'));

/**
 * The type of `schema` in words, component schemas by name: `string`, `string (date-time) or
 * null`, `array of ClaimView`, `ClaimSource or null`, `map of string to integer`.
 */
export function typeParts(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): TypePart[] {
  if (!schema || !isObject(schema) || depth > 6) return [{ text: 'any' }];
  const named = schemaName(schema.$ref);
  if (named) return [{ schema: named }];
  if (schema.$ref) return typeParts(doc, deref(doc, schema), depth + 1);

  const union = schema.oneOf ?? schema.anyOf;
  if (union && union.length > 0) {
    return alternatives(nullLast(union).map((s) => typeParts(doc, s, depth + 1)), 'or');
  }
  if (schema.allOf && schema.allOf.length > 0) {
    return alternatives(schema.allOf.map((s) => typeParts(doc, s, depth + 1)), 'and');
  }
  if (schema.const !== undefined) return [{ text: JSON.stringify(schema.const) }];

  const types = typesOf(schema);
  if (types.length === 0) return [{ text: schema.properties ? 'object' : 'any' }];
  return alternatives(
    types.map((type): TypePart[] => {
      if (type === 'array') {
        return schema.items ? [{ text: 'array of ' }, ...typeParts(doc, schema.items, depth + 1)] : [{ text: 'array' }];
      }
      if (type === 'object' && isObject(schema.additionalProperties) && !schema.properties) {
        return [{ text: 'map of string to ' }, ...typeParts(doc, schema.additionalProperties, depth + 1)];
      }
      return [{ text: schema.format && type !== 'null' ? `${type} (${schema.format})` : type }];
    }),
    'or',
  );
}

/** `typeParts` as one string, names included. */
export const typeText = (doc: OpenApiDocument, schema: SchemaObject | undefined) =>
  typeParts(doc, schema)
    .map((part) => ('schema' in part ? part.schema : part.text))
    .join('');

/**
 * The schema a parameter or property is constrained by: `$ref` followed, and a nullable
 * `oneOf: [null, X]` read as X.
 */
function constrainedSchema(doc: OpenApiDocument, schema: SchemaObject): SchemaObject {
  let current = deref(doc, schema);
  const union = current.oneOf ?? current.anyOf;
  if (union) {
    const others = union.filter((s) => typesOf(s).join() !== 'null');
    const [only] = others;
    if (others.length === 1 && only) current = deref(doc, only);
  }
  return current;
}

/** A constraint on a value: its name and value, e.g. `{ label: 'maximum', value: '100' }`. */
export interface Constraint {
  label: string;
  value: string;
  /** A literal (pattern, enum values): shown as code. */
  code?: boolean;
}

/** Pattern, limits, allowed values and default of a parameter's or property's schema. */
export function constraintsOf(doc: OpenApiDocument, schema: SchemaObject | undefined): Constraint[] {
  if (!schema || !isObject(schema)) return [];
  const s = constrainedSchema(doc, schema);
  const out: Constraint[] = [];
  if (s.enum && s.enum.length > 0) {
    out.push({ label: 'one of', value: s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', '), code: true });
  }
  if (typeof s.pattern === 'string') out.push({ label: 'pattern', value: s.pattern, code: true });
  const numbers: [keyof SchemaObject, string][] = [
    ['minimum', 'minimum'],
    ['exclusiveMinimum', 'more than'],
    ['maximum', 'maximum'],
    ['exclusiveMaximum', 'less than'],
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['minItems', 'min items'],
    ['maxItems', 'max items'],
  ];
  for (const [key, label] of numbers) {
    const value = s[key];
    if (typeof value === 'number') out.push({ label, value: String(value) });
  }
  if (s.default !== undefined) out.push({ label: 'default', value: JSON.stringify(s.default), code: true });
  return out;
}

/** The allowed values of a parameter (for a select), when its schema lists them. */
export function enumValues(doc: OpenApiDocument, schema: SchemaObject | undefined): string[] | undefined {
  if (!schema) return undefined;
  const s = constrainedSchema(doc, schema);
  if (s.enum?.every((v) => typeof v === 'string' || typeof v === 'number')) return s.enum.map(String);
  if (typesOf(s).includes('boolean')) return ['true', 'false'];
  return undefined;
}

/** One property of an object schema. */
export interface Property {
  name: string;
  schema: SchemaObject;
  required: boolean;
}

/**
 * The properties of an object schema, `$ref`s followed and `allOf` parts merged (required from
 * any part). Undefined when the schema is not an object with properties.
 */
export function propertiesOf(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): Property[] | undefined {
  if (!schema || depth > 8) return undefined;
  const s = deref(doc, schema);
  if (s.allOf && s.allOf.length > 0) {
    const merged = new Map<string, Property>();
    for (const part of s.allOf) {
      for (const property of propertiesOf(doc, part, depth + 1) ?? []) {
        const before = merged.get(property.name);
        merged.set(property.name, { ...property, required: property.required || (before?.required ?? false) });
      }
    }
    for (const property of ownProperties(s)) merged.set(property.name, property);
    return merged.size > 0 ? [...merged.values()] : undefined;
  }
  const own = ownProperties(s);
  return own.length > 0 ? own : undefined;
}

function ownProperties(schema: SchemaObject): Property[] {
  if (!isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    schema: property,
    required: required.has(name),
  }));
}

/** The alternatives of a `oneOf`/`anyOf` schema (`$ref` followed), or undefined. */
export function alternativesOf(doc: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject[] | undefined {
  if (!schema) return undefined;
  const s = deref(doc, schema);
  const union = s.oneOf ?? s.anyOf;
  return union && union.length > 0 ? union : undefined;
}

// ---- Examples ---------------------------------------------------------------------------------

const SAMPLE_STRINGS: Record<string, string> = {
  date: '2025-01-31',
  'date-time': '2025-01-31T12:00:00Z',
  uuid: '00000000-0000-0000-0000-000000000000',
  email: 'name@example.org',
  uri: 'https://example.org/',
};

/**
 * A value of `schema` to start a request body from: its `example`, else one built from the
 * properties (the required ones; all of them when none is required), enum values, defaults and
 * types.
 */
export function exampleOf(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): unknown {
  if (!schema || !isObject(schema) || depth > 6) return null;
  const s = deref(doc, schema);
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const union = s.oneOf ?? s.anyOf;
  if (union && union.length > 0) {
    const first = union.find((u) => typesOf(u).join() !== 'null') ?? union[0];
    return exampleOf(doc, first, depth + 1);
  }
  const properties = propertiesOf(doc, s);
  if (properties) {
    const chosen = properties.some((p) => p.required) ? properties.filter((p) => p.required) : properties;
    return Object.fromEntries(chosen.map((p) => [p.name, exampleOf(doc, p.schema, depth + 1)]));
  }
  const type = typesOf(s).find((t) => t !== 'null');
  switch (type) {
    case 'string':
      return SAMPLE_STRINGS[s.format ?? ''] ?? 'string';
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return s.items ? [exampleOf(doc, s.items, depth + 1)] : [];
    case 'object':
      return {};
    default:
      return null;
  }
}

// ---- Security ---------------------------------------------------------------------------------

/** The schemes whose credential is the token pasted into "Authorize" (a JWT or an API token). */
export const BEARER_SCHEMES: readonly string[] = ['bearer', 'api_token', 'datacite_jwt'];

export const PUBLIC = 'None (public)';

/** The requirements that apply to an operation: its own `security`, else the document's. */
export const securityOf = (doc: OpenApiDocument, operation: OperationObject): SecurityRequirement[] =>
  (Array.isArray(operation.security) ? operation.security : doc.security) ?? [];

function schemeInWords(doc: OpenApiDocument, name: string, scopes: string[]): string {
  const withScopes = (words: string) => (scopes.length > 0 ? `${words} with ${scopes.join(', ')}` : words);
  switch (name) {
    case 'session':
      return 'Session cookie';
    case 'bearer':
      return withScopes('Bearer JWT');
    case 'api_token':
      return withScopes('API token');
    case 'datacite_jwt':
      return withScopes('DataCite JWT');
    case 'metrics_token':
      return 'Metrics token';
  }
  const scheme = doc.components?.securitySchemes?.[name];
  if (scheme?.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') return withScopes(`Bearer token (${name})`);
  if (scheme?.type === 'apiKey' && scheme.name) return withScopes(`${scheme.in === 'cookie' ? 'Cookie' : 'Key'} ${scheme.name}`);
  return withScopes(name);
}

/**
 * Each way to call the operation, in words: "Session cookie", "Bearer JWT", "API token with
 * claims:read", "None (public)". Several schemes in one requirement (all needed) are joined with
 * "and".
 */
export function securityInWords(doc: OpenApiDocument, operation: OperationObject): string[] {
  const requirements = securityOf(doc, operation);
  if (requirements.length === 0) return [PUBLIC];
  return requirements.map((requirement) => {
    const schemes = isRecord(requirement) ? Object.entries(requirement) : [];
    if (schemes.length === 0) return PUBLIC;
    return schemes.map(([name, scopes]) => schemeInWords(doc, name, Array.isArray(scopes) ? scopes : [])).join(' and ');
  });
}

/** "a", "a or b", "a, b or c". */
export function orList(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}

/** Whether the pasted token goes with this operation: its security lists a bearer scheme. */
export const acceptsBearerToken = (doc: OpenApiDocument, operation: OperationObject) =>
  securityOf(doc, operation).some((r) => isRecord(r) && Object.keys(r).some((name) => BEARER_SCHEMES.includes(name)));

/** Whether the session cookie is one way to call the operation. */
export const acceptsSession = (doc: OpenApiDocument, operation: OperationObject) =>
  securityOf(doc, operation).some((r) => isRecord(r) && Object.hasOwn(r, 'session'));

/** Whether the operation can be called without credentials. */
export const isPublic = (doc: OpenApiDocument, operation: OperationObject) => {
  const requirements = securityOf(doc, operation);
  return requirements.length === 0 || requirements.some((r) => isRecord(r) && Object.keys(r).length === 0);
};
