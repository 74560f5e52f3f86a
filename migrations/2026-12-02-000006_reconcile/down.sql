ALTER TABLE accounts DROP COLUMN orcid_checked_at;
UPDATE claims SET state = 'deleted' WHERE state = 'removed_in_orcid';
UPDATE claims SET state = 'waiting' WHERE state = 'pending_review';
ALTER TABLE claims DROP CONSTRAINT claims_state_check,
    ADD CONSTRAINT claims_state_check CHECK (state IN (
        'waiting', 'waiting_for_permission', 'working', 'done', 'failed', 'deleted', 'ignored'));
