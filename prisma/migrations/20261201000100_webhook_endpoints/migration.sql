-- Webhooks name a registered endpoint (its own URL and secrets) instead of carrying a URL.

-- The old trigger's WHEN clause reads webhook_url: it goes first, or the column cannot be dropped.
-- Jobs that named a bare URL lose it: there is no endpoint (and so no secret) to sign with.
DROP TRIGGER "job_webhook_on_finish" ON "job";
DROP FUNCTION jobkit_enqueue_webhook();

-- AlterTable
ALTER TABLE "job" DROP COLUMN "webhook_url",
ADD COLUMN     "webhook_endpoint_id" UUID;

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "job_webhook_endpoint_idx" ON "job"("webhook_endpoint_id") WHERE (webhook_endpoint_id IS NOT NULL);

-- CreateIndex
CREATE INDEX "webhook_endpoint_owner_idx" ON "webhook_endpoint"("owner_id", "id");

-- AddForeignKey
ALTER TABLE "job" ADD CONSTRAINT "job_webhook_endpoint_id_fkey" FOREIGN KEY ("webhook_endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma (Prisma does not model functions or triggers), so written here.

-- As before (20261124125750_job_semantics), a job that finishes enqueues its delivery in the same
-- transaction, now naming the endpoint rather than a URL: the worker reads the endpoint's URL and
-- its current secrets when it delivers, so a retry after a rotation signs with the new secret, and
-- no secret is ever copied into a job's input (which its owner and admins can read).
CREATE FUNCTION jobkit_enqueue_webhook() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts)
  VALUES (
    jobkit_uuidv7(), 'webhookDelivery', 2,
    jsonb_build_object('endpointId', NEW.webhook_endpoint_id, 'jobId', NEW.id, 'kind', NEW.kind, 'status', NEW.status),
    NEW.owner_id, 8);
  PERFORM pg_notify('jobkit_jobs', 'webhookDelivery');
  RETURN NULL;
END
$$;

CREATE TRIGGER job_webhook_on_finish
AFTER UPDATE OF status ON job
FOR EACH ROW
WHEN (NEW.webhook_endpoint_id IS NOT NULL
      AND NEW.status IS DISTINCT FROM OLD.status
      AND NEW.status IN ('completed', 'failed', 'cancelled'))
EXECUTE FUNCTION jobkit_enqueue_webhook();
