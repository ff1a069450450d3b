import { describe, expect, it } from 'vitest';
import { RosettaError } from '../errors.ts';
import { parseQueryBody } from './parse.ts';

const fails = (body: unknown, field: string, message: RegExp): void => {
  try {
    parseQueryBody(body);
  } catch (error) {
    expect(error).toBeInstanceOf(RosettaError);
    expect((error as RosettaError).code).toBe('ERR_VALIDATION');
    expect((error as RosettaError).field).toBe(field);
    expect((error as RosettaError).message).toMatch(message);
    return;
  }
  throw new Error('expected a validation error');
};

describe('parseQueryBody', () => {
  it('parses the documented native body into the IR', () => {
    const parsed = parseQueryBody({
      source: 'orders',
      dimensions: ['country', { field: 'date', granularity: 'month' }],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { metric: 'revenue', alias: 'rev' },
        { name: 'margin', formula: 'sum_price - sum_cost' },
        { aggregation: 'count' },
      ],
      filters: {
        and: [{ field: 'price', operator: '>', values: [20] }, { or: [{ field: 'note', operator: 'null' }] }],
      },
      sorts: [{ field: 'quantity', descending: true }, 'country'],
      limit: 100,
    });
    expect(parsed).toEqual({
      source: 'orders',
      ir: {
        dimensions: [{ field: 'country' }, { field: 'date', granularity: 'month' }],
        metrics: [
          { kind: 'aggregate', aggregation: 'sum', field: 'quantity' },
          { kind: 'model', metric: 'revenue', alias: 'rev' },
          { kind: 'formula', name: 'margin', formula: 'sum_price - sum_cost' },
          { kind: 'aggregate', aggregation: 'count' },
        ],
        filters: {
          and: [
            { field: 'price', operator: '>', values: [20] },
            { or: [{ field: 'note', operator: 'null', values: [] }] },
          ],
        },
        sorts: [
          { field: 'quantity', descending: true },
          { field: 'country', descending: false },
        ],
        limit: 100,
        offset: 0,
        aggregate: true,
      },
      count: false,
    });
    expect(parseQueryBody({ source: 's', count: true }).count).toBe(true);
  });

  it('defaults: no limit, offset 0, aggregated', () => {
    expect(parseQueryBody({ source: 's' }).ir).toEqual({
      dimensions: [],
      metrics: [],
      filters: undefined,
      sorts: [],
      limit: undefined,
      offset: 0,
      aggregate: true,
    });
  });

  it.each([
    [
      { source: 's', filters: { and: [{ field: 'a', operator: '~', values: [] }] } },
      'filters.and[0].operator',
      /must be one of =, .*, got the string "~"/,
    ],
    [null, 'body', /must be an object/],
    [{ dimensions: [] }, 'source', /must be a string, got nothing/],
    [{ source: '' }, 'source', /must not be empty/],
    [{ source: 's', dimensions: 'country' }, 'dimensions', /must be an array/],
    [{ source: 's', dimensions: [3] }, 'dimensions[0]', /must be an object/],
    [
      { source: 's', dimensions: [{ field: 'd', granularity: 'fortnight' }] },
      'dimensions[0].granularity',
      /must be one of .*month.*, got the string "fortnight"/,
    ],
    [
      { source: 's', dimensions: [{ field: 'd', granularty: 'month' }] },
      'dimensions[0].granularty',
      /is not a known property/,
    ],
    [
      { source: 's', metrics: [{ field: 'q', aggregation: 'mode' }] },
      'metrics[0].aggregation',
      /must be one of .*median.*, got the string "mode"/,
    ],
    [{ source: 's', metrics: [{ aggregation: 'sum' }] }, 'metrics[0].field', /required/],
    [{ source: 's', count: 'yes' }, 'count', /must be true or false/],
    [{ source: 's', metrics: [{ metric: 'r', field: 'q' }] }, 'metrics[0]', /not both/],
    [{ source: 's', metrics: [{ name: 'm' }] }, 'metrics[0].formula', /required/],
    [
      { source: 's', filters: { field: 'a', operator: '=', values: 'x' } },
      'filters.values',
      /must be an array/,
    ],
    [
      { source: 's', filters: { field: 'a', operator: '=', values: [{}] } },
      'filters.values[0]',
      /must be a string, number, boolean or null, got an object/,
    ],
    [{ source: 's', filters: { and: [], or: [] } }, 'filters', /either/],
    [{ source: 's', filters: [] }, 'filters', /must be an object/],
    [{ source: 's', limit: '10' }, 'limit', /non-negative integer, got the string "10"/],
    [{ source: 's', limit: -1 }, 'limit', /non-negative integer/],
    [{ source: 's', limit: 1.5 }, 'limit', /non-negative integer/],
    [{ source: 's', offset: 1e300 }, 'offset', /non-negative integer/],
    [{ source: 's', sorts: [{ field: 'a', descending: 'yes' }] }, 'sorts[0].descending', /true or false/],
    [{ source: 's', aggregate: 0 }, 'aggregate', /true or false/],
  ])('%j → 400 at %s', (body, field, message) => fails(body, field, message));

  it('refuses filter trees deeper than 32 levels', () => {
    let filters: unknown = { field: 'a', operator: 'null' };
    for (let i = 0; i < 40; i++) filters = { and: [filters] };
    expect(() => parseQueryBody({ source: 's', filters })).toThrow(/deeper than 32/);
  });
});

describe('query variables', () => {
  const rule = (values: unknown[], operator = 'in') => ({ field: 'country', operator, values });

  it('substitutes {variable} filter values, a list expanding into several values', () => {
    const parsed = parseQueryBody({
      source: 's',
      filters: { and: [rule([{ variable: 'country' }, 'Peru']), rule([{ variable: 'top' }], '>')] },
      variables: { country: ['France', 'Spain'], top: 3, unused: true },
    });
    expect(parsed.ir.filters).toEqual({
      and: [
        { field: 'country', operator: 'in', values: ['France', 'Spain', 'Peru'] },
        { field: 'country', operator: '>', values: [3] },
      ],
    });
  });

  it.each([
    [
      { filters: { and: [rule([{ variable: 'x' }])] } },
      'filters.and[0].values[0].variable',
      /"x" has no value/,
    ],
    [
      { filters: rule(['a', { variable: 'x' }]), variables: { x: null } },
      'filters.values[1].variable',
      /no value/,
    ],
    [{ filters: rule([{ variable: 3 }]) }, 'filters.values[0].variable', /name of a variable/],
    [{ filters: rule([{ variable: 'x', y: 1 }]), variables: { x: 1 } }, 'filters.values[0].y', /unknown/],
    [{ variables: [] }, 'variables', /must be an object/],
    [{ variables: { x: { a: 1 } } }, 'variables.x', /string, number, boolean, null or a list/],
    [{ variables: { x: [[1]] } }, 'variables.x', /or a list of them/],
  ])('%j → 400 at %s', (body, field, message) => fails({ source: 's', ...body }, field, message));
});
