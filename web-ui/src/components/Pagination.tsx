interface PaginationProps {
  /** What is paged, for the navigation landmark's name: "Your claims pages". */
  label: string;
  page: number;
  totalPages: number;
  busy?: boolean;
  onPage: (page: number) => void;
}

/** Previous / Next by page number, with "Page 2 of 5" between. Hidden when there is one page. */
export function Pagination({ label, page, totalPages, busy = false, onPage }: PaginationProps) {
  if (totalPages <= 1) return null;
  return (
    <nav className="pagination" aria-label={label}>
      <button
        type="button"
        className="button button--secondary"
        disabled={busy || page <= 1}
        onClick={() => {
          onPage(page - 1);
        }}
      >
        Previous
      </button>
      <span>
        Page {page} of {totalPages}
      </span>
      <button
        type="button"
        className="button button--secondary"
        disabled={busy || page >= totalPages}
        onClick={() => {
          onPage(page + 1);
        }}
      >
        Next
      </button>
    </nav>
  );
}
