-- AlterTable
ALTER TABLE "job" ADD COLUMN     "trace_context" JSONB;
