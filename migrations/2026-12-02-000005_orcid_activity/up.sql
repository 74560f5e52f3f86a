-- What Profiles did, or tried, in each ORCID record: one row per change or attempt, with why
-- and what ORCID answered (never a token). The person sees their own; staff filter it.
CREATE TABLE orcid_activity (
    id           bigserial PRIMARY KEY,
    orcid        text NOT NULL,
    claim_id     uuid REFERENCES claims (id) ON DELETE SET NULL,
    doi          text NOT NULL,
    action       text NOT NULL CHECK (action IN ('added', 'updated', 'removed', 'adopted', 'skipped', 'failed')),
    -- Why: the flow that asked for it, or who.
    reason       text NOT NULL CHECK (reason IN ('search_and_link', 'auto_update', 'back_fill', 'reconcile', 'admin', 'person')),
    actor        text,
    put_code     bigint,
    -- ORCID's answer when it refused: its HTTP status and our code for the error.
    orcid_status integer CHECK (orcid_status IS NULL OR orcid_status BETWEEN 100 AND 599),
    error_code   text,
    message      text,
    at           timestamptz NOT NULL
);
CREATE INDEX orcid_activity_orcid_idx ON orcid_activity (orcid, at DESC, id DESC);
CREATE INDEX orcid_activity_doi_idx ON orcid_activity (doi);
