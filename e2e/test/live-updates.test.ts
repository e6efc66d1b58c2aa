/**
 * Live job updates in a real Chromium: the job page follows `jobs.watchJob` (SSE) and makes no
 * `getJob` request while the stream is up, falls back to polling when the stream is refused, and
 * resumes a dropped stream without repeating or skipping a step. The real server process, a real
 * PostgreSQL and a worker whose document analysis takes ~4 s in 8 steps (fixtures/slow-handlers.ts).
 */
import { createUser } from '@jobkit/api';
import { createTestDatabase, startTypeScriptProcess, type TestDatabase, type TestProcess } from '@jobkit/db/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

const serverDir = fileURLToPath(new URL('../../apps/server', import.meta.url));
const e2eDir = fileURLToPath(new URL('..', import.meta.url));
const password = 'correct horse battery staple';

let db: TestDatabase;
let server: TestProcess;
let worker: TestProcess;
let browser: Browser;
let baseUrl: string;
/** Where a test releases a job started with "HOLD" in its text (fixtures/slow-handlers.ts). */
const releaseDir = mkdtempSync(join(tmpdir(), 'jobkit-e2e-release-'));

beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db, { email: 'live@example.com', name: 'Liv Live', password });
  await createUser(db, { email: 'admin-live@example.com', name: 'Ada Admin', password, role: 'admin' });
  server = startTypeScriptProcess('src/main.ts', {
    cwd: serverDir,
    env: { DATABASE_URL: db.url, PORT: '0', RUN_WORKER: 'false', LOG_LEVEL: 'warn' },
  });
  worker = startTypeScriptProcess('fixtures/worker.ts', { cwd: e2eDir, env: { DATABASE_URL: db.url, E2E_RELEASE_DIR: releaseDir } });
  const [[, url]] = await Promise.all([server.waitFor(/running at (http:\/\/\S+)/), worker.waitFor(/^ready /m)]);
  baseUrl = url ?? '';
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await Promise.all([server.kill('SIGTERM'), worker.kill('SIGTERM')]);
  await db.drop();
  rmSync(releaseDir, { recursive: true, force: true });
});

/** What one signed-in page did: its tRPC requests by procedure, the progress texts it showed, the stream's event ids. */
interface Watched {
  page: Page;
  requests: (procedure: string) => number;
  shown: string[];
  eventIds: string[];
  /** The Last-Event-ID each jobs.watchJob request carried (undefined on a first connect). */
  resumedFrom: (string | undefined)[];
}

/**
 * A TCP relay in front of the server whose `drop()` cuts every connection, as a network blip or a
 * load balancer would: the browser sees its EventSource fail and reconnects by itself.
 */
async function relay(target: string): Promise<{ url: string; drop: () => void; close: () => Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const relayServer: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
  const address = relayServer.address();
  if (address === null || typeof address === 'string') throw new Error('The relay has no TCP address');
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  const close = () => {
    drop();
    return new Promise<void>((resolve) => {
      relayServer.close(() => {
        resolve();
      });
    });
  };
  return { url: `http://127.0.0.1:${String(address.port)}`, drop, close };
}

/**
 * A tab whose `hideTab()` and `showTab()` hide and show it as the user switching tabs would
 * (document.hidden, visibilitychange), and whose Notification records what it is asked to show.
 */
const switchableTab = `{
  let hidden = false;
  window.shownNotifications = [];
  const setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.hideTab = () => setHidden(true);
  window.showTab = () => setHidden(false);
  Object.defineProperty(document, 'hidden', { get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
  window.Notification = class {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    constructor(title, options) { window.shownNotifications.push({ title, tag: options?.tag }); }
  };
}`;

async function signedInPage(origin = baseUrl, initScript?: string, email = 'live@example.com'): Promise<Watched> {
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 1000 } })).newPage();
  const calls: string[] = [];
  const resumedFrom: (string | undefined)[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    // A batch names every procedure in its path: /trpc/jobs.getJob,auth.me
    if (path.startsWith('/trpc/')) calls.push(...path.slice('/trpc/'.length).split(','));
    if (path === '/trpc/jobs.watchJob') {
      void request.allHeaders().then((headers) => {
        resumedFrom.push(headers['last-event-id']);
      });
    }
  });
  // Every distinct text of the progress line, as the page showed it (a MutationObserver in the page).
  const shown: string[] = [];
  await page.exposeFunction('recordProgress', (text: string) => shown.push(text));
  // Page-side code as text: this package compiles for Node, without the DOM's types.
  await page.addInitScript({
    content: `{
      let last = '';
      new MutationObserver(() => {
        const text = document.querySelector('.progress-text')?.textContent ?? '';
        if (text !== '' && text !== last) window.recordProgress((last = text));
      }).observe(document, { subtree: true, childList: true, characterData: true });
    }`,
  });
  if (initScript !== undefined) await page.addInitScript({ content: initScript });
  // The job stream's SSE messages Chromium received, with their ids (tracked versions), from the
  // DevTools protocol; the header's list stream beside it is left out.
  const eventIds: string[] = [];
  const jobStreams = new Set<string>();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (event) => {
    if (new URL(event.request.url).pathname === '/trpc/jobs.watchJob') jobStreams.add(event.requestId);
  });
  cdp.on('Network.eventSourceMessageReceived', (event) => {
    if (event.eventName === 'message' && jobStreams.has(event.requestId)) eventIds.push(event.eventId);
  });
  await page.goto(origin);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'My jobs' }).waitFor();
  return { page, requests: (procedure) => calls.filter((call) => call === procedure).length, shown, eventIds, resumedFrom };
}

async function startAnalysis(page: Page, text: string, origin = baseUrl): Promise<void> {
  await page.goto(origin);
  await page.getByLabel('Text', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Analyze' }).click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
}

const badge = (page: Page, status: string) => page.locator(`main .job-status .badge-${status}`);
const completed = (page: Page) => badge(page, 'completed').waitFor({ timeout: 30_000 });

/** The step numbers of the "Reading part N of 8" texts shown, in order. */
function stepsShown(shown: string[]): number[] {
  return shown.flatMap((text) => {
    const step = /Reading part (\d) of 8/.exec(text)?.[1];
    return step === undefined ? [] : [Number(step)];
  });
}

/** Whole numbers from `from`, one each: [3, 4, 5]. */
const run = (from: number, length: number) => Array.from({ length }, (_, i) => from + i);

describe('live job updates', () => {
  it('shows every progress step and the result from the stream, with no getJob request', async () => {
    const { page, requests, shown, eventIds } = await signedInPage();
    await startAnalysis(page, 'Streams push what polls ask for. Nothing asks twice.');
    await page.getByText(/Reading part \d of 8/).waitFor();
    await completed(page);
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    // Designed so: useJob subscribes first and asks getJob (or pollJob) only when the stream fails.
    expect(requests('jobs.getJob') + requests('jobs.pollJob')).toBe(0);
    expect(requests('jobs.watchJob')).toBe(1);
    // Each event a newer version than the last: none sent twice. (Not necessarily every version: the
    // server coalesces changes that come faster than one read, and sends the latest.)
    const versions = eventIds.map(Number);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    // Steps 1 to 7 at least, none twice (the worker's progress throttle may fold step 8 into the
    // analysis' own first message, 250 ms later).
    const steps = stepsShown(shown);
    expect(steps).toEqual(run(1, steps.length));
    expect(steps.length).toBeGreaterThanOrEqual(7);
    expect(shown.at(-1)).toBe('100% ');
  });

  it('polls when the stream is refused, and the job still completes on screen', async () => {
    const { page, requests, shown } = await signedInPage();
    await page.route('**/trpc/jobs.watchJob**', (route) => route.abort());
    await startAnalysis(page, 'A proxy that refuses streams. Polling carries on.');
    await page.getByText(/Reading part \d of 8/).waitFor();
    await completed(page);
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    expect(requests('jobs.watchJob')).toBeGreaterThanOrEqual(1);
    // Polled at the policy's 1 s through a ~4 s job: the whole job once, then polls that send the
    // version held (answered in full only when it changed), progress among them.
    expect(requests('jobs.getJob')).toBe(1);
    expect(requests('jobs.pollJob')).toBeGreaterThanOrEqual(2);
    expect(stepsShown(shown).length).toBeGreaterThanOrEqual(1);
    expect(shown.at(-1)).toBe('100% ');
  });

  it('follows a retried job again: one poll (the refresh after Retry), then the stream', async () => {
    const { page, requests, shown } = await signedInPage();
    await startAnalysis(page, 'This one will FAIL, and then be tried again.');
    await badge(page, 'failed').waitFor({ timeout: 30_000 });
    expect(requests('jobs.getJob') + requests('jobs.pollJob')).toBe(0);
    const stepsBefore = stepsShown(shown).length;
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText(/Reading part \d of 8/).waitFor();
    await badge(page, 'failed').waitFor({ timeout: 30_000 });
    expect(stepsShown(shown).length).toBeGreaterThan(stepsBefore);
    // The refresh sends the version the page has (the failed one); the retry changed it.
    expect([requests('jobs.getJob'), requests('jobs.pollJob')]).toEqual([0, 1]);
    expect(requests('jobs.watchJob')).toBe(2);
  });

  it('resumes a dropped connection mid-job from its last event: nothing repeated, nothing stale', async () => {
    const front = await relay(baseUrl);
    try {
      const { page, requests, shown, eventIds, resumedFrom } = await signedInPage(front.url);
      await startAnalysis(page, 'The network drops for a moment. The stream picks up where it was.', front.url);
      // Early in the job, so that the reconnect (after the 1 s the server's `retry:` asks for) can land
      // before the end; whenever it lands, only what follows is checked, never a duration.
      await page.getByText(/Reading part 1 of 8/).waitFor();
      const before = eventIds.length;
      front.drop();
      await completed(page);
      // Chromium's EventSource reconnected by itself with Last-Event-ID, inside the 5 s the hook
      // waits before it polls; the server sent only versions after that id (the latest at once:
      // steps that passed while disconnected are not replayed, a snapshot stream keeps the latest).
      expect(requests('jobs.watchJob')).toBe(2);
      expect(requests('jobs.getJob') + requests('jobs.pollJob')).toBe(0);
      expect(resumedFrom).toEqual([undefined, eventIds[before - 1]]);
      // Across the reconnect, each event newer than the one before: the resumed stream repeated nothing.
      const versions = eventIds.map(Number);
      expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
      expect(versions.length).toBeGreaterThan(before);
      const steps = stepsShown(shown);
      expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
      expect(shown.at(-1)).toBe('100% ');
    } finally {
      await front.close();
    }
  });

  it('lists the job in the header of the user’s other browser, and notifies it when the job finishes while hidden', async () => {
    // Another browser (its own context: no localStorage in common) whose tab the user will hide,
    // with notifications allowed.
    const other = await signedInPage(baseUrl, switchableTab);
    const { page } = await signedInPage();
    // HOLD: the job stays running until released, however slowly the other tab's polls come.
    await startAnalysis(page, 'Started in one browser. Watched from the header of another. HOLD');
    const jobId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const indicator = other.page.locator('.active-jobs summary');
    await indicator.waitFor({ timeout: 15_000 });
    expect(await indicator.textContent()).toContain('1 active');
    await indicator.click();
    expect(await other.page.getByRole('link', { name: 'Document analysis' }).getAttribute('href')).toBe(`/jobs/${jobId}`);
    await other.page.evaluate('window.hideTab()');
    const pollsBefore = other.requests('jobs.activeJobs');
    writeFileSync(join(releaseDir, jobId), '');
    await completed(page);
    // The header's stream (jobs.watchActiveJobs) pushes the list without the job: no poll needed
    // (a hidden tab polls only every 30 s, and only when the stream is down).
    await expect
      .poll(() => other.page.evaluate('window.shownNotifications'), { timeout: 60_000, interval: 500 })
      .toEqual([{ title: 'Document analysis completed', tag: jobId }]);
    await indicator.waitFor({ state: 'detached' });
    expect(other.requests('jobs.activeJobs')).toBe(pollsBefore);
  }, 120_000);

  it('updates the admin viewer live while it is seen, and asks nothing while it is hidden', async () => {
    const viewer = await signedInPage(baseUrl, switchableTab, 'admin-live@example.com');
    await viewer.page.getByRole('link', { name: 'Job viewer' }).click();
    await viewer.page.getByText('Live', { exact: true }).waitFor({ timeout: 15_000 });
    const { page } = await signedInPage();
    await startAnalysis(page, 'The admin viewer lists this without a reload. HOLD');
    const jobId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const row = viewer.page.locator('tr', { has: viewer.page.locator(`a[href="/admin/jobs/${jobId}"]`) });
    await row.getByText('running').waitFor({ timeout: 15_000 });

    await viewer.page.evaluate('window.hideTab()');
    const asked = () => viewer.requests('admin.listJobs') + viewer.requests('admin.stats') + viewer.requests('admin.watchChanges');
    const askedWhileSeen = asked();
    writeFileSync(join(releaseDir, jobId), '');
    await completed(page);
    // Longer than the fallback poll (5 s) and the stream's throttle (2 s): a hidden viewer still asks nothing.
    await page.waitForTimeout(6_000);
    expect(asked()).toBe(askedWhileSeen);
    expect(await row.getByText('running').count()).toBe(1);

    // Shown again, it catches up at once.
    await viewer.page.evaluate('window.showTab()');
    await row.getByText('completed').waitFor({ timeout: 15_000 });
  }, 120_000);
});
