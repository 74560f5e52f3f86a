CREATE INDEX claims_with_error_idx ON claims (updated_at, id) WHERE error_code IS NOT NULL;
DROP INDEX claims_error_counts_idx;
CREATE INDEX claims_state_idx ON claims (state, updated_at);
DROP INDEX claims_state_updated_idx;
