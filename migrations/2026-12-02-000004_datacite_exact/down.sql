ALTER TABLE claims DROP COLUMN doi_as_given;
