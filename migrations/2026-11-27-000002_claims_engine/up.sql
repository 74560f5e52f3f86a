-- A token bucket shared by every worker process (e.g. ORCID's 24 requests/s, burst 40).
-- `tokens` may go negative: a caller that reserves a token ahead of time waits until it is due.
CREATE TABLE rate_limits (
    name        text PRIMARY KEY CHECK (name <> ''),
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- The claims list filters by iD and state together (a person's queue, the stats).
CREATE INDEX claims_orcid_state_idx ON claims (orcid, state);
-- Resuming a person's claims when they grant a permission.
CREATE INDEX claims_waiting_permission_idx ON claims (orcid, source) WHERE state = 'waiting_for_permission';
