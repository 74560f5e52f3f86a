DROP INDEX IF EXISTS claims_waiting_permission_idx;
DROP INDEX IF EXISTS claims_orcid_state_idx;
DROP TABLE IF EXISTS rate_limits;
