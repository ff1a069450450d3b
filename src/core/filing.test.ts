import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from './auth/index.ts';
import type { Principal } from './auth/principal.ts';
import { createContentService, type Folder, type FolderItemKind } from './content/index.ts';
import { messageOf, openHarness, principalFor } from './data/test-support.ts';
import type { FolderRef } from './filing.ts';
import { createJobService } from './jobs/index.ts';
import { createScriptService } from './scripts/index.ts';

const admin = principalFor('admin');
const developer = principalFor('developer', { userId: 2 });
const viewer = principalFor('viewer', { userId: 3 });

/** What the tests need of each filed item's service: its own create, update and get. */
interface FiledService {
  kind: FolderItemKind;
  create(): Promise<{ uuid: string }>;
  update(
    principal: Principal,
    uuid: string,
    patch: { name?: string; folderId?: FolderRef | null },
  ): Promise<{ name: string }>;
  nameOf(uuid: string): Promise<string>;
}

describe('filing through each service update', async () => {
  const harness = await openHarness('sqlite', { filing: (store) => createContentService(store).folders });
  afterAll(async () => harness?.close());
  const h = harness!;
  const { folders } = createContentService(h.store);
  const scriptService = (filed: boolean) =>
    createScriptService({
      store: h.store,
      jobs: createJobService({ store: h.store }),
      auth: createAuthService({ store: h.store }),
      timeoutMs: 1000,
      memoryMb: 64,
      python: 'python3',
      sandbox: 'off',
      dataDir: h.dataDir,
      ...(filed && { filing: folders }),
    });
  const scripts = scriptService(true);
  let created = 0;
  const sourceNamed = (name: string) =>
    h.data.sources.create(admin, { type: 'storage', name, columns: [{ name: 'id', type: 'integer' }] });

  const services: FiledService[] = [
    {
      kind: 'data_source',
      create: () => sourceNamed(`source ${++created}`),
      update: (principal, uuid, patch) => h.data.sources.update(principal, uuid, patch),
      nameOf: async (uuid) => (await h.data.sources.get(admin, uuid)).name,
    },
    {
      kind: 'data_source',
      async create() {
        const source = await sourceNamed(`joined ${++created}`);
        return h.data.models.create(admin, {
          name: `model ${created}`,
          connectionId: h.embedded.id,
          baseTable: 'rows',
          tables: [{ name: 'rows', dataSource: source.uuid }],
          joins: [],
          dimensions: [],
          metrics: [],
          policies: [],
        });
      },
      update: (principal, uuid, patch) => h.data.models.update(principal, uuid, patch),
      nameOf: async (uuid) => (await h.data.models.get(admin, uuid)).name,
    },
    {
      kind: 'script',
      create: () => scripts.create(admin, { name: `script ${++created}`, code: '', language: 'python' }),
      update: (principal, uuid, patch) => scripts.update(principal, uuid, patch),
      nameOf: async (uuid) => (await scripts.get(admin, uuid)).name,
    },
  ];

  /** Per kind: open to every developer, visible to the developer but not theirs to edit, the admin's alone. */
  const shelves = new Map<FolderItemKind, { open: Folder; readOnly: Folder; hidden: Folder }>();
  beforeAll(async () => {
    if (!harness) return;
    for (const kind of ['data_source', 'script'] as const) {
      shelves.set(kind, {
        open: await folders.create(admin, { name: `open ${kind}`, kind }),
        readOnly: await folders.create(admin, {
          name: `read-only ${kind}`,
          kind,
          access: [{ subject: 'user', id: developer.userId, level: 'view' }],
        }),
        hidden: await folders.create(admin, {
          name: `hidden ${kind}`,
          kind,
          access: [{ subject: 'user', id: admin.userId, level: 'edit' }],
        }),
      });
    }
  });
  const folderOf = async (kind: FolderItemKind, uuid: string) =>
    (await folders.placements(admin, kind)).get(uuid) ?? null;
  const names = ['data source', 'model', 'script'];

  it.skipIf(!harness).each(services.map((service, i) => [names[i], service] as const))(
    'files a %s and changes it in one update',
    async (_name, service) => {
      const { open } = shelves.get(service.kind)!;
      const item = await service.create();
      const moved = await service.update(developer, item.uuid, { name: 'renamed', folderId: open.uuid });
      expect(moved.name).toBe('renamed');
      expect(await folderOf(service.kind, item.uuid)).toBe(open.uuid);
      await service.update(developer, item.uuid, { folderId: null });
      expect(await folderOf(service.kind, item.uuid)).toBeNull();
    },
  );

  it.skipIf(!harness).each(services.map((service, i) => [names[i], service] as const))(
    'keeps a %s change out when its move is refused',
    async (_name, service) => {
      const { open, readOnly, hidden } = shelves.get(service.kind)!;
      const item = await service.create();
      const before = await service.nameOf(item.uuid);
      await service.update(developer, item.uuid, { folderId: open.id });
      const into = (folderId: FolderRef) => service.update(developer, item.uuid, { name: 'kept?', folderId });
      expect(await messageOf(into(readOnly.id))).toMatch(/^ERR_FORBIDDEN/);
      expect(await messageOf(into(hidden.uuid))).toMatch(/^ERR_VALIDATION folderId: folder .* not found/);
      expect(await messageOf(into(open.id + 10_000))).toMatch(/^ERR_VALIDATION folderId/);
      expect([await service.nameOf(item.uuid), await folderOf(service.kind, item.uuid)]).toEqual([
        before,
        open.uuid,
      ]);
      // Leaving a folder needs edit access to it as much as entering one.
      await service.update(admin, item.uuid, { folderId: readOnly.id });
      expect(
        await messageOf(service.update(developer, item.uuid, { name: 'kept?', folderId: null })),
      ).toMatch(/^ERR_FORBIDDEN/);
      expect([await service.nameOf(item.uuid), await folderOf(service.kind, item.uuid)]).toEqual([
        before,
        readOnly.uuid,
      ]);
    },
  );

  it.skipIf(!harness).each(services.map((service, i) => [names[i], service] as const))(
    'keeps a %s move out when its change is refused',
    async (_name, service) => {
      const { open } = shelves.get(service.kind)!;
      const item = await service.create();
      const before = await service.nameOf(item.uuid);
      expect(await messageOf(service.update(developer, item.uuid, { name: ' ', folderId: open.id }))).toMatch(
        /^ERR_VALIDATION name/,
      );
      // No right to change the item, no right to file it.
      expect(await messageOf(service.update(viewer, item.uuid, { folderId: open.id }))).toMatch(
        /^ERR_FORBIDDEN/,
      );
      expect([await service.nameOf(item.uuid), await folderOf(service.kind, item.uuid)]).toEqual([
        before,
        null,
      ]);
    },
  );

  it.skipIf(!harness)('stores nothing when the item neither moves nor changes', async () => {
    const { open } = shelves.get('data_source')!;
    const model = await services[1].create();
    const filed = await h.data.models.update(developer, model.uuid, { folderId: open.id });
    const again = await h.data.models.update(developer, model.uuid, { folderId: open.uuid });
    expect(again.version).toBe(filed.version);
  });

  it.skipIf(!harness)('refuses a folder where no folders are wired', async () => {
    const unfiled = scriptService(false);
    const script = await unfiled.create(admin, { name: 'loose', code: '', language: 'python' });
    expect(await messageOf(unfiled.update(admin, script.uuid, { name: 'x', folderId: null }))).toBe(
      'ERR_VALIDATION folderId: folders are not available here',
    );
    expect((await unfiled.get(admin, script.uuid)).name).toBe('loose');
  });
});
