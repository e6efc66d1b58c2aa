-- AlterTable
ALTER TABLE "job" ADD COLUMN     "progress_history" JSONB;

-- CreateIndex
CREATE INDEX "job_status_idx" ON "job"("status", "id" DESC);

-- CreateIndex
CREATE INDEX "job_kind_idx" ON "job"("kind", "id" DESC);
