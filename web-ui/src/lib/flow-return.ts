import { useEffect, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import { FLOW_MARKERS, FLOW_VIA, type FlowMarker } from './auth-urls';

/**
 * How much older than the page a link or grant may be to count as the one the person just made:
 * the flow's own ten minutes, and then some for a browser clock that is off. An older one was not
 * made by this flow, whatever the address says.
 */
export const JUST_MADE_MS = 60 * 60 * 1000;

/** Whether `at` (when the server linked or granted something) is recent enough for a page opened at `openedAt`. */
export function madeJustNow(at: string | null | undefined, openedAt: number): boolean {
  if (!at) return false;
  const time = Date.parse(at);
  return Number.isFinite(time) && time >= openedAt - JUST_MADE_MS;
}

/** What a page learned from the flow it came back from. */
export interface FlowReturn {
  /**
   * The flow's marker (`google` for `?connected=google`) while a notice about it may be shown: the
   * page opened with it and no `?error=`, the person has not dismissed it, and has not gone on to
   * another address since. Else null. The page still checks the account before saying anything.
   */
  value: string | null;
  /**
   * Where the flow began, when the address said so beside the marker (`inbox` for `&via=inbox`):
   * read and taken out of the address with it. Null without the marker.
   */
  via: string | null;
  /** When the page opened with it (ms since the epoch): what the flow made is at most a little older. */
  openedAt: number;
  dismiss: () => void;
}

/**
 * Back from a flow that changes the account (`withFlowMarker` in auth-urls.ts): reads its marker
 * once, as the page opens (and the `via=` beside it), then takes them out of the address
 * (replacing the history entry, so a reload or going back does not say it again). The notice it
 * allows lasts until the person dismisses it or goes on to any other address.
 */
export function useFlowReturn(marker: FlowMarker): FlowReturn {
  const name = FLOW_MARKERS[marker];
  const [searchParams, setSearchParams] = useSearchParams();
  const { key } = useLocation();
  const [arrival] = useState(() => ({
    value: searchParams.has('error') ? null : searchParams.get(name),
    via: searchParams.has(name) ? searchParams.get(FLOW_VIA) : null,
    openedAt: Date.now(),
  }));
  // The history entries the notice belongs to: the one it came back to, and the same address
  // without the marker. Any other means the person went on.
  const [here, setHere] = useState<{ keys: readonly string[]; left: boolean }>({ keys: [key], left: false });
  const [dismissed, setDismissed] = useState(false);
  const marked = searchParams.has(name);

  if (!here.left && !here.keys.includes(key)) {
    setHere(!marked && here.keys.length === 1 ? { keys: [...here.keys, key], left: false } : { ...here, left: true });
  }

  useEffect(() => {
    if (!marked) return;
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete(name);
        next.delete(FLOW_VIA);
        return next;
      },
      { replace: true },
    );
  }, [marked, name, setSearchParams]);

  const value = arrival.value && !dismissed && !here.left ? arrival.value : null;
  return {
    value,
    via: value ? arrival.via : null,
    openedAt: arrival.openedAt,
    dismiss: () => {
      setDismissed(true);
    },
  };
}
