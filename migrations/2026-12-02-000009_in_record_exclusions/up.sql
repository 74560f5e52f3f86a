-- A DOI found in the ORCID record from another source is excluded from Auto-Update too (origin
-- `in_record`), so a later DataCite event does not push a second copy.
ALTER TABLE auto_update_exclusions DROP CONSTRAINT auto_update_exclusions_origin_check,
    ADD CONSTRAINT auto_update_exclusions_origin_check
    CHECK (origin IN ('person', 'removed', 'removed_in_orcid', 'dismissed', 'in_record'));
