import { describe, expect, it } from 'vitest';
import { parseSisenseFormula } from '../../src/http/dialects/sisense/jaql/formula-parser.ts';
import { relativePeriods } from '../../src/http/dialects/sisense/jaql/levels.ts';

/** The pure parts of the JAQL mapping: formula text as a tree, last / next periods as IR nodes. */

const parse = (text: string) => parseSisenseFormula(text, 'f');

describe('Sisense formulas', () => {
  it('reads precedence, unary minus, calls with text arguments and measured values', () => {
    expect(parse('[a] + [b] * 2')).toEqual({
      kind: 'binary',
      operator: '+',
      left: { kind: 'ref', name: '[a]' },
      right: {
        kind: 'binary',
        operator: '*',
        left: { kind: 'ref', name: '[b]' },
        right: { kind: 'number', value: 2 },
      },
    });
    expect(parse('-rank([x], "ASC")')).toEqual({
      kind: 'negate',
      operand: {
        kind: 'call',
        name: 'RANK',
        args: [
          { kind: 'ref', name: '[x]' },
          { kind: 'text', value: 'ASC' },
        ],
      },
    });
    expect(parse('(SUM([Revenue]), [Female], [2024])')).toEqual({
      kind: 'measured',
      expression: { kind: 'call', name: 'SUM', args: [{ kind: 'ref', name: '[Revenue]' }] },
      filters: ['[Female]', '[2024]'],
    });
    expect(parse('([a])')).toEqual({ kind: 'ref', name: '[a]' });
  });

  it('refuses malformed text naming the field', () => {
    for (const text of ['', '[a] +', 'SUM([a]', '[a] [b]', '([a], 3)', '[a] % 2'])
      expect(() => parse(text), text).toThrow(/^f: /);
  });
});

describe('last / next periods', () => {
  const field = 'sales.date';
  it('includes the current period with offset 0', () => {
    expect(relativePeriods(field, 'last', 1, 0, 'month')).toEqual({
      field,
      operator: 'relative',
      values: ['this', 'month'],
    });
    expect(relativePeriods(field, 'next', 3, 0, 'day')).toEqual({
      or: [
        { field, operator: 'relative', values: ['this', 'day'] },
        { field, operator: 'relative', values: ['next', 2, 'day'] },
      ],
    });
  });

  it('skips offset − 1 periods after the current one', () => {
    expect(relativePeriods(field, 'last', 2, 1, 'year')).toEqual({
      field,
      operator: 'relative',
      values: ['last', 2, 'year'],
    });
    expect(relativePeriods(field, 'last', 2, 3, 'week')).toEqual({
      and: [
        { field, operator: 'relative', values: ['last', 4, 'week'] },
        { not: { field, operator: 'relative', values: ['last', 2, 'week'] } },
      ],
    });
  });
});
