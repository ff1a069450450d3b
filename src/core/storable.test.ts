import { describe, expect, it } from 'vitest';
import { integerBoundsOf } from './storable.ts';

describe('integerBoundsOf', () => {
  it('knows the narrow integer types of PostgreSQL, MySQL and DuckDB by the names they report', () => {
    expect(integerBoundsOf('smallint')).toEqual({ min: -32768, max: 32767 });
    expect(integerBoundsOf('INTEGER')).toEqual({ min: -2147483648, max: 2147483647 });
    expect(integerBoundsOf('int(11)')).toEqual({ min: -2147483648, max: 2147483647 });
    expect(integerBoundsOf('int(10) unsigned')).toEqual({ min: 0, max: 4294967295 });
    expect(integerBoundsOf('mediumint')).toEqual({ min: -8388608, max: 8388607 });
    expect(integerBoundsOf('TINYINT')).toEqual({ min: -128, max: 127 });
    expect(integerBoundsOf('UTINYINT')).toEqual({ min: 0, max: 255 });
    expect(integerBoundsOf('bigint(20) unsigned')).toEqual({ min: 0, max: Number.MAX_SAFE_INTEGER });
  });

  it('leaves wide and non-integer types to the safe-integer rule', () => {
    for (const type of ['bigint', 'BIGINT', 'HUGEINT', 'int8', 'numeric', 'double precision', 'VARCHAR'])
      expect(integerBoundsOf(type), type).toBeUndefined();
  });
});
