import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { createJobService, type JobService } from '../jobs/index.ts';
import {
  type ContentChecks,
  type ContentService,
  createContentChecks,
  createContentService,
} from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content_checks'));
afterAll(cleanup);

/** The query check the query core does, for a model that lost `sales.category`. */
async function checkQuery(_principal: Principal, body: unknown): Promise<void> {
  const { dimensions = [] } = body as { dimensions?: Array<{ field: string }> };
  dimensions.forEach((dimension, i) => {
    if (dimension.field === 'sales.category')
      throw validationError(
        `dimensions[${i}].field`,
        'unknown field "sales.category"',
        'query.unknown_field',
      );
  });
}

const chart = (name: string, field: string, folderId: string) => ({
  name,
  folderId,
  query: { source: 'sales', dimensions: [{ field }] },
  visualization: { type: 'table' as const, options: {} },
});

describe.each(backends)('content checks on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  let jobs: JobService;
  let checks: ContentChecks;
  const people = organization();
  const developer = people.principal(6, 'developer');
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
    jobs = createJobService({ store, pollIntervalMs: 20 });
    checks = createContentChecks({
      db: store.db,
      jobs,
      charts: content.charts,
      dashboards: content.dashboards,
      checkQuery,
      owners: async () => developer,
    });
    await jobs.start();
  });
  afterAll(async () => {
    await jobs?.stop();
    await store?.close();
  });

  it.skipIf(!available)(
    'finds the chart naming a field its model lost, per check, latest first',
    async () => {
      const folder = await content.folders.create(people.editor, { name: 'Reports' });
      const clean = await checks.start(developer, 1);
      expect((await jobs.wait(clean.id, { timeoutMs: 5000 })).status).toBe('success');
      expect(await checks.findings(developer, 1)).toEqual([]);

      const broken = await content.charts.create(
        people.editor,
        chart('By category', 'sales.category', folder.uuid),
      );
      await content.charts.create(people.editor, chart('By country', 'sales.country', folder.uuid));
      const check = await checks.start(developer, 1);
      expect((await jobs.wait(check.id, { timeoutMs: 5000 })).status).toBe('success');
      const found = await checks.findings(developer, 1);
      expect(found).toEqual([
        expect.objectContaining({
          checkUuid: check.uuid,
          itemKind: 'chart',
          itemUuid: broken.uuid,
          itemName: 'By category',
          folderUuid: folder.uuid,
          problemKind: 'dimension',
          fieldName: 'sales.category',
        }),
      ]);
      expect(await checks.findings(developer, 1, clean.uuid)).toEqual([]);
      expect(await checks.findings(developer, 2)).toEqual([]);
    },
  );

  it.skipIf(!available)('is a developer task', async () => {
    await expect(checks.start(people.editor, 1)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    await expect(checks.findings(people.editor, 1)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });
});
