DROP TRIGGER jobs_notify ON jobs;
DROP FUNCTION profiles_jobs_notify();
