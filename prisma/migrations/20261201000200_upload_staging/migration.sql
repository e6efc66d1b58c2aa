-- AlterTable
ALTER TABLE "stored_file" ADD COLUMN     "staged_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "stored_file_staged_idx" ON "stored_file"("staged_at") WHERE (staged_at IS NOT NULL);
