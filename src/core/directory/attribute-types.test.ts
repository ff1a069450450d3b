import { describe, expect, it } from 'vitest';
import { canonicalAttributeValue, validAttributeKey } from './attribute-types.ts';

describe('attribute values', () => {
  it.each([
    ['number', '42', '42'],
    ['number', ' 1.50 ', '1.5'],
    ['number', -3e2, '-300'],
    ['boolean', true, 'true'],
    ['boolean', 'false', 'false'],
    ['date', '2024-02-29', '2024-02-29'],
    ['date', '2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.000Z'],
    ['string', 'ÉU', 'ÉU'],
  ] as const)('canonicalizes a %s: %j → %s', (type, value, expected) => {
    expect(canonicalAttributeValue('attributes.k', type, value)).toBe(expected);
  });

  it.each([
    ['number', 'NaN'],
    ['number', '1e999'],
    ['number', ''],
    ['boolean', 'yes'],
    ['boolean', 1],
    ['date', '2023-02-29'],
    ['date', '01/02/2024'],
    ['date', 20240101],
    ['string', 5],
    ['string', 'a\u0000'],
  ] as const)('refuses a %s given %j, naming the key', (type, value) => {
    expect(() => canonicalAttributeValue('attributes.k', type, value)).toThrow(/^attributes\.k: /);
  });

  it('accepts identifier-like keys only', () => {
    expect(validAttributeKey('sales_region2')).toBe('sales_region2');
    for (const key of ['', '2x', 'a-b', 'a b', 'x'.repeat(65)])
      expect(() => validAttributeKey(key)).toThrow(/^key: /);
  });
});
