-- A work the person removed on orcid.org (found by reading the record) is `removed_in_orcid`:
-- never pushed again on its own. An Auto-Update claim waiting for the person's approval (review
-- mode) is `pending_review`.
ALTER TABLE claims DROP CONSTRAINT claims_state_check,
    ADD CONSTRAINT claims_state_check CHECK (state IN (
        'waiting', 'waiting_for_permission', 'working', 'done', 'failed', 'deleted', 'ignored',
        'removed_in_orcid', 'pending_review'));

-- When the person's ORCID record was last read and compared with their claims.
ALTER TABLE accounts ADD COLUMN orcid_checked_at timestamptz;
