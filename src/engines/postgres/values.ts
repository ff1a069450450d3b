import pg from 'pg';
import type { ColumnType, JsonScalar } from '../types.ts';

/** Type OIDs from pg_type.dat; stable across PostgreSQL versions. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

const ARRAY_OIDS = new Set([
  199, 1000, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1115, 1182, 1185, 1231, 2951, 3807,
]);

const COLUMN_TYPES = new Map<number, ColumnType>([
  [OID.bool, 'boolean'],
  [OID.int2, 'integer'],
  [OID.int4, 'integer'],
  [OID.int8, 'integer'],
  [OID.oid, 'integer'],
  [OID.float4, 'number'],
  [OID.float8, 'number'],
  [OID.numeric, 'number'],
  [OID.date, 'date'],
  [OID.timestamp, 'datetime'],
  [OID.timestamptz, 'datetime'],
  [OID.json, 'json'],
  [OID.jsonb, 'json'],
]);

export const columnTypeOfOid = (oid: number): ColumnType =>
  COLUMN_TYPES.get(oid) ?? (ARRAY_OIDS.has(oid) ? 'json' : 'string');

/** `format_type` names of the types above, as `describeQuery` reports them. */
const NATIVE_NAMES = new Map<number, string>([
  [OID.bool, 'boolean'],
  [OID.int2, 'smallint'],
  [OID.int4, 'integer'],
  [OID.int8, 'bigint'],
  [OID.oid, 'oid'],
  [OID.float4, 'real'],
  [OID.float8, 'double precision'],
  [OID.numeric, 'numeric'],
  [OID.date, 'date'],
  [OID.timestamp, 'timestamp without time zone'],
  [OID.timestamptz, 'timestamp with time zone'],
  [OID.json, 'json'],
  [OID.jsonb, 'jsonb'],
]);

/** The native type name of a result column, for the types Rosetta knows by OID. */
export const nativeTypeOfOid = (oid: number): string | undefined => NATIVE_NAMES.get(oid);

const integer = (text: string): number | string => {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
};

/** NaN and ±Infinity have no JSON number, so they stay text. */
const float = (text: string): number | string => {
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
};

/**
 * Timestamps arrive as text in the session's zone, which the engine pins to UTC; `infinity` and
 * BC dates keep PostgreSQL's text.
 */
const timestamp = (text: string): string => {
  const iso = `${text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')}${/[+-]\d\d(:\d\d)?$/.test(text) ? '' : 'Z'}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
};

const PARSERS = new Map<number, (text: string) => JsonScalar>([
  [OID.bool, (text) => text === 't'],
  [OID.int2, Number],
  [OID.int4, Number],
  [OID.oid, Number],
  [OID.int8, integer],
  [OID.float4, float],
  [OID.float8, float],
  [OID.numeric, float],
  [OID.timestamp, timestamp],
  [OID.timestamptz, timestamp],
]);

const asText = (text: string): string => text;

/** Arrays are parsed by pg's own parser and shown as JSON text. */
function arrayParser(oid: number): (text: string) => string {
  const parse = pg.types.getTypeParser(oid, 'text');
  return (text) => JSON.stringify(parse(text));
}

/**
 * Per-query type parsers that produce JSON-safe scalars directly (dates stay `YYYY-MM-DD`,
 * json stays the server's text), leaving pg's global parsers untouched for other modules.
 */
export const jsonScalarTypes = {
  getTypeParser: (oid: number): ((text: string) => JsonScalar) =>
    PARSERS.get(oid) ?? (ARRAY_OIDS.has(oid) ? arrayParser(oid) : asText),
} as unknown as pg.CustomTypesConfig;
