DELETE FROM auto_update_exclusions WHERE origin = 'in_record';
ALTER TABLE auto_update_exclusions DROP CONSTRAINT auto_update_exclusions_origin_check,
    ADD CONSTRAINT auto_update_exclusions_origin_check
    CHECK (origin IN ('person', 'removed', 'removed_in_orcid', 'dismissed'));
