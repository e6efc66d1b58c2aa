/**
 * "E-mail me when it finishes" in a real Chromium, against the real server process with its own
 * worker (the app's handlers) and an SMTP server this test starts: the box is offered where the
 * server has a mail server, and a job started with it ticked mails its owner once, after it ends.
 */
import { createUser } from '@jobkit/api';
import { createTestDatabase, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { startTestSmtpServer, type TestSmtpServer } from '@jobkit/email/testing';
import { waitFor } from '@jobkit/worker/testing';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

const serverDir = fileURLToPath(new URL('../../apps/server', import.meta.url));
const password = 'correct horse battery staple';

let db: TestDatabase;
let smtp: TestSmtpServer;
let server: TestProcess;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db, { email: 'mailed@example.com', name: 'Mia Mailed', password });
  smtp = await startTestSmtpServer();
  server = startTypeScriptProcess('src/main.ts', {
    cwd: serverDir,
    env: {
      DATABASE_URL: db.url,
      PORT: '0',
      RUN_WORKER: 'true',
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Jobkit <jobs@jobkit.test>',
      PUBLIC_URL: 'https://jobs.example.com',
    },
  });
  const [, url] = await server.waitFor(/running at (http:\/\/\S+)/);
  baseUrl = url ?? '';
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await server.kill('SIGTERM');
  await smtp.close();
  await db.drop();
});

describe('e-mail when a job finishes', () => {
  it('is a box on "New analysis"; ticked, the finished job mails its owner a link to it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 1000 } })).newPage();
    await page.goto(baseUrl);
    await page.getByLabel('Email').fill('mailed@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByLabel('E-mail me when it finishes').check();
    await page.getByLabel('Text', { exact: true }).fill('The quarterly figures are in. Revenue grew. Costs fell.');
    await page.getByRole('button', { name: 'Analyze' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').at(-1) ?? '';
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ notifyByEmail: true });

    const link = `https://jobs.example.com/jobs/${jobId}`;
    const mail = await waitFor(() => Promise.resolve(smtp.received.find((received) => received.text.includes(link))), 90_000);
    expect(mail.envelopeTo).toEqual(['mailed@example.com']);
    expect(mail.headers.subject).toBe('Document analysis completed');
    expect(mail.text).not.toContain('quarterly figures');
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('completed');
    expect(smtp.received.filter((received) => received.text.includes(link))).toHaveLength(1);
  });
});
