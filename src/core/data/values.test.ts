import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coerceValue, INVALID, inferType } from './values.ts';

describe('value checks', () => {
  it('accepts integers and integer text, rejects the rest', () => {
    expect(coerceValue('integer', 42)).toBe(42);
    expect(coerceValue('integer', ' -7 ')).toBe(-7);
    expect(coerceValue('integer', 1.5)).toBe(INVALID);
    expect(coerceValue('integer', 'abc')).toBe(INVALID);
    expect(coerceValue('integer', 2 ** 60)).toBe(INVALID);
    expect(coerceValue('integer', null)).toBe(null);
  });

  it('accepts numbers, booleans and strings in their usual spellings', () => {
    expect(coerceValue('number', '1e3')).toBe(1000);
    expect(coerceValue('number', Number.NaN)).toBe(INVALID);
    expect(coerceValue('boolean', 'TRUE')).toBe(true);
    expect(coerceValue('boolean', 0)).toBe(false);
    expect(coerceValue('boolean', 'yes')).toBe(INVALID);
    expect(coerceValue('string', 12)).toBe('12');
    expect(coerceValue('string', { a: 1 })).toBe(INVALID);
  });

  it('accepts ISO dates and timestamps, normalizing timestamps to UTC', () => {
    expect(coerceValue('date', '2024-02-29')).toBe('2024-02-29');
    expect(coerceValue('date', '2023-02-29')).toBe(INVALID);
    expect(coerceValue('date', '2024-01-01T00:00:00')).toBe('2024-01-01');
    expect(coerceValue('date', '2024-01-01T10:00:00')).toBe(INVALID);
    expect(coerceValue('datetime', '2024-01-01')).toBe('2024-01-01T00:00:00.000');
    expect(coerceValue('datetime', '2024-01-01 12:30')).toBe('2024-01-01T12:30:00.000');
    expect(coerceValue('datetime', '2024-01-01T12:30:00+02:00')).toBe('2024-01-01T10:30:00.000');
    expect(coerceValue('datetime', '2024-01-01T23:30:00.5-01:00')).toBe('2024-01-02T00:30:00.500');
    expect(coerceValue('datetime', '2024-13-01')).toBe(INVALID);
    expect(coerceValue('datetime', 1700000000000)).toBe(INVALID);
  });

  it('round-trips any valid instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString();
          expect(coerceValue('datetime', iso)).toBe(iso.slice(0, -1));
        },
      ),
    );
  });

  it('infers the narrowest type', () => {
    expect(inferType([1, 2, null])).toBe('integer');
    expect(inferType(['1', '2.5'])).toBe('number');
    expect(inferType(['2024-01-01', '2024-01-02'])).toBe('date');
    expect(inferType(['2024-01-01 10:00:00'])).toBe('datetime');
    expect(inferType(['true', 'false'])).toBe('boolean');
    expect(inferType(['x', 1])).toBe('string');
    expect(inferType([])).toBe('string');
  });
});
