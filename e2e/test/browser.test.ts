/**
 * The web app in a real Chromium, against the real server process and a real PostgreSQL, with a
 * worker process whose document analysis takes a few seconds (fixtures/slow-handlers.ts).
 */
import { createUser } from '@jobkit/api';
import { createTestDatabase, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

const serverDir = fileURLToPath(new URL('../../apps/server', import.meta.url));
const e2eDir = fileURLToPath(new URL('..', import.meta.url));
const screenshots = fileURLToPath(new URL('../screenshots/', import.meta.url));
const password = 'correct horse battery staple';

let db: TestDatabase;
let server: TestProcess;
let worker: TestProcess;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  await mkdir(screenshots, { recursive: true });
  db = await createTestDatabase();
  await createUser(db, { email: 'admin@example.com', name: 'Ada Admin', password, role: 'admin' });
  await createUser(db, { email: 'user@example.com', name: 'Una User', password });
  server = startTypeScriptProcess('src/main.ts', {
    cwd: serverDir,
    env: { DATABASE_URL: db.url, PORT: '0', RUN_WORKER: 'false', LOG_LEVEL: 'warn' },
  });
  worker = startTypeScriptProcess('fixtures/worker.ts', { cwd: e2eDir, env: { DATABASE_URL: db.url } });
  const [[, url]] = await Promise.all([server.waitFor(/running at (http:\/\/\S+)/), worker.waitFor(/^ready /m)]);
  baseUrl = url ?? '';
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await Promise.all([server.kill('SIGTERM'), worker.kill('SIGTERM')]);
  await db.drop();
});

/** What the server's Content-Security-Policy blocked in any page: the app must need nothing it forbids. */
const blockedByPolicy: string[] = [];
afterEach(() => {
  expect(blockedByPolicy).toEqual([]);
});

async function signIn(email: string, viewport = { width: 1200, height: 1000 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) blockedByPolicy.push(message.text());
  });
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'My jobs' }).waitFor();
  return page;
}

async function startAnalysis(page: Page, text: string): Promise<string> {
  await page.goto(baseUrl);
  await page.getByLabel('Text', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Analyze' }).click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  return page.url().split('/').at(-1) ?? '';
}

const badge = (page: Page, status: string) => page.locator(`main .job-status .badge-${status}`);

describe('a user', () => {
  it('starts an analysis, watches its progress and reads the result', async () => {
    const page = await signIn('user@example.com');
    await startAnalysis(page, 'Queues keep the web fast. Workers do the slow part. The browser shows progress.');
    await page.getByText(/Reading part \d of 8/).waitFor();
    await badge(page, 'completed').waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    await expect(page.locator('.stats dd').first().textContent()).resolves.toBe('14');
    await page.screenshot({ path: `${screenshots}job-page.png`, fullPage: true });
  });

  it('analyses a call transcript and shows who spoke, with what mood', async () => {
    const page = await signIn('user@example.com');
    await page.getByLabel('Call transcript').check();
    await page.getByLabel('Transcript', { exact: true }).fill(
      ['Agent: Thanks for calling! How can I help?', 'Customer: My export fails and it is frustrating.', 'Agent: Sorry about that. I will fix it by Friday.'].join('\n'),
    );
    await page.getByRole('button', { name: 'Analyze' }).click();
    await badge(page, 'completed').waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { name: 'Speakers' }).waitFor();
    await expect(page.locator('table tbody tr').count()).resolves.toBe(2);
    await page.getByText('I will fix it by Friday.').waitFor();
    await page.locator('.recharts-line').waitFor();
    await page.screenshot({ path: `${screenshots}transcript.png`, fullPage: true });
  });

  it('scans a text for personal data, the kind added with pnpm gen:kind, and shows it redacted', async () => {
    const page = await signIn('user@example.com');
    await page.getByLabel('Personal data scan').check();
    await page.getByLabel('Text', { exact: true }).fill(
      [
        'Hi Sam, please send the invoice to billing@example.com or call +49 30 901820.',
        'Pay to DE89 3704 0044 0532 0130 00; the card on file is 4111 1111 1111 1111.',
        'Order 1234 5678 9012 3456 is not a card number (it fails the Luhn check).',
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Analyze' }).click();
    await badge(page, 'completed').waitFor({ timeout: 20_000 });
    await page.getByText('[EMAIL]', { exact: false }).first().waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('[IBAN]');
    await expect(page.locator('main').textContent()).resolves.not.toContain('[CARD] is not a card');
    await page.screenshot({ path: `${screenshots}pii-scan.png`, fullPage: true });
  });

  it('reloads mid-job and finds the job still running, then finished', async () => {
    const page = await signIn('user@example.com');
    const jobId = await startAnalysis(page, 'A job that outlives a reload.');
    await page.getByText(/Reading part [2-5] of 8/).waitFor();
    await page.reload();
    await badge(page, 'running').waitFor();
    expect(page.url()).toContain(jobId);
    await badge(page, 'completed').waitFor({ timeout: 20_000 });
    await page.goto(baseUrl);
    await page.getByText(/^Nothing running\./).waitFor();
  });

  it('uploads a PDF and reads what it says', async () => {
    const page = await signIn('user@example.com');
    await page.getByLabel('Upload a file').check();
    await page.getByLabel('File', { exact: true }).setInputFiles(fileURLToPath(new URL('../fixtures/service-agreement.pdf', import.meta.url)));
    await page.getByText(/^Uploaded service-agreement\.pdf/).waitFor();
    await page.getByRole('button', { name: 'Analyze' }).click();
    await badge(page, 'completed').waitFor({ timeout: 20_000 });
    await page.getByText('From service-agreement.pdf · 2 pages').waitFor();
    await page.getByText('billing@example.com').waitFor();
    await page.getByRole('heading', { name: 'Outline' }).waitFor();
    await page.locator('.recharts-bar').first().waitFor();
    await page.screenshot({ path: `${screenshots}document-upload.png`, fullPage: true });
  });

  it('refuses a file that is not what its name says, before any job starts', async () => {
    const page = await signIn('user@example.com');
    await page.getByLabel('Upload a file').check();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: png });
    await page.getByRole('alert').getByText(/^report\.pdf: This file is image\/png/).waitFor();
    await expect(page.getByRole('button', { name: 'Analyze' }).isDisabled()).resolves.toBe(true);
  });

  it('analyses a CSV and downloads its Excel report', async () => {
    const page = await signIn('user@example.com');
    await page.getByLabel('Dataset').check();
    const rows = Array.from({ length: 200 }, (_, i) => `${i + 1},${['north', 'south', 'east'][i % 3]},${(i * 1.5).toFixed(1)},${i % 7}`);
    const csv = Buffer.from(['id,region,revenue,visits', ...rows].join('\n'));
    await page.getByLabel('CSV or Excel file', { exact: true }).setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByText(/^Uploaded sales\.csv/).waitFor();
    await page.getByRole('button', { name: 'Analyze' }).click();
    await badge(page, 'completed').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Correlations (Pearson r)' }).waitFor();
    await expect(page.locator('.data-table').first().locator('tbody tr').count()).resolves.toBe(4);
    await page.locator('.recharts-bar').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the Excel report' }).click()]);
    const report = await readFile(await download.path());
    expect(report.subarray(0, 2).toString()).toBe('PK');
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    await page.screenshot({ path: `${screenshots}dataset.png`, fullPage: true });
  });

  it('cancels a running job', async () => {
    const page = await signIn('user@example.com');
    const jobId = await startAnalysis(page, 'A job nobody wants any more.');
    await badge(page, 'running').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await badge(page, 'cancelled').waitFor({ timeout: 5_000 });
    await page.getByText('The job was cancelled while it ran.').waitFor();
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('cancelled');
  });

  it('creates an API token that works once copied, and revokes it', async () => {
    const page = await signIn('user@example.com');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('e2e script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('code.token').textContent()) ?? '';
    expect(token).toMatch(/^jk_[\w-]{43}$/);
    const list = (bearer: string) => fetch(`${baseUrl}/trpc/jobs.listJobs?input=%7B%7D`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await list(token)).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('revoked').waitFor();
    expect((await list(token)).status).toBe(401);
  });

  it('registers a webhook endpoint, sees its secret once, rotates it and deletes it', async () => {
    const page = await signIn('user@example.com');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/hooks');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('alert').getByText('is a loopback address').waitFor();
    await page.getByLabel('URL').fill('https://93.184.215.14/hooks/jobkit');
    await page.getByLabel('Description').fill('billing');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.locator('code.token').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/^signs until /).waitFor();
    expect(await page.locator('code.token').textContent()).not.toBe(secret);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('cell', { name: 'billing' }).waitFor({ state: 'detached' });
  });

  it('cannot open the admin job viewer', async () => {
    const page = await signIn('user@example.com', { width: 390, height: 844 });
    await expect(page.getByRole('link', { name: 'Job viewer' }).count()).resolves.toBe(0);
    await page.goto(`${baseUrl}/admin`);
    await page.getByText('Only administrators can open the job viewer.').waitFor();
  });
});

describe('an admin', () => {
  it('filters the job viewer, opens a failed job and retries it', async () => {
    const user = await signIn('user@example.com');
    const failedId = await startAnalysis(user, 'Please FAIL this one.');
    await badge(user, 'failed').waitFor({ timeout: 20_000 });

    const admin = await signIn('admin@example.com');
    await admin.getByRole('link', { name: 'Job viewer' }).click();
    await admin.getByLabel('Status').selectOption('failed');
    const rows = admin.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('user@example.com');
    await admin.screenshot({ path: `${screenshots}admin-viewer.png`, fullPage: true });

    await rows.first().getByRole('link').click();
    await admin.getByRole('heading', { name: 'Attempts' }).waitFor();
    await expect(admin.getByText('This document cannot be analysed.').count()).resolves.toBeGreaterThan(0);
    await admin.getByRole('button', { name: 'Retry' }).click();
    await admin.getByText('Queued again.').waitFor();
    await expect.poll(async () => (await db.prisma.job.findUniqueOrThrow({ where: { id: failedId } })).attempt).toBe(2);
  });

  it('sees the worker process online, with its slots and kinds', async () => {
    const admin = await signIn('admin@example.com');
    await admin.getByRole('link', { name: 'Workers' }).click();
    await admin.getByRole('heading', { name: 'Workers' }).waitFor();
    const rows = admin.locator('table tbody tr');
    // The one worker process of these tests (fixtures/worker.ts); the server runs none.
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('documentAnalysis');
    await admin.getByText(/1 online · \d+ of \d+ slots busy/).waitFor();
    await admin.screenshot({ path: `${screenshots}admin-workers.png`, fullPage: true });
  });
});
