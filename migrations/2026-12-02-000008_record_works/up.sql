-- What the person's ORCID record held when Profiles last read it (reconciling): each work's
-- `self` DOIs, whether it is ours and who added it. Search & Link marks DOIs already in the
-- record from it, whoever added them.
CREATE TABLE orcid_record_works (
    orcid        text NOT NULL,
    put_code     bigint NOT NULL,
    doi          text NOT NULL,
    ours         boolean NOT NULL,
    source_name  text,
    PRIMARY KEY (orcid, doi, put_code)
);
