import { describe, expect, it } from 'vitest';
import { RosettaError } from '../../core/errors.ts';
import type { ExternalIds, IdKind } from '../../core/ids/index.ts';
import {
  derivedUuid,
  type EntityIdentity,
  type FieldRef,
  fieldIdReader,
  hex24Codec,
  intCodec,
  lightdashFieldId,
  sisenseFieldId,
  uuidCodec,
} from './ids.ts';

const dashboard: EntityIdentity = { organizationId: 1, id: 42, uuid: '6f1c2b8e-3d4a-4c5b-9e6f-7a8b9c0d1e2f' };
const other: EntityIdentity = { organizationId: 2, id: 42, uuid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };

const described = (error: unknown) => {
  if (error instanceof RosettaError) return `${error.code}:${error.field}`;
  throw error;
};

/** `ERR_X:field` for a RosettaError thrown by `run`, else its result. */
const outcome = (run: () => Promise<unknown>): Promise<unknown> => run().catch(described);

/** `outcome` for a synchronous `run`. */
function outcomeNow(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return described(error);
  }
}

/** The core service's contract in memory: the kit only routes to it. */
function memoryIds(): Omit<ExternalIds, 'forget'> {
  const rows = new Map<string, string>();
  const key = (organizationId: number, kind: IdKind, id: number) => `${organizationId}/${kind}/${id}`;
  const idOf = async (organizationId: number, kind: IdKind, id: number) => {
    const at = key(organizationId, kind, id);
    if (!rows.has(at)) rows.set(at, (rows.size + 1).toString(16).padStart(24, '0'));
    return rows.get(at) as string;
  };
  return {
    idOf,
    async idsOf(organizationId, kind, internalIds) {
      return new Map(
        await Promise.all(internalIds.map(async (id) => [id, await idOf(organizationId, kind, id)] as const)),
      );
    },
    async resolve(organizationId, kind, _style, external, field = 'id') {
      if (typeof external !== 'string' || !/^[0-9a-f]{24}$/.test(external))
        throw new RosettaError('ERR_VALIDATION', 'bad', field);
      const found = [...rows].find(
        ([at, oid]) => oid === external && at.startsWith(`${organizationId}/${kind}/`),
      );
      return found ? Number(found[0].split('/')[2]) : undefined;
    },
  };
}

describe('id codecs', () => {
  it('uuid: the entity’s own uuid, and back', async () => {
    expect(await uuidCodec.encode(dashboard)).toBe(dashboard.uuid);
    expect(await uuidCodec.encodeAll([dashboard, other])).toEqual([dashboard.uuid, other.uuid]);
    expect(await uuidCodec.decode(1, dashboard.uuid, 'uuid')).toBe(dashboard.uuid);
    expect(await uuidCodec.decode(1, dashboard.uuid.toUpperCase(), 'uuid')).toBe(
      dashboard.uuid.toUpperCase(),
    );
    for (const malformed of ['', '42', 'not-a-uuid', `${dashboard.uuid}0`, 42, null, undefined])
      expect(await outcome(() => uuidCodec.decode(1, malformed, 'webapp_uuid'))).toBe(
        'ERR_VALIDATION:webapp_uuid',
      );
  });

  it('int: the entity’s own id, from a JSON number or a path’s digits', async () => {
    expect(await intCodec.encode(dashboard)).toBe(42);
    expect(await intCodec.encodeAll([dashboard, { ...other, id: 7 }])).toEqual([42, 7]);
    expect(await intCodec.decode(1, 42, 'id')).toBe(42);
    expect(await intCodec.decode(1, '42', 'id')).toBe(42);
    for (const malformed of [
      0,
      -1,
      1.5,
      '0',
      '042',
      '-1',
      '1e3',
      ' 42',
      '99999999999999999',
      Number.NaN,
      'x',
      null,
    ])
      expect(await outcome(() => intCodec.decode(1, malformed, 'dashboard_id'))).toBe(
        'ERR_VALIDATION:dashboard_id',
      );
  });

  it('hex24: allocated through the core, stable, per organization and kind', async () => {
    const ids = memoryIds();
    const dashboards = hex24Codec(ids, 'dashboard');
    const oid = await dashboards.encode(dashboard);
    expect(oid).toMatch(/^[0-9a-f]{24}$/);
    expect(await dashboards.encode(dashboard)).toBe(oid);
    const [again, elsewhere] = await dashboards.encodeAll([dashboard, other]);
    expect(again).toBe(oid);
    expect(elsewhere).not.toBe(oid);
    expect(await dashboards.decode(1, oid, 'oid')).toBe(42);
    expect(await dashboards.decode(2, oid, 'oid')).toBeUndefined();
    expect(await hex24Codec(ids, 'chart').decode(1, oid, 'oid')).toBeUndefined();
    expect(await outcome(() => dashboards.decode(1, 'xyz', 'oid'))).toBe('ERR_VALIDATION:oid');
  });
});

describe('derivedUuid', () => {
  // Computed with Serenytics' homeFolderUuid before it moved here: clients hold these ids.
  const known: [number, string, string][] = [
    [1, 'dashboard', '00733524-611a-5895-b074-10ed39710e16'],
    [1, 'data_source', '7a92b0ba-b5ba-558c-a638-e1e251572fe2'],
    [1, 'script', '5a0a8aa4-d570-5158-88c4-36ec429c9fb3'],
    [42, 'dashboard', '58aa6b01-f22f-57cc-8307-f00916978be8'],
    [7, 'data_source', '05601170-b12b-530d-994f-ad524af5bb91'],
  ];

  it('keeps the ids Serenytics home folders already have', () => {
    for (const [organizationId, kind, uuid] of known)
      expect(derivedUuid('serenytics-home', `${organizationId}:${kind}`)).toBe(uuid);
  });

  it('is a version-5-shaped uuid, distinct per namespace and key', () => {
    const uuid = derivedUuid('a', 'b');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid('a', 'b')).toBe(uuid);
    expect(derivedUuid('a', 'c')).not.toBe(uuid);
    expect(derivedUuid('b', 'b')).not.toBe(uuid);
    expect(() => derivedUuid('a:b', 'c')).toThrow(/must not contain/);
  });
});

describe('field ids', () => {
  const fields: FieldRef[] = [
    { table: 'orders', field: 'created_at' },
    { table: 'order_items', field: 'amount' },
    { table: 'orders', field: 'customer.name' },
    { table: 'sales.2024', field: 'net.total' },
    { table: 'a_b', field: 'c' },
    { table: 'a', field: 'b_c' },
  ];

  it('writes Lightdash ids `table_field`, a dot in the field as `__`', () => {
    expect(lightdashFieldId({ table: 'orders', field: 'created_at' })).toBe('orders_created_at');
    expect(lightdashFieldId({ table: 'orders', field: 'customer.name' })).toBe('orders_customer__name');
  });

  it('reads Lightdash ids back against the model’s fields, refusing ambiguity', () => {
    const read = fieldIdReader('lightdash', fields);
    for (const ref of fields.slice(0, 4)) expect(read(lightdashFieldId(ref), 'fieldId')).toEqual(ref);
    expect(read('order_items_amount', 'fieldId')).toEqual({ table: 'order_items', field: 'amount' });
    expect(read('orders_nothing', 'fieldId')).toBeUndefined();
    expect(outcomeNow(() => read('a_b_c', 'sorts[0].fieldId'))).toBe('ERR_VALIDATION:sorts[0].fieldId');
    for (const malformed of ['', 'orders', '_orders', 'orders_', 42, null, 'x_'.repeat(600)])
      expect(outcomeNow(() => read(malformed, 'dimensions[1]'))).toBe('ERR_VALIDATION:dimensions[1]');
  });

  it('writes Sisense dims `[Table.Column]` verbatim, and reads them back against the model', () => {
    expect(sisenseFieldId({ table: 'Commerce', field: 'Age Range' })).toBe('[Commerce.Age Range]');
    expect(sisenseFieldId({ table: 'sales.2024', field: 'net.total' })).toBe('[sales.2024.net.total]');
    const read = fieldIdReader('sisense', [...fields, { table: 'sales', field: '2024.net.total' }]);
    expect(read('[orders.created_at]', 'dim')).toEqual({ table: 'orders', field: 'created_at' });
    expect(read('[orders.customer.name]', 'dim')).toEqual({ table: 'orders', field: 'customer.name' });
    expect(read('[orders.Created_At]', 'dim')).toBeUndefined();
    expect(outcomeNow(() => read('[sales.2024.net.total]', 'dim'))).toBe('ERR_VALIDATION:dim');
    for (const malformed of [
      '',
      'orders.created_at',
      '[orders]',
      '[orders.created_at',
      'orders.created_at]',
      7,
    ])
      expect(outcomeNow(() => read(malformed, 'metadata[0].jaql.dim'))).toBe(
        'ERR_VALIDATION:metadata[0].jaql.dim',
      );
  });
});
