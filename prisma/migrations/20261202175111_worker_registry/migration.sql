-- CreateTable
CREATE TABLE "worker_process" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "kinds" TEXT[],
    "concurrency" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "running_jobs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "worker_process_pkey" PRIMARY KEY ("id")
);
