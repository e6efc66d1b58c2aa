-- Every write that changes what a job shows (status, progress, result, cancellation) bumps
-- `job.version`; this trigger announces each bump on `jobkit_job_changes` as `<job id>:<version>`,
-- so servers streaming the job to browsers read it again (packages/api/src/job-stream). The payload
-- never carries the job's data: it is ~40 bytes whatever the job holds (NOTIFY's limit is 8000),
-- and what a subscriber receives is always read under its own authorization.
--
-- A trigger rather than a pg_notify in each statement: claim, progress, the end writes, cancel,
-- retry and rescue all bump version, and new statements will too; the trigger catches them all,
-- present and future. NOTIFY is delivered at commit, so a listener never reads a version that was
-- rolled back. Writes that do not bump version (lease heartbeats) announce nothing.
-- Not expressible in schema.prisma (no functions or triggers), so written here.

CREATE FUNCTION jobkit_notify_job_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobkit_job_changes', NEW.id::text || ':' || NEW.version::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER job_change_notify
AFTER UPDATE ON "job"
FOR EACH ROW
WHEN (OLD.version IS DISTINCT FROM NEW.version)
EXECUTE FUNCTION jobkit_notify_job_change();
