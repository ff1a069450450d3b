import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coerceValue, INVALID, inferType, invalidValueProblem } from './values.ts';

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

  it('refuses NUL in text and numbers beyond what the column type holds, saying which', () => {
    const huge = '9'.repeat(400);
    expect(coerceValue('string', 'a\u0000b')).toBe(INVALID);
    expect(coerceValue('string', Number.POSITIVE_INFINITY)).toBe(INVALID);
    expect(coerceValue('number', huge)).toBe(INVALID);
    expect(coerceValue('number', `-${huge}`)).toBe(INVALID);
    expect(coerceValue('number', Number.NEGATIVE_INFINITY)).toBe(INVALID);
    expect(coerceValue('integer', huge)).toBe(INVALID);
    expect(inferType([Number(huge)])).toBe('string');

    expect(invalidValueProblem('string', 'a\u0000b')).toBe('must not contain the NUL character (\\u0000)');
    expect(invalidValueProblem('integer', huge)).toMatch(
      /^out of range for integer \(from -9007199254740991 to 9007199254740991\), got "9{50}/,
    );
    expect(invalidValueProblem('integer', 2 ** 60)).toBe(
      'out of range for integer (from -9007199254740991 to 9007199254740991), got 1152921504606847000',
    );
    expect(invalidValueProblem('number', Number(huge))).toBe(
      'number out of range (beyond ±1.7976931348623157e+308)',
    );
    expect(invalidValueProblem('string', Number(`-${huge}`))).toBe(
      'number out of range (beyond ±1.7976931348623157e+308)',
    );
    expect(invalidValueProblem('number', huge)).toMatch(
      /^number out of range \(beyond ±1.7976931348623157e\+308\), got "9{50}/,
    );
    expect(invalidValueProblem('date', 'soon')).toBe('expected date, got "soon"');
  });
});
