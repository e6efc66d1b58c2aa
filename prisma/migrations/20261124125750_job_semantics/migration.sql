-- AlterTable
ALTER TABLE "job" ADD COLUMN     "webhook_url" TEXT;

-- CreateTable
CREATE TABLE "expired_job" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "expired_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "expired_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "expired_job_expired_at_idx" ON "expired_job"("expired_at");

-- Not expressible in schema.prisma (Prisma does not model functions or triggers), so written here.

-- A UUIDv7 made in SQL, for rows the database itself inserts: 48 bits of Unix milliseconds, then
-- random bits, version 7. (PostgreSQL 18 has uuidv7(); the servers we support before it do not.)
CREATE FUNCTION jobkit_uuidv7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

-- When a job with a webhook URL reaches a final status, enqueue its delivery as a job of its own,
-- in the same transaction: whichever statement finished the job (worker, cancel, rescuer), the
-- webhook is neither lost nor sent for a change that rolled back, and the delivery gets the
-- queue's retries and backoff without holding up the worker that finished the job.
CREATE FUNCTION jobkit_enqueue_webhook() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job (id, kind, payload_version, input, owner_id, max_attempts)
  VALUES (
    jobkit_uuidv7(), 'webhookDelivery', 1,
    jsonb_build_object('url', NEW.webhook_url, 'jobId', NEW.id, 'kind', NEW.kind, 'status', NEW.status),
    NEW.owner_id, 8);
  PERFORM pg_notify('jobkit_jobs', 'webhookDelivery');
  RETURN NULL;
END
$$;

CREATE TRIGGER job_webhook_on_finish
AFTER UPDATE OF status ON job
FOR EACH ROW
WHEN (NEW.webhook_url IS NOT NULL
      AND NEW.status IS DISTINCT FROM OLD.status
      AND NEW.status IN ('completed', 'failed', 'cancelled'))
EXECUTE FUNCTION jobkit_enqueue_webhook();
