import type { MouseEvent } from 'react';
import {
  alternativesOf,
  constraintsOf,
  deref,
  propertiesOf,
  schemaAnchor,
  schemaName,
  typeParts,
  type OpenApiDocument,
  type SchemaObject,
} from '../openapi';
import { DocText } from './DocText';

/** Patterns longer than this are folded away behind a disclosure. */
const LONG_PATTERN = 60;

/** Opens a component schema's entry in "Schemas" before the browser scrolls to it. */
function openSchema(event: MouseEvent<HTMLAnchorElement>) {
  const id = event.currentTarget.hash.slice(1);
  const target = document.getElementById(id);
  if (target instanceof HTMLDetailsElement) target.open = true;
}

/** A component schema's name, linking to its entry under "Schemas". */
export function SchemaLink({ name }: { name: string }) {
  return (
    <a href={`#${schemaAnchor(name)}`} onClick={openSchema}>
      <code>{name}</code>
    </a>
  );
}

/** The type of a value in words, component schemas as links: "array of ClaimView". */
export function TypeName({ doc, schema }: { doc: OpenApiDocument; schema: SchemaObject | undefined }) {
  return (
    <span className="type-name">
      {typeParts(doc, schema).map((part, i) =>
        'schema' in part ? <SchemaLink key={i} name={part.schema} /> : <span key={i}>{part.text}</span>,
      )}
    </span>
  );
}

/** Allowed values, pattern, limits and default, as a short list. */
export function Constraints({ doc, schema }: { doc: OpenApiDocument; schema: SchemaObject | undefined }) {
  const constraints = constraintsOf(doc, schema);
  if (constraints.length === 0) return null;
  return (
    <ul className="constraints">
      {constraints.map(({ label, value, code }) =>
        label === 'pattern' && value.length > LONG_PATTERN ? (
          <li key={label}>
            <details className="constraints__long">
              <summary>pattern ({value.length} characters)</summary>
              <code>{value}</code>
            </details>
          </li>
        ) : (
          <li key={label}>
            {label}: {code ? <code>{value}</code> : value}
          </li>
        ),
      )}
    </ul>
  );
}

/**
 * The description of a property: its own, or (for a nullable `oneOf: [null, X]`) the one on the
 * alternative.
 */
function descriptionOf(schema: SchemaObject): string | undefined {
  if (schema.description) return schema.description;
  return (schema.oneOf ?? schema.anyOf)?.find((s) => s.description)?.description;
}

/** Inline objects (no component name) are shown nested, this deep at most. */
const MAX_DEPTH = 3;

/** The properties of an object schema: name, type, required or optional, constraints, description. */
export function PropertyList({ doc, schema, depth = 0 }: { doc: OpenApiDocument; schema: SchemaObject; depth?: number }) {
  const properties = propertiesOf(doc, schema);
  if (!properties) return null;
  return (
    <ul className="props">
      {properties.map((property) => {
        const nested = property.schema.items ?? property.schema;
        const inlineObject = !schemaName(nested.$ref) && !nested.$ref && depth < MAX_DEPTH && propertiesOf(doc, nested);
        return (
          <li key={property.name} className="props__item">
            <div className="props__head">
              <code className="props__name">{property.name}</code> <TypeName doc={doc} schema={property.schema} />{' '}
              {property.required ? <span className="required">required</span> : <span className="muted">optional</span>}
              {property.schema.readOnly && <span className="muted"> · read-only</span>}
              {property.schema.deprecated && <span className="muted"> · deprecated</span>}
            </div>
            <Constraints doc={doc} schema={property.schema} />
            <DocText text={descriptionOf(property.schema)} className="props__doc" />
            {inlineObject && <PropertyList doc={doc} schema={nested} depth={depth + 1} />}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * What a schema is: its type (a component by name), description, alternatives (each with its
 * properties) or properties, and its constraints.
 */
export function SchemaDetails({ doc, schema, describe = true }: { doc: OpenApiDocument; schema: SchemaObject; describe?: boolean }) {
  const resolved = deref(doc, schema);
  const alternatives = alternativesOf(doc, schema);
  return (
    <div className="schema-details">
      {describe && <DocText text={resolved.description} />}
      {alternatives ? (
        <>
          <p>One of:</p>
          <ol className="schema-details__alternatives">
            {alternatives.map((alternative, i) => (
              <li key={i}>
                <TypeName doc={doc} schema={alternative} />
                <DocText text={alternative.description} />
                <PropertyList doc={doc} schema={alternative} />
              </li>
            ))}
          </ol>
        </>
      ) : (
        <>
          <p>
            Type: <TypeName doc={doc} schema={schemaName(schema.$ref) ? resolved : schema} />
          </p>
          <Constraints doc={doc} schema={resolved} />
          <PropertyList doc={doc} schema={resolved} />
        </>
      )}
    </div>
  );
}
