CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE state = 'pending';
DROP INDEX jobs_ready_order_idx;
