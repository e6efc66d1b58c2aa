-- E-mail when a job finishes (opt-in per start: `notify_by_email`). It works as the webhook does: a
-- trigger enqueues the delivery job in the same transaction as the job's end, whichever statement
-- ended it, and stamps it with the kind, payload version and attempts that a running worker
-- registered from the delivery contract. The one-row table that held those for webhooks becomes one
-- table with a row per channel, so both triggers share it and the code that writes it.

-- AlterTable
ALTER TABLE "job" ADD COLUMN     "notify_by_email" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "finish_notification_kind" (
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload_version" INTEGER NOT NULL,
    "max_attempts" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "finish_notification_kind_pkey" PRIMARY KEY ("channel")
);

-- Not expressible in schema.prisma (no check constraints, functions or triggers), so written here.

-- The channels the triggers below read: a row for anything else would be read by nothing.
ALTER TABLE "finish_notification_kind" ADD CONSTRAINT "finish_notification_kind_channel" CHECK ("channel" IN ('webhook', 'email'));

-- The webhook row moves as it is (a newer release may have registered it); the e-mail row is seeded
-- with emailNotification version 1 and 10 attempts, what the first worker of this release registers.
INSERT INTO "finish_notification_kind" ("channel", "kind", "payload_version", "max_attempts", "updated_at")
SELECT 'webhook', "kind", "payload_version", "max_attempts", "updated_at" FROM "webhook_delivery_kind";
INSERT INTO "finish_notification_kind" ("channel", "kind", "payload_version", "max_attempts") VALUES ('email', 'emailNotification', 1, 10);

-- The old table can go in this release: the release before reads and writes it only at its start,
-- after its schema check, and that check refuses a database with this migration (a newer one).
-- Its triggers go with it.
DROP TABLE "webhook_delivery_kind";
DROP FUNCTION jobkit_keep_webhook_delivery_kind();

-- As webhook_delivery_kind was: without its row a trigger could only guess (a second copy of the
-- contract in SQL) or drop the delivery without a word. Neither: rows cannot be deleted, and should
-- one be missing all the same the ending statement fails loudly, naming the fix.
CREATE FUNCTION jobkit_keep_finish_notification_kind() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'finish_notification_kind must keep its rows: the triggers job_webhook_on_finish and job_email_on_finish read them'
    USING HINT = 'Start a worker (it writes the rows from the delivery contracts) instead of deleting them.';
END
$$;

CREATE TRIGGER finish_notification_kind_kept
BEFORE DELETE ON finish_notification_kind
FOR EACH ROW EXECUTE FUNCTION jobkit_keep_finish_notification_kind();

CREATE TRIGGER finish_notification_kind_not_truncated
BEFORE TRUNCATE ON finish_notification_kind
FOR EACH STATEMENT EXECUTE FUNCTION jobkit_keep_finish_notification_kind();

-- What both triggers do once they know the channel and the input: read the channel's row, insert
-- the delivery for the finished job's owner, wake the workers of its kind.
CREATE FUNCTION jobkit_enqueue_finish_notification(finished_channel text, finished_owner uuid, finished_job uuid, delivery_input jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  delivery finish_notification_kind%ROWTYPE;
BEGIN
  SELECT * INTO delivery FROM finish_notification_kind WHERE channel = finished_channel;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'finish_notification_kind has no % row: cannot enqueue the % delivery of job %', finished_channel, finished_channel, finished_job
      USING HINT = 'Start a worker with the delivery handlers: it writes the rows.';
  END IF;
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts)
  VALUES (jobkit_uuidv7(), delivery.kind, delivery.payload_version, delivery_input, finished_owner, delivery.max_attempts);
  PERFORM pg_notify('jobkit_jobs', delivery.kind);
END
$$;

-- The same trigger (job_webhook_on_finish, 20261201000100_webhook_endpoints) calls this function;
-- only where the kind, version and attempts come from changes (the webhook row of the new table).
CREATE OR REPLACE FUNCTION jobkit_enqueue_webhook() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobkit_enqueue_finish_notification('webhook', NEW.owner_id, NEW.id,
    jsonb_build_object('endpointId', NEW.webhook_endpoint_id, 'jobId', NEW.id, 'kind', NEW.kind, 'status', NEW.status));
  RETURN NULL;
END
$$;

-- The recipient is the owner's address when the job ends, copied into the delivery's input: the
-- owner reads it there (their own address) and nothing else of theirs. No result data goes in.
CREATE FUNCTION jobkit_enqueue_email_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobkit_enqueue_finish_notification('email', NEW.owner_id, NEW.id,
    jsonb_build_object('jobId', NEW.id, 'kind', NEW.kind, 'status', NEW.status,
                       'to', (SELECT email FROM "user" WHERE id = NEW.owner_id)));
  RETURN NULL;
END
$$;

CREATE TRIGGER job_email_on_finish
AFTER UPDATE OF status ON job
FOR EACH ROW
WHEN (NEW.notify_by_email
      AND NEW.status IS DISTINCT FROM OLD.status
      AND NEW.status IN ('completed', 'failed', 'cancelled'))
EXECUTE FUNCTION jobkit_enqueue_email_notification();
