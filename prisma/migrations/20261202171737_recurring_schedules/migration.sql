-- Recurring schedules: the definitions live in code (defineSchedule); this table keeps where each one
-- left off (the newest tick enqueued or skipped), its last job, and whether an admin paused it. A tick's
-- job and the move of last_tick_at are one guarded statement (packages/queue/src/schedules.ts). Only
-- added here, so the release before runs on this schema unchanged.

-- CreateTable
CREATE TABLE "job_schedule" (
    "name" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "last_tick_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_enqueued_tick" TIMESTAMPTZ(3),
    "last_job_id" UUID,
    "paused_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_schedule_pkey" PRIMARY KEY ("name")
);

-- AddForeignKey
ALTER TABLE "job_schedule" ADD CONSTRAINT "job_schedule_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
