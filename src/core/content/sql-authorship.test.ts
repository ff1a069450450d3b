// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';
import type { WidgetInput } from './dashboard-input.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';
import type { WidgetQuery } from './types.ts';

/**
 * A saved query's own SQL runs for whoever opens it: only developers may write it into a widget
 * or a chart (it failed before: an editor saved one and every viewer ran it).
 */
const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_sql_authorship'));
afterAll(cleanup);

const withSql = {
  source: 'ds-1',
  dimensions: ['country'],
  metrics: [{ name: 'ticket', sql: 'SUM(${TABLE}.price) / COUNT(*)' }],
};
const plain = { source: 'ds-1', dimensions: ['country'], metrics: [{ aggregation: 'count' }] };
const widget = (query: WidgetQuery): WidgetInput => ({
  id: 'w1',
  title: 'Ticket',
  query,
  visualization: { type: 'table' as const, options: {} },
});

async function forbidden(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RosettaError);
  expect((error as RosettaError).code).toBe('ERR_FORBIDDEN');
}

describe.each(backends)('SQL in saved queries on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('editors cannot write SQL into widgets or charts; developers can', async () => {
    const { editor, principal } = organization();
    const developer = principal(9, 'developer');
    await forbidden(content.dashboards.create(editor, { name: 'Mine', widgets: [widget(withSql)] }));
    await forbidden(
      content.charts.create(editor, { name: 'C', query: withSql, visualization: { type: 'table' } }),
    );
    const own = await content.dashboards.create(editor, { name: 'Mine', widgets: [widget(plain)] });
    await forbidden(content.dashboards.update(editor, own.id, { widgets: [widget(withSql)] }));
    expect((await content.dashboards.get(editor, own.id)).widgets[0].query).toEqual(plain);

    const written = await content.dashboards.create(developer, { name: 'Dev', widgets: [widget(withSql)] });
    expect(written.widgets[0].query).toEqual(withSql);
    const chart = await content.charts.create(developer, {
      name: 'C',
      query: withSql,
      visualization: { type: 'table' },
    });
    expect(chart.query).toEqual(withSql);
  });

  it.skipIf(!available)("editors still edit content that keeps a developer's SQL as it is", async () => {
    const { editor, admin } = organization();
    const dashboard = await content.dashboards.create(admin, { name: 'Dev', widgets: [widget(withSql)] });
    await content.dashboards.setShares(admin, dashboard.id, [
      { subject: 'user', id: editor.userId!, level: 'edit' },
    ]);
    const renamed = await content.dashboards.update(editor, dashboard.id, {
      name: 'Renamed',
      widgets: [{ ...widget(withSql), title: 'New title' }],
    });
    expect(renamed.widgets[0]).toMatchObject({ title: 'New title', query: withSql });
    const changed = { ...withSql, metrics: [{ name: 'ticket', sql: 'MAX(${TABLE}.price)' }] };
    await forbidden(content.dashboards.update(editor, dashboard.id, { widgets: [widget(changed)] }));
  });
});
