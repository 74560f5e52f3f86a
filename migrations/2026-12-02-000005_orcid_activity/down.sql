DROP TABLE orcid_activity;
