import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WIDGETS_RENDERED, hasChromium, useBrowserSession, waitUntil } from './browser.ts';

/** Console lines in which Chromium reports something the page's policy refused. */
const violations = (errors: string[]) => errors.filter((line) => line.includes('Content Security Policy'));

/** Browser-side: one computed style property of an element (tests compile without the DOM types). */
function computedStyle(element: unknown, property: string): string {
  const view = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
  return view.getComputedStyle(element)[property];
}

/**
 * Another site on this machine (another origin): it counts what it is asked for, and its `/frame`
 * page frames the URLs given in `?src=`.
 */
async function startOtherSite(): Promise<{ origin: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    hits.push(url.pathname);
    if (url.pathname === '/frame') {
      const frames = url.searchParams
        .getAll('src')
        .map((src, i) => `<iframe name="f${i}" src="${src}" width="1200" height="700"></iframe>`)
        .join('\n');
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><body>${frames}</body>`);
    } else response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!hasChromium)('content security policy in headless Chromium', () => {
  const session = useBrowserSession();
  let other: Awaited<ReturnType<typeof startOtherSite>>;

  beforeAll(async () => {
    other = await startOtherSite();
  });
  afterAll(async () => {
    await other?.close();
  });

  it('signs in, draws the demo dashboard with a chart tooltip and runs SQL without any violation', async () => {
    const { base, page, consoleErrors, shot, waitForWidgets, demoDashboardId, signIn } = session();
    const response = await page.goto(`${base}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await signIn();
    await page.goto(`${base}/dashboards/${await demoDashboardId()}`);
    await waitForWidgets();
    // ECharts writes its tooltip as HTML with inline styles: hover the bar chart to show one.
    const chart = page.locator('[data-widget-id="revenue-by-country"] canvas').first();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the bar chart has no canvas on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // The tooltip is drawn in the widget or appended to the body; its series is the metric.
    const tooltip = page
      .locator('[data-widget-id="revenue-by-country"], body > div:not(#root)')
      .getByText('Revenue', { exact: true });
    await tooltip.waitFor();
    // The series name's `style="…;margin-left:2px"` applies: inline style attributes are allowed.
    expect(await tooltip.evaluate(computedStyle, 'marginLeft')).toBe('2px');
    await shot('csp-dashboard');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SQL' }).click();
    const editor = page.getByRole('textbox', { name: 'Query' });
    await editor.fill('select 42 as answer');
    await page.keyboard.press('Control+Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /^1 row/ })
      .waitFor();
    expect(await page.getByRole('cell', { name: '42' }).count()).toBe(1);

    expect(violations(consoleErrors)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('lets another site frame the embed page, but not the app', async () => {
    const { app, base, page, consoleErrors, demoDashboardId } = session();
    const id = await demoDashboardId();
    const embed = await app.request('POST', `/api/dashboards/${id}/embeds`, { expiresInSeconds: 600 });
    expect(embed.status).toBe(201);
    const frames = new URLSearchParams([
      ['src', `${base}/embed/${embed.body.token}`],
      ['src', `${base}/dashboards/${id}`],
    ]);
    await page.goto(`${other.origin}/frame?${frames}`);

    const embedded = page.frame({ name: 'f0' });
    if (!embedded) throw new Error('no embed frame');
    await waitUntil(embedded, ALL_WIDGETS_RENDERED);
    expect(await embedded.locator('[data-widget-id] canvas').count()).toBeGreaterThanOrEqual(2);
    // The app in a frame is refused by the browser: the frame holds Chromium's error page.
    await expect.poll(() => page.frame({ name: 'f1' })?.url()).toMatch(/^chrome-error:/);
    expect(await page.frame({ name: 'f1' })?.locator('[data-widget-id]').count()).toBe(0);
    expect(violations(consoleErrors)).toEqual([
      expect.stringMatching(
        /Framing '.*' violates .*"frame-ancestors 'none'"\. The request has been blocked/,
      ),
    ]);
    consoleErrors.length = 0;
  });

  it('blocks custom CSS that loads an image from another server', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets, demoDashboardId } = session();
    const id = await demoDashboardId();
    const beacon = `${other.origin}/beacon.png`;
    const saved = await app.request('PATCH', `/api/dashboards/${id}`, {
      customCss: `body { background: url(${beacon}) } .toolbar button { color: rgb(1, 2, 3) }`,
    });
    expect(saved.status).toBe(200);
    other.hits.length = 0;
    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();
    await page.getByTestId('dashboard-style').waitFor({ state: 'attached' });
    // The rest of the custom CSS applies (inline styles are allowed); only the call out is refused.
    const button = page.locator('.dashboard .toolbar button').first();
    expect(await button.evaluate(computedStyle, 'color')).toBe('rgb(1, 2, 3)');
    await expect
      .poll(() => violations(consoleErrors))
      .toEqual([
        expect.stringMatching(
          /Loading the image '.*\/beacon\.png' violates .*"img-src 'self' data:"\. The action has been blocked/,
        ),
      ]);
    expect(other.hits).toEqual([]);
    await shot('csp-custom-css');
    consoleErrors.length = 0;
  });
});
