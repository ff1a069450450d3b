import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { isRosettaError } from '../errors.ts';
import { type ContentService, createContentService, type Dashboard } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content'));
afterAll(cleanup);

// Bodies near the valid shape reach the deep checks; plain arbitrary JSON covers the rest.
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string(),
  fc.integer({ min: -5, max: 20 }),
  fc.constant(null),
);
const widget = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b'), anyValue),
    title: fc.oneof(fc.string(), anyValue),
    query: fc.oneof(fc.record({ source: fc.oneof(fc.string(), anyValue) }, { requiredKeys: [] }), anyValue),
    visualization: fc.oneof(
      fc.record({ type: fc.constantFrom('bar', 'text', 'kpi', 'radar'), options: anyValue }),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);
const cell = fc.record({
  widgetId: fc.constantFrom('a', 'b', 'zz'),
  x: fc.integer({ min: -1, max: 13 }),
  y: fc.oneof(fc.integer({ min: -1, max: 5 }), anyValue),
  w: fc.integer({ min: 0, max: 13 }),
  h: fc.integer({ min: 0, max: 3 }),
});
const nearlyValid = fc.record(
  {
    name: fc.oneof(fc.string(), anyValue),
    description: anyValue,
    tags: fc.oneof(fc.array(fc.string()), anyValue),
    widgets: fc.oneof(fc.array(widget, { maxLength: 3 }), anyValue),
    filters: fc.oneof(
      fc.array(
        fc.record({
          field: fc.string(),
          type: fc.constantFrom('values', 'date_range', 'number_range', 'x'),
          default: anyValue,
        }),
        {
          maxLength: 2,
        },
      ),
      anyValue,
    ),
    variables: fc.oneof(
      fc.array(fc.record({ name: fc.string(), type: fc.constantFrom('number', 'date'), default: anyValue })),
      anyValue,
    ),
    layout: fc.oneof(fc.array(cell, { maxLength: 3 }), anyValue),
    customCss: anyValue,
    folderId: anyValue,
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(nearlyValid, fc.jsonValue(), fc.anything());

describe.each(backends)('arbitrary dashboard bodies on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  const rosettaOnly = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (!isRosettaError(error)) throw error;
      return undefined;
    }
  };

  it.skipIf(!available)(
    'never fail with a non-Rosetta error, and rejected updates change nothing',
    async () => {
      const { editor } = organization();
      const target = await content.dashboards.create(editor, { name: 'Target' });
      await fc.assert(
        fc.asyncProperty(body, async (input) => {
          await rosettaOnly(() => content.dashboards.create(editor, input as never));
          const before: Dashboard = await content.dashboards.get(editor, target.id);
          const changes: Array<() => Promise<unknown>> = [
            () => content.dashboards.update(editor, target.id, input as never),
            () => content.dashboards.replace(editor, target.id, input as never),
            () => content.dashboards.addWidget(editor, target.id, input as never),
          ];
          for (const change of changes) {
            const result = await rosettaOnly(change);
            if (result === undefined) expect(await content.dashboards.get(editor, target.id)).toEqual(before);
            else return;
          }
        }),
        { numRuns: 300 },
      );
    },
  );
});
