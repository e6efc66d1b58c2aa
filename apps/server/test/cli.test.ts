/**
 * The `jobkit` command line against the real HTTP server and database: everything a script does
 * with it (start, watch, list as JSON, show, retry, cancel, stats) and the exit codes it relies on.
 * Jobs are driven by a real worker, or by hand through the queue's own statements where a test
 * needs a job to fail or to wait.
 */
import { exitCodes, runCli } from '@jobkit/cli';
import { defaultHandlersModule } from '@jobkit/jobs/handlers';
import { claimJobs, failJob, recordProgress } from '@jobkit/queue';
import { withWorker } from '@jobkit/worker/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHarness, userWithToken, type HttpHarness } from './harness.ts';

let harness: HttpHarness;
let admin: { userId: string; token: string };
let user: { userId: string; token: string };
let dir: string;

beforeAll(async () => {
  harness = await startHarness();
  admin = await userWithToken(harness.db, 'admin');
  user = await userWithToken(harness.db);
  dir = await mkdtemp(join(tmpdir(), 'jobkit-cli-'));
});
afterAll(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});

/** `jobkit <args>` in-process, as `token`'s user; its exit code and what it wrote. */
async function jobkit(token: string | undefined, args: string[], options: { url?: string; stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const written = Promise.all([text(stdout), text(stderr)]);
  const env = { JOBKIT_URL: options.url ?? harness.baseUrl, ...(token === undefined ? {} : { JOBKIT_TOKEN: token }) };
  const code = await runCli(args, env, { stdout, stderr, readStdin: () => Promise.resolve(options.stdin ?? '') });
  stdout.end();
  stderr.end();
  const [out, err] = await written;
  return { code, out, err };
}

const jobCount = () => harness.db.prisma.job.count();
const startedId = z.uuid();

describe('jobkit jobs', () => {
  it('starts a job from an input file and watches it to its result with a real worker', async () => {
    const inputFile = join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify({ text: 'The command line starts this. It watches it end.' }));
    await withWorker({ database: harness.db, handlersModule: defaultHandlersModule }, async () => {
      const started = await jobkit(user.token, ['jobs', 'start', 'documentAnalysis', '--input', `@${inputFile}`]);
      expect(started, started.err).toMatchObject({ code: exitCodes.ok });
      const jobId = startedId.parse(started.out.trim());
      const watched = await jobkit(user.token, ['--json', 'jobs', 'watch', jobId]);
      expect(watched.code, watched.err).toBe(exitCodes.ok);
      expect(JSON.parse(watched.out)).toMatchObject({ id: jobId, status: 'completed', result: { wordCount: 9 } });
      const listed = await jobkit(admin.token, ['--json', 'workers']);
      const { workers } = z.object({ workers: z.array(z.object({ id: z.string(), kinds: z.array(z.string()) })) }).parse(JSON.parse(listed.out));
      expect(workers).toHaveLength(1);
      expect(workers[0]?.kinds).toContain('documentAnalysis');
    });
    // Stopped, the worker removed itself.
    expect((await jobkit(admin.token, ['workers'])).out).toContain('No worker is running');
  });

  it('refuses input the kind does not accept before sending anything, naming the field', async () => {
    const before = await jobCount();
    const refused = await jobkit(user.token, ['jobs', 'start', 'documentAnalysis', '--input', '{"text":"x","summarySentences":99}']);
    expect(refused.code).toBe(exitCodes.usage);
    expect(refused.err).toContain('summarySentences');
    const unknown = await jobkit(user.token, ['jobs', 'start', 'noSuchKind', '--input', '{}']);
    expect(unknown.code).toBe(exitCodes.usage);
    expect(unknown.err).toContain('documentAnalysis');
    const notJson = await jobkit(user.token, ['jobs', 'start', 'documentAnalysis', '--input', '-'], { stdin: '{"text": ' });
    expect(notJson.code).toBe(exitCodes.usage);
    expect(notJson.err).toContain('standard input is not JSON');
    expect(await jobCount()).toBe(before);
  });

  it('watches a job that fails, showing its progress, and exits 1; retry queues it again, cancel ends it', async () => {
    const jobId = startedId.parse((await jobkit(user.token, ['jobs', 'start', 'documentAnalysis', '--input', '{"text":"Fails by hand."}'])).out.trim());
    const watching = jobkit(user.token, ['jobs', 'watch', jobId]);
    await claimJobs(harness.db.pool, { workerId: 'cli-test', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
    const ref = { jobId, workerId: 'cli-test', attempt: 1 };
    await recordProgress(harness.db.pool, ref, { percent: 40, message: 'Reading by hand' });
    await failJob(harness.db.pool, ref, { code: 'BROKEN', message: 'Broken on purpose' }, { retryable: false, retryDelayMs: 0, retentionMs: 60_000, outcome: 'failed' });
    const watched = await watching;
    expect(watched.code).toBe(exitCodes.jobUnsuccessful);
    expect(watched.out).toContain(`Job ${jobId} failed: Broken on purpose (BROKEN)`);
    expect(watched.err).toContain('Reading by hand');

    const retried = await jobkit(user.token, ['--json', 'jobs', 'retry', jobId]);
    expect(JSON.parse(retried.out)).toEqual({ jobId, status: 'queued' });
    const cancelled = await jobkit(user.token, ['jobs', 'cancel', jobId]);
    expect(cancelled).toMatchObject({ code: exitCodes.ok, out: `Job ${jobId} is cancelled.\n` });
    const again = await jobkit(user.token, ['jobs', 'cancel', jobId]);
    expect(again.code).toBe(exitCodes.refused);
    expect(again.err).toContain('already cancelled');

    const shown = await jobkit(admin.token, ['jobs', 'show', jobId]);
    expect(shown.code, shown.err).toBe(exitCodes.ok);
    expect(shown.out).toMatch(/1\s+failed\s+cli-test/);
    expect(shown.out).toContain('40%  Reading by hand');
  });

  it("lists every user's jobs as JSON for an admin, and only the caller's own with --mine", async () => {
    const adminJob = startedId.parse((await jobkit(admin.token, ['jobs', 'start', 'documentAnalysis', '--input', '{"text":"Admin\'s own."}'])).out.trim());
    const listed = await jobkit(admin.token, ['--json', 'jobs', 'list', '--status', 'queued', '--limit', '100']);
    const page = z.object({ items: z.array(z.object({ id: z.string(), ownerEmail: z.string() })) }).parse(JSON.parse(listed.out));
    expect(page.items.map((job) => job.id)).toContain(adminJob);
    const mine = await jobkit(user.token, ['--json', 'jobs', 'list', '--mine']);
    const own = z.object({ items: z.array(z.object({ id: z.string() })) }).parse(JSON.parse(mine.out));
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.map((job) => job.id)).not.toContain(adminJob);
    const table = await jobkit(admin.token, ['jobs', 'list', '--kind', 'documentAnalysis']);
    expect(table.out.split('\n')[0]).toMatch(/^ID\s+KIND\s+STATUS/);
    expect(table.out).toContain(adminJob);
  });
});

describe('jobkit schedules', () => {
  it('lists the schedules (this app defines none) and names the known ones for an unknown name', async () => {
    expect((await jobkit(admin.token, ['schedules'])).out).toBe('This server defines no schedules.\n');
    const unknown = await jobkit(admin.token, ['schedules', 'pause', 'nightly']);
    expect(unknown.code).toBe(exitCodes.notFound);
    expect(unknown.err).toContain('No schedule is named "nightly"');
    expect((await jobkit(user.token, ['schedules'])).code).toBe(exitCodes.denied);
  });
});

describe('jobkit exit codes', () => {
  it('says what to set without a token, and exits 3 for a bad one or an admin command with a user token', async () => {
    const none = await jobkit(undefined, ['stats']);
    expect(none.code).toBe(exitCodes.denied);
    expect(none.err).toContain('JOBKIT_TOKEN');
    const bad = await jobkit('jk_not-a-token', ['jobs', 'list', '--mine']);
    expect(bad.code).toBe(exitCodes.denied);
    expect(bad.err).toContain('did not accept the token');
    const forbidden = await jobkit(user.token, ['stats']);
    expect(forbidden.code).toBe(exitCodes.denied);
    const stats = await jobkit(admin.token, ['--json', 'stats']);
    expect(z.object({ countsByStatus: z.object({ cancelled: z.int().min(1) }) }).safeParse(JSON.parse(stats.out)).success).toBe(true);
  });

  it("exits 4 for another user's job or none, 2 for bad arguments, 6 when nothing listens", async () => {
    const adminJob = startedId.parse((await jobkit(admin.token, ['jobs', 'start', 'documentAnalysis', '--input', '{"text":"Not yours."}'])).out.trim());
    expect((await jobkit(user.token, ['jobs', 'watch', adminJob])).code).toBe(exitCodes.notFound);
    expect((await jobkit(user.token, ['jobs', 'cancel', adminJob])).code).toBe(exitCodes.notFound);
    expect((await jobkit(user.token, ['jobs', 'list', '--status', 'sleeping'])).code).toBe(exitCodes.usage);
    expect((await jobkit(user.token, ['jobs', 'cancel', 'not-a-uuid'])).code).toBe(exitCodes.usage);
    const closed = await jobkit(user.token, ['jobs', 'list', '--mine'], { url: 'http://127.0.0.1:9' });
    expect(closed.code).toBe(exitCodes.unavailable);
    expect(closed.err).toContain('Could not reach Jobkit at http://127.0.0.1:9');
  });
});
