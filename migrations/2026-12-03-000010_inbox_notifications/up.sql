-- Permission notifications sent to ORCID inboxes: people a DOI names who have not granted
-- Auto-Update are asked, at most once per period, with every DOI waiting for them.
CREATE TABLE orcid_notifications (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    orcid             text NOT NULL,
    -- pending: built, not yet accepted by ORCID; sent: ORCID accepted it (put_code);
    -- refused: the person does not take notifications, or their record cannot take them;
    -- failed: ORCID refused the request itself (our fault or our client's permission).
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'refused', 'failed')),
    -- ORCID's answer, as a code (accepted, notifications_disabled, record_deactivated,
    -- record_locked, record_not_found, invalid_notification, not_permitted), and its status.
    answer            text,
    orcid_status      integer CHECK (orcid_status IS NULL OR orcid_status BETWEEN 100 AND 599),
    message           text,
    put_code          bigint,
    -- What was (or is to be) posted, kept so that a retry sends the very same notification.
    body              jsonb NOT NULL,
    attempts          integer NOT NULL DEFAULT 0,
    -- The authorization link's state (SHA-256 of it), its sealed PKCE verifier and its nonce.
    state_hash        bytea NOT NULL UNIQUE,
    pkce_verifier_enc bytea NOT NULL,
    nonce             text NOT NULL,
    created_at        timestamptz NOT NULL,
    sent_at           timestamptz,
    -- What ORCID says the person did with it (read back from ORCID).
    read_at           timestamptz,
    actioned_at       timestamptz,
    archived_at       timestamptz,
    checked_at        timestamptz,
    -- Auto-Update granted through this notification's link.
    granted_at        timestamptz,
    -- The link works until then (the waiting claims expire with it).
    expires_at        timestamptz NOT NULL
);
CREATE INDEX orcid_notifications_orcid_idx ON orcid_notifications (orcid, created_at DESC);
CREATE INDEX orcid_notifications_open_idx ON orcid_notifications (checked_at NULLS FIRST)
    WHERE status = 'sent' AND archived_at IS NULL AND granted_at IS NULL;

-- The works each notification named: one row per waiting claim it asked about.
CREATE TABLE orcid_notification_items (
    notification_id uuid NOT NULL REFERENCES orcid_notifications (id) ON DELETE CASCADE,
    claim_id        uuid REFERENCES claims (id) ON DELETE SET NULL,
    doi             text NOT NULL,
    title           text,
    PRIMARY KEY (notification_id, doi)
);
CREATE INDEX orcid_notification_items_claim_idx ON orcid_notification_items (claim_id);

-- Auto-Update claims waiting for a permission, per person: the notifier's sweep, the
-- per-person cap and the expiry read them.
CREATE INDEX claims_waiting_auto_update_idx ON claims (orcid, created_at)
    WHERE state = 'waiting_for_permission' AND source = 'auto_update';

-- A person with an account may say no to ORCID inbox notifications from Profiles.
ALTER TABLE accounts ADD COLUMN inbox_notifications boolean NOT NULL DEFAULT true;
