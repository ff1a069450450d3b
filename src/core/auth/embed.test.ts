import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { admin, editor, openScheduleHarness, type ScheduleHarness } from '../schedules/test-support.ts';
import { createEmbedService, type EmbedService } from './embed.ts';

// The embed service on a real migrated store and content, with a clock the tests move.
const postgres = await createTempPostgres('rosetta_embeds');
afterAll(() => postgres.drop());

describe.each([
  { kind: 'sqlite' as const, available: true },
  { kind: 'postgres' as const, available: postgres.available },
])('embed service on $kind', ({ kind, available }) => {
  let harness: ScheduleHarness;
  let embeds: EmbedService;
  let clock = new Date('2026-01-01T00:00:00Z');
  const later = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  beforeAll(async () => {
    if (!available) return;
    harness = await openScheduleHarness(kind, postgres.url);
    embeds = createEmbedService({
      store: harness.store,
      content: harness.content,
      sources: harness.data.sources,
      now: () => clock,
    });
  }, 60_000);
  afterAll(() => harness?.close());

  const create = (input: Record<string, unknown>, who = admin) =>
    embeds.create(who, harness.dashboard.uuid, { expiresInSeconds: 600, ...input });

  it.skipIf(!available)(
    'gives a viewer limited to the dashboard, its sources and the variables as attributes',
    async () => {
      const { token, expiresAt } = await create({ variables: { country: ['FR', 'DE'], tier: 2 } });
      expect(expiresAt).toBe(new Date(clock.getTime() + 600_000).toISOString());
      const principal = await embeds.open(token);
      const source = await harness.data.sources.find(1, harness.dashboard.widgets[0]?.query?.source ?? '');
      expect(principal).toMatchObject({
        kind: 'embed',
        role: 'viewer',
        attributes: { country: ['FR', 'DE'], tier: ['2'] },
        dataSourceIds: [source?.id],
        embedDashboardId: harness.dashboard.id,
        expiresAt: new Date(expiresAt),
      });
      expect(await embeds.authenticate(token)).toEqual(principal);
    },
  );

  it.skipIf(!available)('counts opens up to maxUses, once each even when they race', async () => {
    const { token } = await create({ maxUses: 2 });
    const opens = await Promise.allSettled([1, 2, 3, 4].map(() => embeds.open(token)));
    expect(opens.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    await expect(embeds.open(token)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      message: 'this embed URL was already opened as many times as allowed',
    });
    // Data requests of the pages already open are not uses.
    await expect(embeds.authenticate(token)).resolves.toMatchObject({ kind: 'embed' });
  });

  it.skipIf(!available)('expires: data requests are unauthenticated, opening is refused', async () => {
    const { token } = await create({ expiresInSeconds: 60 });
    later(59);
    await expect(embeds.authenticate(token)).resolves.toMatchObject({ kind: 'embed' });
    later(1);
    await expect(embeds.authenticate(token)).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      message: 'this embed URL has expired',
    });
    await expect(embeds.open(token)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      message: 'this embed URL has expired',
    });
    await expect(embeds.open('unknown')).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
  });

  it.skipIf(!available)('validates the input and lets only the owner or an admin embed', async () => {
    for (const [input, field] of [
      [{ expiresInSeconds: 0 }, 'expiresInSeconds'],
      [{ expiresInSeconds: 1.5 }, 'expiresInSeconds'],
      [{ expiresInSeconds: 5 * 86400 + 1 }, 'expiresInSeconds'],
      [{ maxUses: 0 }, 'maxUses'],
      [{ variables: [] }, 'variables'],
      [{ variables: { country: [{}] } }, 'variables.country'],
    ] as const) {
      await expect(create(input), JSON.stringify(input)).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        field,
      });
    }
    await expect(create({}, editor)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });
});
