import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { ensureWebBuild } from './web-build.ts';

/*
 * The harness of the web end-to-end tests: the built web app (web/dist, rebuilt when missing or
 * older than its sources) served by a real Rosetta on a temp data dir with the demo, driven in
 * headless Debian Chromium. Console errors and uncaught page errors are collected so each test
 * can assert there were none.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = join(import.meta.dirname, '..', '..', 'test-results');
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium && process.env.CI === 'true') throw new Error(`no Chromium at ${CHROMIUM} on CI`);
if (!hasChromium) {
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! SKIPPING the web end-to-end tests: no Chromium at ${CHROMIUM}.\n` +
      `!! Install it with: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).\n${line}\n`,
  );
}

/** Browser-side: every widget has its result drawn (charts with a canvas, the rest with content). */
export const ALL_WIDGETS_RENDERED = `(() => {
  const widgets = [...document.querySelectorAll('[data-widget-id]')];
  return widgets.length > 0 && widgets.every((w) => {
    if (w.getAttribute('data-state') !== 'ready') return false;
    const chart = w.querySelector('.chart');
    return chart ? chart.getAttribute('data-rendered') === 'true' && chart.querySelector('canvas, svg') !== null : true;
  });
})()`;

/**
 * Waits until `expression` is true in the page or frame. Polled through `evaluate`, which runs by
 * the DevTools protocol: `waitForFunction` compiles its predicate inside the page, and the app's
 * Content-Security-Policy (no 'unsafe-eval') rightly refuses that.
 */
export async function waitUntil(target: Page | Frame, expression: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await target.evaluate<boolean>(expression)) return;
    } catch (error) {
      lastError = error; // a navigation replaced the document under the call: poll the new one
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface BrowserSession {
  app: TestApp;
  /** `http://127.0.0.1:<port>` of the running server. */
  base: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far; tests may clear it. */
  consoleErrors: string[];
  /** Saves a full-page screenshot as `test-results/web-<name>.png`. */
  shot(name: string): Promise<Buffer>;
  /** Waits until every widget of the dashboard on screen has drawn its result. */
  waitForWidgets(): Promise<unknown>;
  /** The id of the demo dashboard `Demo sales`. */
  demoDashboardId(): Promise<number>;
  /** Signs in through the login form as the test admin and waits for the home page. */
  signIn(): Promise<void>;
  close(): Promise<void>;
}

/** `env`: settings of the server, over the test defaults (e.g. a low `ROSETTA_MAX_QUERY_ROWS`). */
export async function openBrowserSession(
  options: { env?: Record<string, string> } = {},
): Promise<BrowserSession> {
  ensureWebBuild();
  mkdirSync(RESULTS, { recursive: true });
  const app = await startTestApp({ env: options.env });
  await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  const address = app.rosetta.server.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rosetta-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: uncaught ${error.message}`));

  return {
    app,
    base,
    context,
    page,
    consoleErrors,
    shot: (name) => page.screenshot({ path: join(RESULTS, `web-${name}.png`), fullPage: true }),
    waitForWidgets: () => waitUntil(page, ALL_WIDGETS_RENDERED),
    async demoDashboardId() {
      const list = await app.request('GET', '/api/dashboards');
      return list.body.items.find((d: { name: string }) => d.name === 'Demo sales').id as number;
    },
    async signIn() {
      await page.goto(`${base}/`);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Demo sales' }).waitFor();
    },
    async close() {
      await context.close();
      await app.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens one browser session for the enclosing `describe` block and closes it after its tests;
 * the returned function gives the open session inside a test.
 */
export function useBrowserSession(options: { env?: Record<string, string> } = {}): () => BrowserSession {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await openBrowserSession(options);
  }, 240_000);
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error('the browser session did not open');
    return session;
  };
}
