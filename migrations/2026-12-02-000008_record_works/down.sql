DROP TABLE orcid_record_works;
