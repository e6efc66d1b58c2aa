-- The trigger that enqueues a finished job's webhook delivery no longer names the kind, payload
-- version and attempt count itself: it reads them from this one-row table, which the code that owns
-- the kind writes (registerWebhookDeliveryKind in @jobkit/webhooks, from the `webhookDelivery`
-- contract, called by every process that runs a worker). So SQL and code cannot disagree, and what
-- is enqueued is what a running worker with the delivery handler reads.
--
-- A table rather than the alternative of enqueueing from each ending statement: jobs end in the
-- worker's end write, in cancellation, in the rescuer and in the sweeps; a trigger catches all of
-- them, present and future, in the same transaction.

-- CreateTable
CREATE TABLE "webhook_delivery_kind" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "kind" TEXT NOT NULL,
    "payload_version" INTEGER NOT NULL,
    "max_attempts" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_delivery_kind_pkey" PRIMARY KEY ("singleton")
);

-- Not expressible in schema.prisma (no check constraints, functions or triggers), so written here.

-- One row at most: the primary key is a boolean that must be true.
ALTER TABLE "webhook_delivery_kind" ADD CONSTRAINT "webhook_delivery_kind_singleton" CHECK ("singleton");

-- Seeded with what the trigger enqueued until now (webhookDelivery version 2, 8 attempts), so
-- deliveries keep flowing between this migration and the first worker of this release starting;
-- from then on the contract's values. That worker reads version 2 (kept in `previous` if the
-- contract moves on), so nothing enqueued meanwhile is left unread.
INSERT INTO "webhook_delivery_kind" ("kind", "payload_version", "max_attempts") VALUES ('webhookDelivery', 2, 8);

-- Without the row the trigger could only guess (a second copy again) or drop the delivery without
-- a word. Neither: the row cannot be deleted, and should it be missing all the same the ending
-- statement fails loudly, naming the fix, rather than a receiver silently never hearing.
CREATE FUNCTION jobkit_keep_webhook_delivery_kind() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'webhook_delivery_kind must keep its row: the trigger job_webhook_on_finish reads it'
    USING HINT = 'Start a worker (it writes the row from the webhookDelivery contract) instead of deleting it.';
END
$$;

CREATE TRIGGER webhook_delivery_kind_kept
BEFORE DELETE ON webhook_delivery_kind
FOR EACH ROW EXECUTE FUNCTION jobkit_keep_webhook_delivery_kind();

CREATE TRIGGER webhook_delivery_kind_not_truncated
BEFORE TRUNCATE ON webhook_delivery_kind
FOR EACH STATEMENT EXECUTE FUNCTION jobkit_keep_webhook_delivery_kind();

-- The same trigger (job_webhook_on_finish, 20261201000100_webhook_endpoints) calls this function;
-- only where the kind, version and attempts come from changes.
CREATE OR REPLACE FUNCTION jobkit_enqueue_webhook() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  delivery webhook_delivery_kind%ROWTYPE;
BEGIN
  SELECT * INTO delivery FROM webhook_delivery_kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook_delivery_kind has no row: cannot enqueue the webhook delivery of job %', NEW.id
      USING HINT = 'Start a worker with the webhookDelivery handler: it writes the row.';
  END IF;
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts)
  VALUES (
    jobkit_uuidv7(), delivery.kind, delivery.payload_version,
    jsonb_build_object('endpointId', NEW.webhook_endpoint_id, 'jobId', NEW.id, 'kind', NEW.kind, 'status', NEW.status),
    NEW.owner_id, delivery.max_attempts);
  PERFORM pg_notify('jobkit_jobs', delivery.kind);
  RETURN NULL;
END
$$;
