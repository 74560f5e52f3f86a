-- Request rate limits shared by every process: one row per (bucket, fixed window).
CREATE TABLE request_limits (
    bucket TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX request_limits_window ON request_limits (window_start);

-- A sign-in that re-authenticates (the provider asked for the password again).
ALTER TABLE auth_states DROP CONSTRAINT auth_states_intent_check,
    ADD CONSTRAINT auth_states_intent_check CHECK (intent IN ('sign_in', 'reauthenticate', 'link', 'grant'));
ALTER TABLE auth_states DROP CONSTRAINT auth_states_check,
    ADD CONSTRAINT auth_states_check CHECK (intent IN ('sign_in', 'reauthenticate') OR account_id IS NOT NULL);

-- When the person last entered their credentials at the provider (its `auth_time`), as far as
-- we know; NULL when the provider does not say (GitHub). Guarded actions need it recent.
ALTER TABLE sessions ADD COLUMN authenticated_at timestamptz;
