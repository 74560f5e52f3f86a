-- Auto-Update's review mode, per person: 'automatic' (the default) adds new DOIs at once; 'review'
-- holds them as `pending_review` until the person approves or dismisses each.
ALTER TABLE accounts ADD COLUMN auto_update_mode text NOT NULL DEFAULT 'automatic'
    CHECK (auto_update_mode IN ('automatic', 'review'));

-- What a person keeps out of Auto-Update: one DOI, a DOI prefix, a DataCite repository (client),
-- a resource type, or versions and parts of other works. A removed or dismissed DOI lands here
-- too, so it is never proposed again.
CREATE TABLE auto_update_exclusions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('doi', 'prefix', 'client', 'resource_type', 'versions_and_parts')),
    -- Normalised: lower case; empty for versions_and_parts.
    value       text NOT NULL DEFAULT '' CHECK (value = lower(value) AND length(value) <= 500),
    -- Who or what added it: the person, or the DOI's removal or dismissal.
    origin      text NOT NULL DEFAULT 'person' CHECK (origin IN ('person', 'removed', 'removed_in_orcid', 'dismissed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, kind, value)
);
