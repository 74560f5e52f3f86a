-- DataCite's callers see a claim's DOI in the case they sent it; matching stays on the
-- lower-cased `doi`. NULL: the same as `doi`.
ALTER TABLE claims ADD COLUMN doi_as_given text;
