import { describe, expect, it } from 'vitest';
import { RosettaError } from '../errors.ts';
import type { DashboardVariable } from './types.ts';
import { dashboardVariableValues, fillTemplate, tokenVariableValues } from './variables.ts';

const definitions: DashboardVariable[] = [
  { name: 'country', type: 'string', default: 'France' },
  { name: 'top', type: 'number', default: 5 },
  { name: 'net', type: 'boolean', default: null },
  { name: 'since', type: 'date', default: '2024-01-01' },
];

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RosettaError);
    return (error as RosettaError).field;
  }
  throw new Error('expected a validation error');
};

describe('dashboardVariableValues', () => {
  it('takes the defaults, overridden by the given values; null clears one', () => {
    expect(dashboardVariableValues(definitions, undefined)).toEqual({
      country: 'France',
      top: 5,
      since: '2024-01-01',
    });
    expect(
      dashboardVariableValues(definitions, { country: ['Spain', 'Peru'], net: true, top: null }),
    ).toEqual({ country: ['Spain', 'Peru'], net: true, since: '2024-01-01' });
  });

  it.each([
    [{ top: 'ten' }, 'variables.top'],
    [{ net: 'yes' }, 'variables.net'],
    [{ since: 'yesterday' }, 'variables.since'],
    [{ country: [1] }, 'variables.country'],
    [{ nope: 1 }, 'variables.nope'],
    [[], 'variables'],
  ])('%j → 400 at %s', (given, field) => {
    expect(fieldOf(() => dashboardVariableValues(definitions, given))).toBe(field);
  });
});

describe('tokenVariableValues', () => {
  it('converts the dashboard variables an embed token names and ignores the rest', () => {
    expect(
      tokenVariableValues(definitions, { country: ['Spain'], top: ['3'], net: ['maybe'], tenant: ['a'] }),
    ).toEqual({ country: 'Spain', top: 3 });
    expect(tokenVariableValues(definitions, { country: ['Spain', 'Peru'] })).toEqual({
      country: ['Spain', 'Peru'],
    });
  });
});

describe('fillTemplate', () => {
  it('replaces {{name}} with the value, escaped for the target; unknown names stay', () => {
    const values = { country: '<b>France</b>', list: ['a', 'b'], top: 3 };
    expect(fillTemplate('Units in {{country}} ({{ top }}) {{list}} {{missing}}', values)).toBe(
      'Units in <b>France</b> (3) a, b {{missing}}',
    );
    expect(fillTemplate('{{country}}', values, (t) => t.replace(/</g, '&lt;'))).toBe('&lt;b>France&lt;/b>');
  });
});
