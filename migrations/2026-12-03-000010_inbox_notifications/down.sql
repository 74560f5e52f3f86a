ALTER TABLE accounts DROP COLUMN inbox_notifications;
DROP INDEX claims_waiting_auto_update_idx;
DROP TABLE orcid_notification_items;
DROP TABLE orcid_notifications;
