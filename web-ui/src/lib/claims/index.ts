/**
 * Claims, as every feature shows them: the types, the state words and pill tones for the person and
 * for administrators, which states may be retried, removed, requeued or ignored, and the polling rule
 * (claims in progress are asked for again every two seconds until they settle).
 */
export * from './labels';
export * from './polling';
export * from './rules';
export type * from './types';
