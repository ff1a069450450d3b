import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';
import { addCountryVariable, BY_COUNTRY, digits } from './country-variable.ts';

describe.skipIf(!hasChromium)('dashboard variables in headless Chromium', () => {
  const session = useBrowserSession();

  it('filters a widget and fills its title from a variable the viewer changes', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets, demoDashboardId, signIn } = session();
    const id = await demoDashboardId();
    const { unitsIn } = await addCountryVariable(app, id, {
      widgets: [
        {
          id: 'note',
          title: 'Note',
          visualization: { type: 'text', options: { text: 'Sales of {{country}}' } },
        },
      ],
      layout: [{ widgetId: 'note', x: 0, y: 20, w: 6, h: 2 }],
    });

    await signIn();
    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();
    const kpi = page.locator('[data-widget-id="units-sold"]');
    expect(await kpi.locator('h2').textContent()).toBe('Units in France');
    expect(digits(await kpi.getByTestId('kpi-value').textContent())).toBe(await unitsIn('France'));
    expect(await page.locator('[data-widget-id="note"] .textwidget').textContent()).toBe('Sales of France');

    const queried: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/results')) queried.push(request.postData() ?? '');
    });
    const input = page.getByRole('group', { name: 'Variables' }).getByLabel('country');
    expect(await input.inputValue()).toBe('France');
    await input.fill('Spain');
    await input.press('Enter');
    await kpi.locator('h2', { hasText: 'Units in Spain' }).waitFor();
    await waitForWidgets();
    expect(digits(await kpi.getByTestId('kpi-value').textContent())).toBe(await unitsIn('Spain'));
    expect(await page.locator('[data-widget-id="note"] .textwidget').textContent()).toBe('Sales of Spain');
    // Only the widget that uses the variable ran again, with the new value.
    expect(queried).toHaveLength(1);
    expect(JSON.parse(queried[0]).variables).toEqual({ country: 'Spain' });
    await shot('variables');

    // The widget editor shows the variable in the filter row and previews with the default.
    await page.goto(`${base}/dashboards/${id}/widgets/units-sold`);
    const choice = page.getByLabel('Filter 1 value or variable');
    await expect.poll(() => choice.inputValue()).toBe('country');
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.locator('h2', { hasText: 'Units in France' }).waitFor();
    await choice.selectOption('');
    await page.getByLabel('Filter 1 values').fill('Germany');
    await preview
      .getByTestId('kpi-value')
      .filter({ hasText: Number(await unitsIn('Germany')).toLocaleString('en') })
      .waitFor();
    await choice.selectOption('country');
    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${id}`);
    const saved = (await app.request('GET', `/api/dashboards/${id}`)).body;
    expect(saved.widgets.find((w: { id: string }) => w.id === 'units-sold').query.filters).toEqual({
      and: [BY_COUNTRY],
    });

    // An embed shows the token's value, which its viewer cannot change.
    const embed = await app.request('POST', `/api/dashboards/${id}/embeds`, {
      expiresInSeconds: 600,
      variables: { country: 'Germany' },
    });
    await page.goto(`${base}/embed/${embed.body.token}`);
    await waitForWidgets();
    expect(await kpi.locator('h2').textContent()).toBe('Units in Germany');
    expect(digits(await kpi.getByTestId('kpi-value').textContent())).toBe(await unitsIn('Germany'));
    const locked = page.getByRole('group', { name: 'Variables' }).getByLabel('country');
    expect(await locked.getAttribute('readonly')).not.toBeNull();
    expect(consoleErrors).toEqual([]);
  });
});
