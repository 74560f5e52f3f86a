-- Staff's search by error reads only the claims that have one.
CREATE INDEX claims_with_error_idx ON claims (updated_at, id) WHERE error_code IS NOT NULL;
