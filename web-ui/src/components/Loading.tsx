/** A polite loading message; screen readers hear it once. */
export function Loading({ children }: { children: string }) {
  return (
    <p role="status" className="muted">
      {children}
    </p>
  );
}
