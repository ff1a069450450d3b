import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';

/** The text of a number with everything but its digits dropped, as a KPI shows it. */
export const digits = (text: string | null) => (text ?? '').replace(/\D/g, '');

/** The KPI's filter: the countries of the `country` variable. */
export const BY_COUNTRY = { field: 'country', operator: 'in', values: [{ variable: 'country' }] };

/**
 * Gives the demo dashboard a `country` variable (default France) that filters its "Units sold"
 * KPI and fills its title (`Units in {{country}}`); `extra` widgets and layout items are added.
 * Returns the units an API query finds for a country, as the KPI should show them.
 */
export async function addCountryVariable(
  app: TestApp,
  dashboardId: number,
  extra: { widgets?: unknown[]; layout?: unknown[] } = {},
): Promise<{ unitsIn(country: string): Promise<string> }> {
  const demo = (await app.request('GET', `/api/dashboards/${dashboardId}`)).body;
  // biome-ignore lint/suspicious/noExplicitAny: widgets are sent back as the API gave them
  const widgets = demo.widgets.map((w: any) =>
    w.id === 'units-sold'
      ? { ...w, title: 'Units in {{country}}', query: { ...w.query, filters: BY_COUNTRY } }
      : w,
  );
  const patched = await app.request('PATCH', `/api/dashboards/${dashboardId}`, {
    variables: [{ name: 'country', type: 'string', default: 'France' }],
    widgets: [...widgets, ...(extra.widgets ?? [])],
    ...(extra.layout && { layout: [...demo.layout, ...extra.layout] }),
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const source = demo.widgets.find((w: { id: string }) => w.id === 'units-sold').query.source;
  return {
    async unitsIn(country) {
      const answer = await app.request('POST', '/api/query', {
        source,
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        filters: { field: 'country', operator: '=', values: [country] },
      });
      return String(answer.body.rows[0][0]);
    },
  };
}
