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
