import type { components } from '../../api/schema';

/** A claim as the API shows it, to its owner or to staff (`GET /api/v1/claims`). */
export type Claim = components['schemas']['ClaimView'];
export type ClaimList = components['schemas']['ClaimList'];
export type ClaimState = components['schemas']['ClaimState'];
export type ClaimSource = components['schemas']['ClaimSource'];
export type ClaimAction = components['schemas']['ClaimAction'];

/** Claims counted per state, keyed by ClaimState (a state without claims may be left out). */
export type ClaimStateCounts = Partial<Record<string, number>>;
