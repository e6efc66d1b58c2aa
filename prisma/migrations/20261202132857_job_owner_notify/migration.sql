-- Lists follow their jobs live too: the header's active jobs (per owner) and the admin viewer (all
-- jobs). Beside `<job id>:<version>` (20261202000200_job_change_notify), every write that changes
-- what a job shows now also announces `owner:<owner id>` on the same channel, and so do inserts
-- and deletes, which change what a list holds. One LISTEN per server process still hears it all.
--
-- The owner's announcement is the same payload for every row of a statement, and NOTIFY sends one
-- of identical payloads per transaction: a claim of 100 jobs of one owner, or a startMany of 1,000,
-- announces that owner once. Servers of the release before parse the payload's last `:` for a
-- version, find none in `owner:<uuid>`, and ignore it, so a rolling deploy streams on.
-- Not expressible in schema.prisma (no functions or triggers), so written here.

CREATE OR REPLACE FUNCTION jobkit_notify_job_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobkit_job_changes', NEW.id::text || ':' || NEW.version::text);
  PERFORM pg_notify('jobkit_job_changes', 'owner:' || NEW.owner_id::text);
  RETURN NULL;
END;
$$;

CREATE FUNCTION jobkit_notify_job_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('jobkit_job_changes', 'owner:' || OLD.owner_id::text);
  ELSE
    PERFORM pg_notify('jobkit_job_changes', 'owner:' || NEW.owner_id::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER job_owner_notify
AFTER INSERT OR DELETE ON "job"
FOR EACH ROW
EXECUTE FUNCTION jobkit_notify_job_owner();
