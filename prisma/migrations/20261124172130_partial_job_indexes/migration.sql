-- DropIndex
DROP INDEX "job_claim_idx";

-- DropIndex
DROP INDEX "job_expires_idx";

-- DropIndex
DROP INDEX "job_idempotency_key";

-- DropIndex
DROP INDEX "job_lease_idx";

-- CreateIndex
CREATE INDEX "job_claim_idx" ON "job"("priority" DESC, "run_at", "id") WHERE (status = 'queued');

-- CreateIndex
CREATE INDEX "job_lease_idx" ON "job"("locked_until") WHERE (status = 'running');

-- CreateIndex
CREATE INDEX "job_expires_idx" ON "job"("expires_at") WHERE (expires_at IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "job_idempotency_key" ON "job"("owner_id", "kind", "idempotency_key") WHERE (idempotency_key IS NOT NULL);
