import { describe, expect, it } from 'vitest';
import { RosettaError } from '../errors.ts';
import { parseFormula } from './formula.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { shopModel } from './testkit.ts';
import { type ValidateOptions, validateQuery } from './validate.ts';

const options: ValidateOptions = { maxRows: 1000, dialect: 'duckdb', principal: { attributes: {} } };

const validate = (query: Record<string, unknown>, model: Model = shopModel) =>
  validateQuery(model, parseQueryBody({ source: 'shop', ...query }).ir, options);

const fails = (query: Record<string, unknown>, field: string, message: RegExp, model?: Model): void => {
  try {
    validate(query, model);
  } catch (error) {
    expect(error).toBeInstanceOf(RosettaError);
    expect((error as RosettaError).code).toBe('ERR_VALIDATION');
    expect((error as RosettaError).field).toBe(field);
    expect((error as RosettaError).message).toMatch(message);
    return;
  }
  throw new Error('expected a validation error');
};

const rule = (field: string, operator: string, values: unknown[] = []) => ({
  filters: { and: [{ field, operator, values }] },
});

describe('validateQuery', () => {
  it('sorts by a bare field name through the one column computed from it', () => {
    const query = validate({
      dimensions: ['country', { field: 'orders.date', granularity: 'month' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      sorts: [{ field: 'quantity', descending: true }, 'date'],
    });
    expect(query.sorts.map((s) => s.target)).toEqual([
      { kind: 'column', name: 'sum_quantity' },
      { kind: 'column', name: 'date_month' },
    ]);
    fails(
      {
        metrics: [
          { field: 'quantity', aggregation: 'sum' },
          { field: 'quantity', aggregation: 'max' },
        ],
        sorts: ['quantity'],
      },
      'sorts[0].field',
      /ambiguous: sort by one of the columns \(sum_quantity, max_quantity\)/,
    );
  });

  it('resolves bare and qualified names and names result columns by the documented rule', () => {
    const query = validate({
      dimensions: ['country', { field: 'orders.date', granularity: 'month' }, 'customers.id'],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { aggregation: 'count' },
        { metric: 'revenue' },
        { field: 'price', aggregation: 'avg', alias: 'avg price' },
      ],
    });
    expect(query.dimensions.map((d) => d.name)).toEqual(['country', 'date_month', 'id']);
    expect(query.dimensions[1].field).toEqual({
      kind: 'column',
      address: 'orders.date',
      table: 'orders',
      column: 'order_date',
      type: 'date',
    });
    expect(query.metrics.map((m) => m.name)).toEqual(['sum_quantity', 'count', 'revenue', 'avg price']);
  });

  it('splits rules on fields (WHERE) from rules on metrics (HAVING)', () => {
    const query = validate({
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: {
        and: [
          { field: 'sum_quantity', operator: '>', values: ['2'] },
          { field: 'country', operator: '=', values: ['FR'] },
        ],
      },
    });
    expect(query.where).toMatchObject({ kind: 'rule', target: { kind: 'field' }, values: ['FR'] });
    expect(query.having).toMatchObject({ kind: 'rule', target: { kind: 'metric' }, values: [2] });
  });

  it.each([
    [{ dimensions: ['nope'] }, 'dimensions[0].field', /unknown field "nope"/],
    [{ dimensions: ['id'] }, 'dimensions[0].field', /ambiguous: use one of orders.id, customers.id/],
    [
      { dimensions: [{ field: 'country', granularity: 'month' }] },
      'dimensions[0].granularity',
      /does not apply to the string field/,
    ],
    [{ dimensions: [{ field: 'date', granularity: 'hour' }] }, 'dimensions[0].granularity', /does not apply/],
    [
      { metrics: [{ field: 'country', aggregation: 'sum' }] },
      'metrics[0]',
      /"sum" does not apply to the string field/,
    ],
    [{ metrics: [{ metric: 'nope' }] }, 'metrics[0].metric', /unknown metric "nope"/],
    [{ metrics: [{ name: 'f', formula: 'revenue +' }] }, 'metrics[0].formula', /ends too early/],
    [
      { metrics: [{ name: 'f', formula: 'revenue ; 1' }] },
      'metrics[0].formula',
      /unexpected ";" at position 9/,
    ],
    [
      { metrics: [{ name: 'f', formula: 'unknown_thing * 2' }] },
      'metrics[0].formula',
      /unknown metric "unknown_thing"/,
    ],
    [{ metrics: [{ name: 'f', formula: 'f + 1' }] }, 'metrics[0]', /cycle: f → f/],
    [{ dimensions: ['country', { field: 'country' }] }, 'dimensions[1]', /appears twice/],
    [{}, 'dimensions', /at least one dimension or metric/],
    [{ dimensions: ['country'], limit: 1001 }, 'limit', /at most 1000 rows/],
    [{ metrics: [{ aggregation: 'count' }], aggregate: false }, 'metrics', /aggregate/],
    [
      { dimensions: ['country'], sorts: ['price'] },
      'sorts[0].field',
      /sort by a column of the query \(country\)/,
    ],
    [
      { dimensions: ['country'], ...rule('country', 'contains') },
      'filters.and[0].values',
      /at least 1 value/,
    ],
    [
      { dimensions: ['country'], ...rule('price', 'contains', ['1']) },
      'filters.and[0].operator',
      /"contains" does not apply to a number field/,
    ],
    [
      { dimensions: ['country'], ...rule('price', '>', ['abc']) },
      'filters.and[0].values[0]',
      /"abc" is not a valid number/,
    ],
    [
      { dimensions: ['country'], ...rule('quantity', '=', [1.5]) },
      'filters.and[0].values[0]',
      /not a valid integer/,
    ],
    [
      { dimensions: ['country'], ...rule('date', '>', ['yesterday']) },
      'filters.and[0].values[0]',
      /not a valid date/,
    ],
    [
      { dimensions: ['country'], ...rule('date', '>', ['2024-02-30']) },
      'filters.and[0].values[0]',
      /not a valid date/,
    ],
    [
      { dimensions: ['country'], ...rule('paid', '=', ['yes']) },
      'filters.and[0].values[0]',
      /not a valid boolean/,
    ],
    [
      { dimensions: ['country'], ...rule('country', '=', [null]) },
      'filters.and[0].values[0]',
      /use the "null"/,
    ],
    [
      { dimensions: ['country'], ...rule('country', 'between', [1]) },
      'filters.and[0].values',
      /takes 2 value/,
    ],
    [
      { dimensions: ['country'], ...rule('date', 'relative', ['past', 2, 'day']) },
      'filters.and[0].values[0]',
      /"last", "this" or "next"/,
    ],
    [
      { dimensions: ['country'], ...rule('date', 'relative', ['last', 0, 'day']) },
      'filters.and[0].values[1]',
      /integer from 1/,
    ],
    [
      { dimensions: ['country'], ...rule('date', 'relative', ['last', 2, 'hour']) },
      'filters.and[0].values[2]',
      /needs a datetime field/,
    ],
    [
      { dimensions: ['country'], ...rule('date', 'relative', ['this', 3, 'day']) },
      'filters.and[0].values',
      /\["this", unit\]/,
    ],
    [
      { dimensions: ['country'], ...rule('country', 'relative', ['this', 'day']) },
      'filters.and[0].operator',
      /does not apply/,
    ],
    [
      {
        dimensions: ['country'],
        metrics: [{ metric: 'revenue' }],
        filters: {
          or: [
            { field: 'revenue', operator: '>', values: [1] },
            { field: 'country', operator: 'null' },
          ],
        },
      },
      'filters',
      /"or" cannot mix/,
    ],
  ])('%j → 400 at %s', (query, field, message) => fails(query, field, message));

  it('guards against cycles among model metrics', () => {
    const model: Model = {
      ...shopModel,
      metrics: [
        { name: 'a', table: 'orders', formula: 'b + 1' },
        { name: 'b', table: 'orders', formula: 'a * 2' },
      ],
    };
    fails(
      { metrics: [{ metric: 'a' }] },
      'metrics[0]',
      /cycle: a → orders\.a → orders\.b → orders\.a/,
      model,
    );
  });

  it('converts date-times with a zone to UTC', () => {
    const query = validate({
      dimensions: ['country'],
      ...rule('created_at', '>', ['2024-04-15T09:00:00+02:00']),
    });
    expect(query.where).toMatchObject({ values: ['2024-04-15 07:00:00.000'] });
  });

  it('raw queries without dimensions select every field, qualifying shared names', () => {
    const names = validate({ aggregate: false }).dimensions.map((d) => d.name);
    expect(names).toContain('orders.id');
    expect(names).toContain('customers.id');
    expect(names).toContain('country');
  });
});

describe('parseFormula', () => {
  it('respects precedence and parentheses', () => {
    expect(parseFormula('a - b * (c + 2) / -d', 'f')).toEqual({
      kind: 'binary',
      operator: '-',
      left: { kind: 'name', name: 'a' },
      right: {
        kind: 'binary',
        operator: '/',
        left: {
          kind: 'binary',
          operator: '*',
          left: { kind: 'name', name: 'b' },
          right: {
            kind: 'binary',
            operator: '+',
            left: { kind: 'name', name: 'c' },
            right: { kind: 'number', value: 2 },
          },
        },
        right: { kind: 'negate', operand: { kind: 'name', name: 'd' } },
      },
    });
  });
});

describe('validateQuery on hostile names and values', () => {
  const hostileRule = (field: string, operator: string, values: unknown[]) => ({
    dimensions: ['country'],
    ...rule(field, operator, values),
  });

  it('refuses NUL in result names and text values, from any face, naming the field', () => {
    const ir = (parts: Partial<QueryIr>): QueryIr => ({
      dimensions: [],
      metrics: [],
      sorts: [],
      offset: 0,
      aggregate: true,
      ...parts,
    });
    const refused = (parts: Partial<QueryIr>, field: string) => {
      expect(() => validateQuery(shopModel, ir(parts), options)).toThrow(
        expect.objectContaining({
          code: 'ERR_VALIDATION',
          field,
          message: `${field}: must not contain the NUL character (\\u0000)`,
        }),
      );
    };
    refused({ dimensions: [{ field: 'country', alias: 'a\u0000b' }] }, 'dimensions[0].alias');
    refused({ metrics: [{ kind: 'aggregate', aggregation: 'count', alias: '\u0000' }] }, 'metrics[0].alias');
    refused({ metrics: [{ kind: 'formula', name: 'm\u0000', formula: 'revenue' }] }, 'metrics[0].name');
    refused(
      {
        dimensions: [{ field: 'country' }],
        filters: { and: [{ field: 'country', operator: '=', values: ['Fr\u0000'] }] },
      },
      'filters.and[0].values[0]',
    );
    fails(
      { metrics: [{ field: 'quantity', aggregation: 'sum', alias: 'x\u0000' }] },
      'metrics[0].alias',
      /NUL character/,
    );
  });

  it('refuses numbers beyond what the field type holds, naming the value', () => {
    const huge = '9'.repeat(400);
    fails(
      hostileRule('quantity', '>', [Number(huge)]),
      'filters.and[0].values[0]',
      /number out of range \(beyond ±1.79/,
    );
    fails(
      hostileRule('quantity', '>', [huge]),
      'filters.and[0].values[0]',
      /out of range for integer \(from -9007199254740991/,
    );
    fails(hostileRule('quantity', '>', [2 ** 60]), 'filters.and[0].values[0]', /out of range for integer/);
    fails(
      hostileRule('quantity', '=', ['1.5']),
      'filters.and[0].values[0]',
      /^[^:]+: "1.5" is not a valid integer$/,
    );
    fails(
      hostileRule('price', '=', ['1e400']),
      'filters.and[0].values[0]',
      /number out of range.*got "1e400"/,
    );
    fails(hostileRule('price', '<', [`-${huge}`]), 'filters.and[0].values[0]', /number out of range/);
    fails(hostileRule('country', '=', [Number(huge)]), 'filters.and[0].values[0]', /number out of range/);
    fails(hostileRule('revenue', '>', [Number(huge)]), 'filters.and[0].values[0]', /number out of range/);
    expect(() =>
      validateQuery(
        shopModel,
        {
          dimensions: [{ field: 'country' }],
          metrics: [],
          sorts: [],
          aggregate: true,
          offset: Number.POSITIVE_INFINITY,
        },
        options,
      ),
    ).toThrow(expect.objectContaining({ field: 'offset' }));
    expect(() =>
      validateQuery(
        shopModel,
        { dimensions: [{ field: 'country' }], metrics: [], sorts: [], aggregate: true, offset: 0, limit: -1 },
        options,
      ),
    ).toThrow(expect.objectContaining({ field: 'limit' }));
  });

  it('holds integer filter values to the width of the column the warehouse declares', () => {
    const widths: Record<string, string> = { quantity: 'smallint', id: 'INTEGER', price: 'double precision' };
    const model: Model = {
      ...shopModel,
      dimensions: shopModel.dimensions.map((d) =>
        d.table === 'orders' && widths[d.name] ? { ...d, nativeType: widths[d.name] } : d,
      ),
    };
    fails(
      hostileRule('quantity', '>', [70_000]),
      'filters.and[0].values[0]',
      /^filters\.and\[0\]\.values\[0\]: out of range for smallint \(from -32768 to 32767\), got 70000$/,
      model,
    );
    fails(
      hostileRule('orders.id', '=', ['5000000000']),
      'filters.and[0].values[0]',
      /out of range for INTEGER/,
      model,
    );
    expect(() => validate(hostileRule('quantity', 'between', [-32768, 32767]), model)).not.toThrow();
    expect(() => validate(hostileRule('price', '>', [5e9]), model)).not.toThrow();
    expect(() => validate(hostileRule('customers.id', '>', [5e9]), model)).not.toThrow();
  });
});
