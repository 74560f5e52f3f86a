DROP INDEX claims_with_error_idx;
