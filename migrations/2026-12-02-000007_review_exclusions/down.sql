DROP TABLE auto_update_exclusions;
ALTER TABLE accounts DROP COLUMN auto_update_mode;
