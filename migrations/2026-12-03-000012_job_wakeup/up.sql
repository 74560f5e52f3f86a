-- Workers wake as soon as work is queued (LISTEN profiles_jobs) instead of at their next poll.
-- One notification per statement, delivered at commit; PostgreSQL folds repeats in a transaction.
CREATE FUNCTION profiles_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('profiles_jobs', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION profiles_jobs_notify();
