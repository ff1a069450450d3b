import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { compileQuery } from './compile.ts';
import { parseQueryBody } from './parse.ts';
import { admin, duckdbRunner, orderRows, pinnedNow, shopModel } from './testkit.ts';

/** Property tests: hostile values never reach SQL text; bad input is always a coded 400. */
const duckdb = await duckdbRunner();
afterAll(() => duckdb.close());

const compileBody = (body: Record<string, unknown>) =>
  compileQuery(shopModel, parseQueryBody({ source: 'shop', ...body }).ir, {
    dialect: 'duckdb',
    principal: admin,
    maxRows: 1000,
    now: pinnedNow,
  });

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    "' OR 1=1 --",
    "'; DROP TABLE orders; --",
    '"',
    '`',
    '%',
    '_',
    '!',
    '\\',
    "O'Reilly; --",
    '$1',
    '?',
  ),
  fc.string().map((s) => `'${s};--`),
);
const textOperators = ['=', '!=', 'contains', 'not contains', 'starts with', 'ends with'] as const;

const notes = orderRows.map((row) => ({ id: row[0] as number, note: row[8] as string | null }));
const expectedIds = (operator: (typeof textOperators)[number], value: string): number[] => {
  const lower = value.toLowerCase();
  const match: Record<typeof operator, (note: string | null) => boolean> = {
    '=': (note) => note === value,
    '!=': (note) => note === null || note !== value,
    contains: (note) => !!note?.toLowerCase().includes(lower),
    'not contains': (note) => note === null || !note.toLowerCase().includes(lower),
    'starts with': (note) => !!note?.toLowerCase().startsWith(lower),
    'ends with': (note) => !!note?.toLowerCase().endsWith(lower),
  };
  return notes.filter(({ note }) => match[operator](note)).map(({ id }) => id);
};

describe('filter values are only ever bound parameters', () => {
  it('the SQL text does not depend on the value, and the query runs with the right answer', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom(...textOperators), async (value, operator) => {
        const body = (v: string) => ({
          dimensions: ['orders.id'],
          filters: { field: 'note', operator, values: [v] },
        });
        const compiled = compileBody(body(value));
        expect(compiled.sql).toBe(compileBody(body('x')).sql);
        if (value.length >= 4) expect(compiled.sql).not.toContain(value);
        const rows = await duckdb.run(compiled);
        expect(rows.map((row) => row[0])).toEqual(expectedIds(operator, value));
      }),
      { numRuns: 300 },
    );
  });
});

const expectValidationError = (run: () => unknown, field?: string): void => {
  try {
    run();
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION') throw error;
    if (field !== undefined) expect(error.message).toContain(JSON.stringify(field));
    return;
  }
  throw new Error('expected ERR_VALIDATION');
};

const knownNames = new Set(shopModel.dimensions.flatMap((d) => [d.name, `${d.table}.${d.name}`]));
const unknownField = fc
  .string({ minLength: 1 })
  .filter((name) => name.trim() !== '' && !knownNames.has(name));

describe('bad input is always ERR_VALIDATION, never another error', () => {
  it('an unknown field is named in the message, wherever it appears', () => {
    fc.assert(
      fc.property(unknownField, fc.constantFrom('dimension', 'metric', 'filter', 'sort'), (name, place) => {
        const bodies = {
          dimension: { dimensions: [name] },
          metric: { metrics: [{ field: name, aggregation: 'count' }] },
          filter: { dimensions: ['country'], filters: { field: name, operator: 'null' } },
          sort: { dimensions: ['country'], aggregate: false, sorts: [name] },
        };
        expectValidationError(() => compileBody(bodies[place]), name);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON bodies are either valid or ERR_VALIDATION', () => {
    const field = fc.constantFrom('country', 'price', 'date', 'created_at', 'quantity', 'paid', 'nope', 'id');
    const rule = fc.record({
      field,
      operator: fc
        .string()
        .chain((s) => fc.constantFrom(s, '=', '>', 'between', 'relative', 'contains', 'in')),
      values: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()),
    });
    const body = fc.record(
      {
        dimensions: fc.oneof(
          fc.array(fc.oneof(field, fc.record({ field, granularity: fc.string() }))),
          fc.jsonValue(),
        ),
        metrics: fc.oneof(
          fc.array(fc.record({ field, aggregation: fc.constantFrom('sum', 'avg', 'count', 'x') })),
          fc.jsonValue(),
        ),
        filters: fc.oneof(rule, fc.record({ and: fc.array(rule, { maxLength: 3 }) }), fc.jsonValue()),
        limit: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(1e12)),
        offset: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          compileBody(value as Record<string, unknown>);
        } catch (error) {
          if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION') throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('limits above the cap are refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1001, max: Number.MAX_SAFE_INTEGER }), (limit) => {
        expectValidationError(() => compileBody({ dimensions: ['country'], limit }));
      }),
    );
  });
});
