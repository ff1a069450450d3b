import { expect, describe as group, it } from 'vitest';
import { isRosettaError } from './errors.ts';
import {
  array,
  boolean,
  describe,
  filledText,
  finiteNumber,
  identifier,
  integer,
  jsonDocument,
  label,
  list,
  nonEmptyArray,
  nullableText,
  object,
  oneOf,
  record,
  scalar,
  text,
} from './input.ts';
import { parseIsoDateTime, utcMillisOf } from './iso-date.ts';

/** The field and message of the validation error `check` throws. */
function refusal(check: () => unknown): { field: string | undefined; message: string } {
  try {
    check();
  } catch (error) {
    if (isRosettaError(error) && error.code === 'ERR_VALIDATION')
      return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a validation error');
}

group('the input kit', () => {
  it('takes the field first and names it, with what came instead', () => {
    expect(refusal(() => object('target', 'x'))).toEqual({
      field: 'target',
      message: 'target: must be an object, got the string "x"',
    });
    expect(refusal(() => array('rows', {})).message).toBe('rows: must be an array, got an object');
    expect(refusal(() => text('name', 3, 10)).message).toBe('name: must be a string, got number 3');
    expect(refusal(() => boolean('paused', 'yes')).message).toBe(
      'paused: must be true or false, got the string "yes"',
    );
    expect(refusal(() => finiteNumber('x', Number.NaN)).message).toBe('x: must be a number, got number NaN');
    expect(refusal(() => scalar('v', [1])).message).toBe(
      'v: must be a string, number, boolean or null, got an array',
    );
    expect(refusal(() => nonEmptyArray('joins', [])).message).toBe(
      'joins: must be a non-empty list, got an empty array',
    );
  });

  it('names the body itself "body" and its unknown keys bare, nested ones by path', () => {
    expect(refusal(() => object('', null))).toMatchObject({
      field: 'body',
      message: 'body: must be an object, got null',
    });
    expect(refusal(() => record('', { nmae: 'x' }, ['name'])).field).toBe('nmae');
    expect(refusal(() => record('target', { nope: 1 }, ['dashboard'])).message).toBe(
      'target.nope: is not a known property',
    );
    expect(record('target', { dashboard: 1 }, ['dashboard'])).toEqual({ dashboard: 1 });
  });

  it('bounds text and refuses what no store keeps', () => {
    expect(refusal(() => text('name', 'abcd', 3)).message).toBe('name: must be at most 3 characters');
    expect(refusal(() => text('name', 'a\u0000b', 10)).message).toMatch(/must not contain the NUL character/);
    expect(refusal(() => text('name', 'a\uD800b', 10)).message).toMatch(/valid Unicode text/);
    expect(text('name', 'emoji 😀', 10)).toBe('emoji 😀');
    expect(refusal(() => filledText('cron', '  ', 10)).message).toBe('cron: must not be empty');
    expect(filledText('cron', ' 0 * * * * ', 20)).toBe(' 0 * * * * ');
    expect(label('name', '  Sales  ')).toBe('Sales');
    expect(refusal(() => label('name', ' ')).message).toBe('name: must not be empty');
    expect(nullableText('note', null, 5)).toBeNull();
    expect(nullableText('note', undefined, 5)).toBeNull();
  });

  it('checks integer ranges, choices and identifiers', () => {
    expect(integer('n', 3, 1, 5)).toBe(3);
    expect(refusal(() => integer('n', 1.5, 1, 5)).message).toBe(
      'n: must be an integer between 1 and 5, got number 1.5',
    );
    expect(refusal(() => integer('limit', -1, 0, Number.MAX_SAFE_INTEGER)).message).toBe(
      'limit: must be a non-negative integer, got number -1',
    );
    expect(refusal(() => integer('id', 0, 1, Number.MAX_SAFE_INTEGER)).message).toBe(
      'id: must be an integer of 1 or more, got number 0',
    );
    expect(oneOf('legend', 'top', ['top', 'bottom'])).toBe('top');
    expect(refusal(() => oneOf('legend', 'left', ['top', 'bottom'])).message).toBe(
      'legend: must be one of top, bottom, got the string "left"',
    );
    expect(identifier('id', 'w_1-a')).toBe('w_1-a');
    expect(refusal(() => identifier('id', 'a b')).message).toBe('id: must be 1-64 letters, digits, _ or -');
  });

  it('parses lists item by item with the item field first, up to a maximum', () => {
    expect(list('tags', ['a', 'b'], 5, (field, value) => text(field, value, 10))).toEqual(['a', 'b']);
    expect(refusal(() => list('tags', ['a', 2], 5, (field, value) => text(field, value, 10))).field).toBe(
      'tags[1]',
    );
    expect(refusal(() => list('tags', ['a', 'b'], 1, (_, value) => value)).message).toBe(
      'tags: must have at most 1 items',
    );
  });

  it('copies JSON documents of bounded size and refuses what is not JSON', () => {
    const source = { a: [1, { b: 'c' }] };
    const copy = jsonDocument('query', source, 100);
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    expect(refusal(() => jsonDocument('query', { a: 'x'.repeat(100) }, 50)).message).toMatch(
      /at most 50 characters/,
    );
    expect(refusal(() => jsonDocument('query', undefined, 50)).message).toBe('query: must be JSON');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(() => jsonDocument('query', cyclic, 50)).message).toBe('query: must be JSON');
  });

  it('describes long strings shortened and nothing as nothing', () => {
    expect(describe('x'.repeat(50))).toBe(`the string "${'x'.repeat(40)}…"`);
    expect(describe(undefined)).toBe('nothing');
  });
});

group('the ISO-8601 reader', () => {
  it('reads dates and date-times with or without an offset', () => {
    expect(parseIsoDateTime('2024-02-29')).toEqual({
      date: '2024-02-29',
      wallClock: Date.UTC(2024, 1, 29),
      offsetMinutes: undefined,
    });
    const withOffset = parseIsoDateTime('2024-03-01T10:30:15.1234+02:00');
    expect(withOffset?.offsetMinutes).toBe(120);
    expect(new Date(utcMillisOf(withOffset!)).toISOString()).toBe('2024-03-01T08:30:15.123Z');
    for (const text of [
      '2024-03-01 10:30Z',
      '2024-03-01t10:30z',
      '2024-03-01T10:30 +0000',
      '2024-03-01T10:30+00',
    ])
      expect(utcMillisOf(parseIsoDateTime(text)!), text).toBe(Date.UTC(2024, 2, 1, 10, 30));
    expect(parseIsoDateTime('2024-03-01T10:30-05:30')?.offsetMinutes).toBe(-330);
  });

  it('refuses days and times that do not exist rather than rolling them over', () => {
    for (const text of [
      '2023-02-29',
      '2024-04-31',
      '2024-13-01',
      '2024-01-01T24:00',
      '2024-01-01T10:60',
      '1 Jan 2024',
      '',
    ])
      expect(parseIsoDateTime(text), text).toBeUndefined();
  });

  it('reads years before 100 as written', () => {
    expect(new Date(parseIsoDateTime('0050-06-01')!.wallClock).getUTCFullYear()).toBe(50);
  });
});
