DROP INDEX claims_orcid_claimed_idx;
DROP TRIGGER claims_count_update ON claims;
DROP TRIGGER claims_count_insert_delete ON claims;
DROP FUNCTION claim_counts_follow();
DROP TABLE claim_counts;
DROP INDEX claims_orcid_updated_id_idx;
DROP INDEX claims_orcid_created_id_idx;
