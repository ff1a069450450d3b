import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_dependants'));
afterAll(cleanup);

const MODEL_UUID = '11111111-1111-4111-8111-111111111111';
const SOURCE_UUID = '22222222-2222-4222-8222-222222222222';
const queryOf = (source: string) => ({ source, dimensions: ['country'], metrics: [] });
const widget = (id: string, source: string) => ({
  id,
  title: id,
  query: queryOf(source),
  visualization: { type: 'table' as const },
});

describe.each(backends)('dashboards querying a source on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)(
    'finds widgets by uuid, by model name in its project, and through chart tiles; hides what the caller cannot see',
    async () => {
      const { editor, otherEditor } = organization();
      const bySource = await content.dashboards.create(editor, {
        name: 'On the source',
        widgets: [widget('a', SOURCE_UUID)],
      });
      const byName = await content.dashboards.create(editor, {
        name: 'On the model by name',
        widgets: [widget('a', 'orders_model')],
      });
      const chart = await content.charts.create(editor, {
        name: 'Chart on the model',
        query: queryOf(MODEL_UUID),
        visualization: { type: 'bar' },
      });
      const byChart = await content.dashboards.create(editor, {
        name: 'Through a chart',
        widgets: [{ id: 'c', chartId: chart.uuid }],
      });
      await content.dashboards.create(editor, { name: 'Unrelated', widgets: [widget('a', 'other')] });
      const hidden = await content.dashboards.create(editor, {
        name: 'Personal',
        personal: true,
        widgets: [widget('a', SOURCE_UUID)],
      });

      const model = { uuid: MODEL_UUID, name: 'orders_model', projectId: 1 };
      const ids = async (sources: Parameters<typeof content.dashboards.querying>[1], who = editor) =>
        (await content.dashboards.querying(who, sources)).map((summary) => summary.id).sort();
      expect(await ids([model])).toEqual([byName.id, byChart.id].sort());
      expect(await ids([{ uuid: SOURCE_UUID }])).toEqual([bySource.id, hidden.id].sort());
      expect(await ids([{ uuid: SOURCE_UUID }], otherEditor)).toEqual([bySource.id]);
      expect(await ids([{ ...model, projectId: 2 }])).toEqual([byChart.id]);
      expect(await ids([])).toEqual([]);
    },
  );
});
