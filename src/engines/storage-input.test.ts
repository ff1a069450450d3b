import { describe, expect, it } from 'vitest';
import { isDateText, isDateTimeText, timestampTextOf } from './storage-input.ts';

describe('storage input checks', () => {
  it('accepts real calendar days only', () => {
    const accepted = ['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2023-04-30'];
    const refused = [
      '2023-02-29',
      '1900-02-29',
      '0000-01-01',
      '2023-04-31',
      '2023-13-01',
      '2023-00-10',
      '2023-1-01',
      '',
    ];
    expect(accepted.map(isDateText)).toEqual(accepted.map(() => true));
    expect(refused.map(isDateText)).toEqual(refused.map(() => false));
  });

  it('accepts zone-less date-times naming a real moment', () => {
    const accepted = ['2024-02-29T23:59:59.999999', '2024-01-02 03:04', '2024-01-02', '2024-01-02T00:00:00'];
    const refused = [
      '2024-01-02T24:00',
      '2024-01-02T10:60',
      '2024-02-30T01:00',
      '2024-01-02T03:04:05Z',
      'nope',
    ];
    expect(accepted.map(isDateTimeText)).toEqual(accepted.map(() => true));
    expect(refused.map(isDateTimeText)).toEqual(refused.map(() => false));
  });

  it('turns zoned times and epoch milliseconds into UTC', () => {
    expect(timestampTextOf('2024-01-02T03:04:05+02:00')).toBe('2024-01-02T01:04:05.000');
    expect(timestampTextOf('2024-01-02T03:04:05.5Z')).toBe('2024-01-02T03:04:05.500');
    expect(timestampTextOf(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02T03:04:05.000');
    expect(timestampTextOf('2024-01-02 03:04:05')).toBe('2024-01-02 03:04:05');
  });
});
