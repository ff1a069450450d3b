import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import {
  admin,
  editor,
  openScheduleHarness,
  principal,
  type ScheduleHarness,
} from '../schedules/test-support.ts';
import { createEmbedService, type EmbedService } from './embed.ts';
import type { Principal } from './principal.ts';

// The embed service on a real migrated store and content, with a clock the tests move and the
// creators' current state in a map the tests change (a user demoted, a user gone).
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
  const frenchEditor: Principal = { ...editor, attributes: { country: ['FR', 'DE'] } };
  const users = new Map<number, Principal>();

  beforeAll(async () => {
    if (!available) return;
    harness = await openScheduleHarness(kind, postgres.url);
    embeds = createEmbedService({
      store: harness.store,
      secret: 'test-secret-0123456789abcdef',
      canEditDashboard: (who, ref) => harness.content.dashboards.editable(who, ref),
      userPrincipal: async (_organizationId, userId) => users.get(userId),
      attributeKeys: async () => ['country'],
      now: () => clock,
    });
  }, 60_000);
  afterAll(() => harness?.close());

  const create = (input: Record<string, unknown>, who: Principal = admin) => {
    users.set(who.userId, who);
    return embeds.create(who, harness.dashboard.uuid, { expiresInSeconds: 600, ...input });
  };

  it.skipIf(!available)(
    "opens as a viewer of the dashboard, its row values bounded by the creator's own",
    async () => {
      const { token, embed } = await create({ variables: { country: 'FR', tier: 2 } }, frenchEditor);
      expect(embed).toMatchObject({ status: 'active', uses: 0, createdBy: editor.userId });
      expect(embed.expiresAt).toBe(new Date(clock.getTime() + 600_000).toISOString());
      const { principal: opened, session } = await embeds.open(token);
      expect(opened).toMatchObject({
        kind: 'embed',
        role: 'viewer',
        // `tier` is a dashboard variable, not an attribute the editor holds: no row value.
        attributes: { country: ['FR'] },
        variables: { country: ['FR'], tier: ['2'] },
        embedDashboardId: harness.dashboard.id,
      });
      expect(opened.dataSourceIds).toBeUndefined();
      expect(await embeds.authenticate(session)).toEqual({ ...opened, address: undefined });
      // The link itself only opens: every page load counts.
      await expect(embeds.authenticate(token)).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
      // Without values, an editor's embed sees what the editor sees.
      const plain = await embeds.open((await create({}, frenchEditor)).token);
      expect(plain.principal.attributes).toEqual({ country: ['FR', 'DE'] });
    },
  );

  it.skipIf(!available)('refuses row values beyond the creator, except to admins', async () => {
    await expect(create({ variables: { country: ['FR', 'US'] } }, frenchEditor)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      field: 'variables.country',
    });
    // An attribute the editor does not hold at all cannot be handed out either.
    await expect(create({ variables: { country: 'FR' } }, editor)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      field: 'variables.country',
    });
    const { token } = await create({ variables: { country: 'US' } });
    expect((await embeds.open(token)).principal.attributes).toEqual({ country: ['US'] });
  });

  it.skipIf(!available)('is created only by users who may edit the dashboard', async () => {
    const viewer = principal(3, 'viewer');
    const dataKey: Principal = { ...admin, kind: 'dataKey', role: 'interactive_viewer', dataSourceIds: [1] };
    const { principal: embedded } = await embeds.open((await create({})).token);
    for (const who of [viewer, dataKey, embedded])
      await expect(create({}, who), who.kind).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it.skipIf(!available)('counts opens up to maxUses, once each even when they race', async () => {
    const { token } = await create({ maxUses: 2 });
    const opens = await Promise.allSettled([1, 2, 3, 4].map(() => embeds.open(token)));
    const sessions = opens.flatMap((o) => (o.status === 'fulfilled' ? [o.value.session] : []));
    expect(sessions).toHaveLength(2);
    await expect(embeds.open(token)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      message: 'this embed URL was already opened as many times as allowed',
    });
    // The pages already open keep working: their requests are not uses.
    await expect(embeds.authenticate(sessions[0])).resolves.toMatchObject({ kind: 'embed' });
  });

  it.skipIf(!available)('expires: sessions are unauthenticated, opening is refused', async () => {
    const { token } = await create({ expiresInSeconds: 60 });
    const { session } = await embeds.open(token);
    later(59);
    await expect(embeds.authenticate(session)).resolves.toMatchObject({ kind: 'embed' });
    later(1);
    await expect(embeds.authenticate(session)).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      message: 'this embed URL has expired',
    });
    await expect(embeds.open(token)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      message: 'this embed URL has expired',
    });
    await expect(embeds.open('unknown')).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
    await expect(embeds.authenticate(`${session.slice(0, -2)}xx`)).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
    });
  });

  it.skipIf(!available)('lists and revokes; revoked links neither open nor answer', async () => {
    const { token, embed } = await create({}, frenchEditor);
    const { session } = await embeds.open(token);
    const listed = await embeds.list(frenchEditor, harness.dashboard.uuid);
    expect(listed.find((e) => e.id === embed.id)).toMatchObject({ status: 'active', uses: 1 });
    const revoked = await embeds.revoke(frenchEditor, embed.id);
    expect(revoked).toMatchObject({ status: 'revoked', revokedReason: `revoked by ${editor.email}` });
    await expect(embeds.authenticate(session)).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
    await expect(embeds.open(token)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    await expect(embeds.revoke(admin, embed.id)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(embeds.revoke(principal(3, 'viewer'), embed.id)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
  });

  it.skipIf(!available)('stops when the creator loses edit rights or leaves', async () => {
    const demoted = principal(7, 'editor');
    const first = await create({}, demoted);
    const { session } = await embeds.open(first.token);
    users.set(demoted.userId, { ...demoted, role: 'viewer' });
    await expect(embeds.authenticate(session)).rejects.toMatchObject({
      message: 'this embed URL was revoked',
    });
    const listed = await embeds.list(admin, harness.dashboard.uuid);
    expect(listed.find((e) => e.id === first.embed.id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'the creator may no longer edit the dashboard',
    });

    const gone = principal(8, 'editor');
    const second = await create({}, gone);
    users.delete(gone.userId);
    await expect(embeds.open(second.token)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const after = await embeds.list(admin, harness.dashboard.uuid);
    expect(after.find((e) => e.id === second.embed.id)).toMatchObject({
      revokedReason: 'the creator is no longer active',
    });
  });

  it.skipIf(!available)('stops when its dashboard is deleted', async () => {
    const copy = await harness.content.dashboards.clone(admin, harness.dashboard.uuid);
    users.set(admin.userId, admin);
    const { token } = await embeds.create(admin, copy.uuid, { expiresInSeconds: 600 });
    const { session } = await embeds.open(token);
    await harness.content.dashboards.delete(admin, copy.uuid);
    await expect(embeds.authenticate(session)).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
    expect(await embeds.revokeAll({ dashboardId: copy.id }, 'the dashboard was deleted')).toBe(0);
  });

  it.skipIf(!available)('describes the link a token opens without counting a use', async () => {
    const { token, embed } = await create({ maxUses: 1 });
    expect(await embeds.describe(token)).toEqual(embed);
    expect((await embeds.describe(token)).uses).toBe(0);
    await embeds.open(token);
    expect(await embeds.describe(token)).toMatchObject({ id: embed.id, uses: 1, status: 'used_up' });
    await expect(embeds.describe('unknown')).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
  });

  it.skipIf(!available)('validates the input naming the field', async () => {
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
  });
});
