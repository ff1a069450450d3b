import { describe, expect, it } from 'vitest';
import {
  columnLabel,
  formatNumber,
  formatValue,
  isFloatColumn,
  isIdentifierColumn,
  numberFormatOf,
  withoutFloatNoise,
} from './present.ts';

describe('present', () => {
  it('drops float noise and nothing else', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(withoutFloatNoise(0.1 + 0.2)).toBe(0.3);
    expect(withoutFloatNoise(31443.39000000001)).toBe(31443.39);
    expect(withoutFloatNoise(11065.069999999998)).toBe(11065.07);
    // Values with at most 15 significant digits come back unchanged.
    for (const value of [12.5, -0.004, 123456789.123456, 1e-7, 2 ** 53 + 2, 1e21, 0, -7])
      expect(withoutFloatNoise(value)).toBe(value);
    expect(withoutFloatNoise(Number.NaN)).toBeNaN();
    expect(withoutFloatNoise(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('tells identifiers from quantities by column name', () => {
    for (const name of [
      'id',
      'order_id',
      'Order ID',
      'orderId',
      'customer_ids',
      'zip',
      'postcode',
      'date_year',
    ])
      expect(isIdentifierColumn(name), name).toBe(true);
    for (const name of [
      'paid',
      'valid',
      'grid',
      'quantity',
      'count_order_id',
      'count_distinct_order_id',
      'sum_id',
    ])
      expect(isIdentifierColumn(name), name).toBe(false);
  });

  it('tells binary float columns by their native type', () => {
    const column = (nativeType?: string, type: 'number' | 'integer' = 'number') => ({ type, nativeType });
    for (const nativeType of ['DOUBLE', 'FLOAT', 'REAL', 'double precision', 'float8', 'float4', 'double'])
      expect(isFloatColumn(column(nativeType)), nativeType).toBe(true);
    for (const nativeType of ['DECIMAL(18,3)', 'numeric', 'decimal', 'NUMERIC(10,2)'])
      expect(isFloatColumn(column(nativeType)), nativeType).toBe(false);
    expect(isFloatColumn(column(undefined))).toBe(true);
    expect(isFloatColumn(column('BIGINT', 'integer'))).toBe(false);
  });

  it('formats numbers for people', () => {
    expect(formatNumber(31443.39000000001)).toBe('31,443.39');
    expect(formatNumber(11065.069999999998)).toBe('11,065.07');
    expect(formatNumber(1284533)).toBe('1,284,533');
    expect(formatNumber(-1234.567)).toBe('-1,234.57');
    expect(formatNumber(0.004)).toBe('0.004');
    expect(formatNumber(0.0456)).toBe('0.046');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(12.6, { type: 'number', format: 'integer' })).toBe('13');
    expect(formatNumber(1284533, { format: 'compact' })).toBe('1.3M');
    expect(formatNumber(1234567, { column: 'Order ID' })).toBe('1234567');
    expect(formatNumber(2025, { column: 'date_year' })).toBe('2025');
    expect(formatNumber(12345, { column: 'count_distinct_order_id' })).toBe('12,345');
  });

  it('formats numbers in a widget number format', () => {
    const euros = { format: 'currency', currency: 'EUR', decimals: 2 };
    expect(formatNumber(1234.5, euros)).toBe('€1,234.50');
    expect(formatNumber(-1234.5, euros)).toBe('-€1,234.50');
    expect(formatNumber(1234.5, { format: 'currency', currency: 'eur' })).toBe('€1,234.50');
    expect(formatNumber(1234.5, { format: 'currency', currency: 'JPY' })).toBe('¥1,235');
    expect(formatNumber(1234.5, { format: 'currency' })).toBe('$1,234.50');
    expect(formatNumber(1234.5, { format: 'currency', currency: 'euro' })).toBe('$1,234.50');
    expect(formatNumber(0.256, { format: 'percent', decimals: 1 })).toBe('25.6%');
    expect(formatNumber(0.25, { format: 'percent' })).toBe('25%');
    expect(formatNumber(0.2567, { format: 'percent' })).toBe('25.7%');
    expect(formatNumber(1284533, { format: 'compact', decimals: 2 })).toBe('1.28M');
    expect(formatNumber(12345.678, { decimals: 0 })).toBe('12,346');
    expect(formatNumber(12, { decimals: 3 })).toBe('12.000');
    expect(formatNumber(12, { decimals: 7 })).toBe('12');
    expect(formatNumber(12, { prefix: '≈ ', suffix: ' units' })).toBe('≈ 12 units');
    // the short form, for axis labels
    expect(formatNumber(12345.6, { ...euros, short: true })).toBe('€12.3K');
    expect(formatNumber(0.256, { format: 'percent', decimals: 2, short: true })).toBe('25.6%');
    expect(formatNumber(1234567, { short: true })).toBe('1.2M');
    // identifiers keep their digits, with no format
    expect(formatNumber(1234567, { ...euros, column: 'order_id', prefix: '#' })).toBe('1234567');
    const options: Record<string, unknown> = { format: 'percent', x: 'country', decimals: 1 };
    expect(numberFormatOf(options)).toEqual({
      format: 'percent',
      decimals: 1,
      currency: undefined,
      prefix: undefined,
      suffix: undefined,
    });
  });

  it('formats values by type, identifiers without separators', () => {
    expect(formatValue(null, 'number')).toBe('∅');
    expect(formatValue(31443.39000000001, 'number')).toBe('31,443.39');
    expect(formatValue(12345, 'integer', undefined, 'order_id')).toBe('12345');
    expect(formatValue(12345, 'integer', undefined, 'sum_quantity')).toBe('12,345');
    expect(formatValue('2025-01-01T00:00:00.000Z', 'datetime')).toBe('2025-01-01');
    expect(formatValue('2025-01-01T10:20:30.000Z', 'datetime')).toBe('2025-01-01 10:20:30');
    expect(formatValue('FR', 'string', undefined, 'country_code')).toBe('FR');
    expect(formatValue(1234.5, 'number', { format: 'currency', currency: 'EUR' }, 'revenue')).toBe(
      '€1,234.50',
    );
    expect(formatValue('FR', 'string', { format: 'currency' }, 'country')).toBe('FR');
  });

  it('labels columns', () => {
    expect(columnLabel('sum_quantity')).toBe('Sum of quantity');
    expect(columnLabel('avg_unit_price')).toBe('Average unit price');
    expect(columnLabel('count_distinct_order_id')).toBe('Distinct order id');
    expect(columnLabel('date_month')).toBe('Date (month)');
    expect(columnLabel('order_date_quarter')).toBe('Order date (quarter)');
    expect(columnLabel('country')).toBe('Country');
    expect(columnLabel('Order ID')).toBe('Order ID');
    expect(columnLabel('median_price')).toBe('Median price');
    expect(columnLabel('p90_price')).toBe('P90 price');
    expect(columnLabel('date_month_of_year')).toBe('Date (month of year)');
    expect(columnLabel('running_total_sum_quantity')).toBe('Running total of sum of quantity');
    expect(columnLabel('percent_of_total_p90_price')).toBe('P90 price (% of total)');
    expect(columnLabel('percent_change_count')).toBe('Count, % change');
    expect(columnLabel('rank_score')).toBe('Rank score');
  });
});
