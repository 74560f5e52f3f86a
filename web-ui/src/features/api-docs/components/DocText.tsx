import type { ReactNode } from 'react';

/**
 * `text` split into runs of plain text and `code` spans (between single backquotes).
 * Everything is React text: markup in the text shows as the characters it is, never as HTML.
 */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /`([^`]+)`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    out.push(<code key={at}>{match[1]}</code>);
    last = at + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Paragraphs (blank-line separated); lines within one are joined, as Markdown does. */
const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p !== '');

/**
 * The Markdown-ish text of the OpenAPI document (descriptions, summaries): paragraphs and `code`
 * spans, rendered as React elements only. `inline` renders one run of text without paragraphs.
 */
export function DocText({ text, inline: asInline = false, className }: { text: unknown; inline?: boolean; className?: string }) {
  if (typeof text !== 'string' || text.trim() === '') return null;
  if (asInline) return <span className={className}>{inline(paragraphs(text).join(' '))}</span>;
  return (
    <div className={className ? `doc-text ${className}` : 'doc-text'}>
      {paragraphs(text).map((p, i) => (
        <p key={i}>{inline(p)}</p>
      ))}
    </div>
  );
}
