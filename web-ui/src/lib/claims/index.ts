/**
 * Claims, as every feature shows them: the types, the state words and pill tones for the person and
 * for administrators, which states may be retried, removed, requeued or ignored, what a claim's row
 * says and offers its person (`claimStatus`), its error in plain words (`claimErrorText`; the raw
 * message is for staff), the notices after an action and when they go stale, the activity log's
 * entries in words (`activityWords`), and the polling rule (claims in progress are asked for again
 * every two seconds until they settle).
 */
export * from './activity';
export * from './errors';
export * from './labels';
export * from './notice';
export * from './polling';
export * from './rules';
export * from './status';
export type * from './types';
