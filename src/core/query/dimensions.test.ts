import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMysqlTimeZones } from '../../../test/support/databases.ts';
import type { CompiledQuery, Engine, EngineDialect, JsonScalar, RunOptions } from '../../engines/types.ts';
import { RosettaError } from '../errors.ts';
import { compileQuery } from './compile.ts';
import { DrillError, drillQuery } from './drill.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { createQueryService } from './service.ts';
import {
  admin,
  clickhouseRunner,
  duckdbRunner,
  mysqlRunner,
  postgresRunner,
  principal,
  type SqlRunner,
} from './testkit.ts';

/**
 * Date parts, week starts, time zones, relative and rolling dates, and numeric bins, run on real
 * DuckDB, PostgreSQL and MariaDB, against values computed here in JS from the rows (Intl for
 * local times), with a row policy hiding one team's rows.
 */
type MysqlRunner = Awaited<ReturnType<typeof mysqlRunner>>;
const runners: SqlRunner[] = await Promise.all([
  duckdbRunner(),
  postgresRunner(),
  mysqlRunner(),
  clickhouseRunner(),
]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

type Event = {
  id: number;
  team: string;
  at: string | null;
  day: string | null;
  amount: number | null;
  units: number | null;
};

/** Instants near Paris's changes of clocks (31 March and 27 October 2024), year ends, India's midnight. */
const events: Event[] = [
  [1, 'red', '2024-03-30 23:15:00', '2024-03-30', 5, -3],
  [2, 'red', '2024-03-31 00:30:00', '2024-03-31', 10, 0],
  [3, 'blue', '2024-03-31 01:00:00', '2024-03-31', 12.5, 4],
  [4, 'blue', '2024-03-31 01:30:00', '2024-04-01', 20, 7],
  [5, 'red', '2024-10-26 22:30:00', '2024-10-27', -4, 10],
  [6, 'blue', '2024-10-27 00:30:00', '2024-10-27', 0, -10],
  [7, 'red', '2024-10-27 01:30:00', '2024-10-28', 99.9, 2],
  [8, 'blue', '2024-10-27 22:59:59', '2024-10-29', 30, 3],
  [9, 'red', '2024-12-29 23:30:00', '2024-12-30', 19.99, 5],
  [10, 'blue', '2021-01-03 12:00:00', '2021-01-03', 100, 1],
  [11, 'red', '2024-12-31 20:00:00', '2024-12-31', 45, 9],
  [12, 'blue', '2024-04-20 18:29:00', '2024-04-20', 7, 6],
  [13, 'red', '2024-04-20 18:30:00', '2024-04-21', null, null],
  [14, 'blue', null, null, 15, 8],
  // Hidden by the row policy: it would change every count below.
  [15, 'green', '2024-03-31 01:10:00', '2024-03-31', 1000, 1000],
].map(([id, team, at, day, amount, units]) => ({ id, team, at, day, amount, units }) as Event);

const visible = events.filter((event) => event.team !== 'green');
const who = principal({ attributes: { team: ['red', 'blue'] } });

const eventsModel: Model = {
  name: 'events',
  connectionId: 7,
  baseTable: 'events',
  tables: [{ name: 'events', relation: { kind: 'table', table: 'events' } }],
  joins: [],
  dimensions: [
    { name: 'id', table: 'events', column: 'id', type: 'integer' },
    { name: 'team', table: 'events', column: 'team', type: 'string' },
    { name: 'at', table: 'events', column: 'stamp', type: 'datetime' },
    { name: 'day', table: 'events', column: 'on_day', type: 'date' },
    { name: 'amount', table: 'events', column: 'amount', type: 'number' },
    { name: 'units', table: 'events', column: 'units', type: 'integer' },
  ],
  metrics: [],
  policies: [{ field: 'team', attribute: 'team' }],
  version: 1,
  dataSourceIds: [70],
};

const columnTypes: Record<EngineDialect, string> = {
  duckdb: 'id INTEGER, team VARCHAR, stamp TIMESTAMP, on_day DATE, amount DOUBLE, units INTEGER',
  postgres: 'id integer, team text, stamp timestamp, on_day date, amount double precision, units integer',
  mysql: 'id INT, team VARCHAR(20), stamp DATETIME, on_day DATE, amount DOUBLE, units INT',
  clickhouse:
    'id Int32, team Nullable(String), stamp Nullable(DateTime), on_day Nullable(Date), amount Nullable(Float64), units Nullable(Int32)',
};

beforeAll(async () => {
  const literal = (value: JsonScalar) =>
    value === null ? 'NULL' : typeof value === 'string' ? `'${value}'` : String(value);
  const rows = events.map(
    (e) => `(${[e.id, e.team, e.at, e.day, e.amount, e.units].map(literal).join(', ')})`,
  );
  for (const runner of runners.filter((r) => r.available)) {
    const statements = [
      `CREATE TABLE events (${columnTypes[runner.dialect]})${runner.dialect === 'clickhouse' ? ' ENGINE = Memory' : ''}`,
      `INSERT INTO events VALUES ${rows.join(', ')}`,
    ];
    if (runner.dialect !== 'mysql') {
      for (const sql of statements) await runner.run({ sql, params: [] });
      continue;
    }
    // The MariaDB runner reads rows back; DDL goes through a plain connection to its database.
    await ensureMysqlTimeZones();
    const connection = await mysql.createConnection({ uri: (runner as MysqlRunner).database.url });
    for (const sql of statements) await connection.query(sql);
    await connection.end();
  }
}, 120_000);

// ---- Independent reference computations -------------------------------------------------------

const isoDays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A stored UTC timestamp's local fields in `zone`, read off Intl. */
function local(stored: string, zone: string) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  });
  const p = Object.fromEntries(
    format.formatToParts(new Date(`${stored.replace(' ', 'T')}Z`)).map((part) => [part.type, part.value]),
  );
  const date = `${p.year}-${p.month}-${p.day}`;
  return {
    date,
    time: `${date} ${p.hour}:${p.minute}:${p.second}`,
    hour: Number(p.hour),
    isoDay: isoDays.indexOf(p.weekday) + 1,
  };
}

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const isoDayOf = (date: string): number => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
/** ISO week: the week of the year holding its Thursday. */
const isoWeek = (date: string): number => {
  const thursday = addDays(date, 4 - isoDayOf(date));
  const dayOfYear =
    (Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${thursday.slice(0, 4)}-01-01T00:00:00Z`)) /
    86_400_000;
  return Math.floor(dayOfYear / 7) + 1;
};
const daysFromWeekStart = (isoDay: number, weekStart: number): number => (isoDay - weekStart + 7) % 7;

/** Every date part and bucket of one local date (and time), as the engines should give them. */
const partsOf = (date: string, hour: number, weekStart: number) => {
  const month = Number(date.slice(5, 7));
  const isoDay = isoDayOf(date);
  return {
    month,
    quarter: Math.ceil(month / 3),
    hour,
    week: isoWeek(date),
    dayOfWeek: daysFromWeekStart(isoDay, weekStart) + 1,
    weekStart: addDays(date, -daysFromWeekStart(isoDay, weekStart)),
  };
};

const instant = (stored: string): number => Date.parse(`${stored.replace(' ', 'T')}Z`);
const idsWhere = (test: (event: Event) => boolean): number[][] => visible.filter(test).map((e) => [e.id]);

/** Counts per key, ordered by key, NULL last: a grouped query's expected rows. */
function countBy<K extends string | number>(keyOf: (event: Event) => K | null): Array<[K | null, number]> {
  const counts = new Map<K | null, number>();
  for (const event of visible) counts.set(keyOf(event), (counts.get(keyOf(event)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
}

// ---- The cases ------------------------------------------------------------------------------------

const body = (query: Record<string, unknown>): QueryIr => parseQueryBody({ source: 'events', ...query }).ir;

const everyPart = (field: string) => [
  { field, granularity: 'month_of_year' },
  { field, granularity: 'quarter_of_year' },
  ...(field === 'at' ? [{ field, granularity: 'hour_of_day' }] : []),
  { field, granularity: 'week_of_year' },
  { field, granularity: 'day_of_week' },
  { field, granularity: 'week' },
  { field, granularity: 'day' },
];

/** Per row: id, then each part of `at` in `zone` with weeks starting on `weekStart`, then the raw local time. */
function expectedParts(zone: string, weekStart: number): JsonScalar[][] {
  return visible
    .filter((e) => e.at !== null)
    .map((e) => {
      const { date, time, hour } = local(e.at!, zone);
      const p = partsOf(date, hour, weekStart);
      return [e.id, p.month, p.quarter, p.hour, p.week, p.dayOfWeek, p.weekStart, date, time];
    });
}

const rawParts = (zone: string | undefined, weekStart: number): QueryIr =>
  body({
    dimensions: ['id', ...everyPart('at'), { field: 'at', alias: 'local' }],
    filters: { field: 'at', operator: 'not null' },
    aggregate: false,
    sorts: ['id'],
    ...(zone && { timezone: zone }),
    weekStart,
  });

interface Case {
  name: string;
  ir: QueryIr;
  rows: JsonScalar[][];
  now?: string;
  maxRows?: number;
}

const cases: Case[] = [
  { name: 'date parts and buckets in UTC', ir: rawParts(undefined, 1), rows: expectedParts('UTC', 1) },
  {
    name: 'date parts, buckets and raw times in Europe/Paris across both changes of clocks, weeks from Sunday',
    ir: rawParts('Europe/Paris', 7),
    rows: expectedParts('Europe/Paris', 7),
  },
  {
    name: 'date parts in Asia/Kolkata (UTC+5:30), weeks from Wednesday',
    ir: rawParts('Asia/Kolkata', 3),
    rows: expectedParts('Asia/Kolkata', 3),
  },
  {
    name: 'a date column is not moved by the zone; its weeks start on Saturday',
    ir: body({
      dimensions: ['id', ...everyPart('day')],
      filters: { field: 'day', operator: 'not null' },
      aggregate: false,
      sorts: ['id'],
      timezone: 'Pacific/Kiritimati',
      weekStart: 6,
    }),
    rows: visible
      .filter((e) => e.day !== null)
      .map((e) => {
        const p = partsOf(e.day!, 0, 6);
        return [e.id, p.month, p.quarter, p.week, p.dayOfWeek, p.weekStart, e.day];
      }),
  },
  {
    name: 'hour buckets in Paris: the repeated hour holds both passes, the skipped one nothing',
    ir: body({
      dimensions: [{ field: 'at', granularity: 'hour' }],
      metrics: [{ aggregation: 'count' }],
      timezone: 'Europe/Paris',
    }),
    rows: countBy((e) => (e.at === null ? null : `${local(e.at, 'Europe/Paris').time.slice(0, 13)}:00:00`)),
  },
  {
    name: 'day of week grouped, weeks from Sunday, in New York',
    ir: body({
      dimensions: [{ field: 'at', granularity: 'day_of_week' }],
      metrics: [{ aggregation: 'count' }],
      timezone: 'America/New_York',
      weekStart: 7,
    }),
    rows: countBy((e) =>
      e.at === null ? null : daysFromWeekStart(local(e.at, 'America/New_York').isoDay, 7) + 1,
    ),
  },
  {
    name: 'week buckets from Tuesday, grouped',
    ir: body({
      dimensions: [{ field: 'at', granularity: 'week' }],
      metrics: [{ aggregation: 'count' }],
      weekStart: 2,
    }),
    rows: countBy((e) => (e.at === null ? null : partsOf(local(e.at, 'UTC').date, 0, 2).weekStart)),
  },
  {
    name: 'relative: this day in Paris includes 00:15 local, still the 30th in UTC',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'at', operator: 'relative', values: ['this', 'day'] },
      timezone: 'Europe/Paris',
    }),
    now: '2024-03-31T12:00:00Z',
    rows: idsWhere((e) => e.at !== null && local(e.at, 'Europe/Paris').date === '2024-03-31'),
  },
  {
    name: 'relative: this day on a date column is the zone’s today',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'day', operator: 'relative', values: ['this', 'day'] },
      timezone: 'Europe/Paris',
    }),
    // 01:30 on 1 April in Paris.
    now: '2024-03-31T23:30:00Z',
    rows: idsWhere((e) => e.day === '2024-04-01'),
  },
  {
    name: 'relative: this week from Sunday in Kolkata starts at 00:00 IST on Sunday 21 April',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'at', operator: 'relative', values: ['this', 'week'] },
      timezone: 'Asia/Kolkata',
      weekStart: 7,
    }),
    now: '2024-04-21T06:00:00Z',
    rows: idsWhere(
      (e) =>
        e.at !== null &&
        instant(e.at) >= Date.parse('2024-04-20T18:30:00Z') &&
        instant(e.at) < Date.parse('2024-04-27T18:30:00Z'),
    ),
  },
  {
    name: 'relative: this week from Monday in Kolkata holds the Saturday too',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'at', operator: 'relative', values: ['this', 'week'] },
      timezone: 'Asia/Kolkata',
    }),
    now: '2024-04-21T06:00:00Z',
    rows: idsWhere(
      (e) =>
        e.at !== null &&
        instant(e.at) >= Date.parse('2024-04-14T18:30:00Z') &&
        instant(e.at) < Date.parse('2024-04-21T18:30:00Z'),
    ),
  },
  {
    name: 'rolling: the last 2 hours, both passes of 02:xx in Paris',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'at', operator: 'relative', values: ['last', 2, 'hour', 'rolling'] },
      timezone: 'Europe/Paris',
    }),
    now: '2024-10-27T02:00:00Z',
    rows: idsWhere(
      (e) =>
        e.at !== null &&
        instant(e.at) >= Date.parse('2024-10-27T00:00:00Z') &&
        instant(e.at) < Date.parse('2024-10-27T02:00:00Z'),
    ),
  },
  {
    name: 'rolling: the last day in Paris is 25 hours on the day clocks go back',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'at', operator: 'relative', values: ['last', 1, 'day', 'rolling'] },
      timezone: 'Europe/Paris',
    }),
    // 13:00 CET; 13:00 CEST the day before was 11:00 UTC.
    now: '2024-10-27T12:00:00Z',
    rows: idsWhere(
      (e) =>
        e.at !== null &&
        instant(e.at) >= Date.parse('2024-10-26T11:00:00Z') &&
        instant(e.at) < Date.parse('2024-10-27T12:00:00Z'),
    ),
  },
  {
    name: 'rolling: the next 7 days on a date column start tomorrow',
    ir: body({
      dimensions: ['id'],
      filters: { field: 'day', operator: 'relative', values: ['next', 7, 'day', 'rolling'] },
    }),
    now: '2024-03-30T12:00:00Z',
    rows: idsWhere((e) => e.day !== null && e.day >= '2024-03-31' && e.day < '2024-04-07'),
  },
  {
    name: 'filter values without an offset are wall-clock times of the zone',
    ir: body({
      dimensions: ['id'],
      filters: {
        and: [
          { field: 'at', operator: '>=', values: ['2024-03-31 03:00:00'] },
          { field: 'at', operator: '<', values: ['2024-10-27T00:00:00Z'] },
        ],
      },
      timezone: 'Europe/Paris',
    }),
    rows: idsWhere(
      (e) =>
        e.at !== null &&
        instant(e.at) >= Date.parse('2024-03-31T01:00:00Z') &&
        instant(e.at) < Date.parse('2024-10-27T00:00:00Z'),
    ),
  },
  {
    name: 'fixed-width bins with an offset: the lower bound of each value',
    ir: body({
      dimensions: [
        'id',
        { field: 'amount', bin: { width: 10, offset: 5 } },
        { field: 'units', bin: { width: 4 } },
      ],
      aggregate: false,
      sorts: ['id'],
    }),
    rows: visible.map((e) => [
      e.id,
      e.amount === null ? null : Math.floor((e.amount - 5) / 10) * 10 + 5,
      e.units === null ? null : Math.floor(e.units / 4) * 4,
    ]),
  },
  {
    name: 'range bins in the order of their ranges, NULL outside every range, metrics per bin',
    ir: body({
      dimensions: [
        { field: 'amount', bin: { ranges: [{ to: 10 }, { from: 10, to: 20, label: 'mid' }, { from: 50 }] } },
      ],
      metrics: [{ aggregation: 'count' }, { field: 'units', aggregation: 'sum' }],
    }),
    rows: ['< 10', 'mid', '≥ 50', null].map((label) => {
      const inBin = visible.filter((e) => rangeOf(e.amount) === label);
      return [label, inBin.length, inBin.reduce((sum, e) => sum + (e.units ?? 0), 0)];
    }),
  },
  {
    name: 'range bins sorted by their id descending, cut by the row cap',
    ir: body({
      dimensions: [
        { field: 'amount', bin: { ranges: [{ to: 10 }, { from: 10, to: 20, label: 'mid' }, { from: 50 }] } },
      ],
      metrics: [{ aggregation: 'count' }],
      sorts: [{ field: 'amount', descending: true }],
    }),
    maxRows: 2,
    rows: ['≥ 50', 'mid'].map((label) => [label, visible.filter((e) => rangeOf(e.amount) === label).length]),
  },
];

function rangeOf(amount: number | null): string | null {
  if (amount === null) return null;
  if (amount < 10) return '< 10';
  if (amount < 20) return 'mid';
  return amount >= 50 ? '≥ 50' : null;
}

const compile = (
  runner: SqlRunner,
  ir: QueryIr,
  options: { now?: string; maxRows?: number; inline?: boolean } = {},
) =>
  compileQuery(eventsModel, ir, {
    dialect: runner.dialect,
    principal: who,
    maxRows: options.maxRows ?? 100,
    now: new Date(options.now ?? '2024-06-01T00:00:00Z'),
    inline: options.inline,
  });

const run = async (runner: SqlRunner, ir: QueryIr, options: { now?: string; maxRows?: number } = {}) => {
  const query = compile(runner, ir, options);
  return (await runner.run(query)).slice(0, query.rowCap);
};

const close = (rows: JsonScalar[][]) =>
  rows.map((row) => row.map((cell) => (typeof cell === 'number' ? expect.closeTo(cell, 9) : cell)));

describe.each(runners)('dimensions on $dialect', (runner) => {
  it.skipIf(!runner.available).each(cases)('$name', async ({ ir, rows, now, maxRows }) => {
    expect(await run(runner, ir, { now, maxRows })).toEqual(close(rows));
  });

  it.skipIf(!runner.available).each(cases)(
    '$name: inlined literals give the same rows',
    async ({ ir, now, maxRows }) => {
      const inlined = compile(runner, ir, { now, maxRows, inline: true });
      expect(inlined.params).toEqual([]);
      expect(await runner.run(inlined)).toEqual(await run(runner, ir, { now, maxRows }));
    },
  );

  it.skipIf(!runner.available)(
    'the row cap cuts grouped range bins after ordering them by range',
    async () => {
      const grouped = cases.find((c) => c.name.startsWith('range bins in the order of their ranges'))!;
      const query = compile(runner, grouped.ir, { maxRows: 2 });
      const rows = await runner.run(query);
      expect(rows.length).toBe(3); // one more than the cap: the result says it was cut
      expect(rows.slice(0, 2).map((row) => row[0])).toEqual(['< 10', 'mid']);
    },
  );
});

// ---- Drill-through ----------------------------------------------------------------------------

/** Runner timestamps as the engines write them (engines/types.ts): ISO with a `Z`. */
const asEngine = (cell: JsonScalar): JsonScalar =>
  typeof cell === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(cell)
    ? `${cell.replace(' ', 'T')}.000Z`
    : cell;

describe.each(runners)('drilling into bins and zoned buckets on $dialect', (runner) => {
  const drilled = async (query: Record<string, unknown>, keyOf: (e: Event) => JsonScalar) => {
    const grouped = await run(runner, body(query));
    const names = (query.dimensions as Array<{ field: string; granularity?: string; alias?: string }>).map(
      (d) => d.alias ?? `${d.field}${d.granularity ? `_${d.granularity}` : ''}`,
    );
    for (const row of grouped) {
      const point = Object.fromEntries(names.map((name, i) => [name, asEngine(row[i])]));
      const drill = parseQueryBody({
        ...drillQuery({ source: 'events', ...query }, point, 50),
        sorts: ['id'],
        dimensions: ['id'],
      }).ir;
      const ids = (await run(runner, drill)).map(([id]) => id);
      expect(ids, JSON.stringify(point)).toEqual(visible.filter((e) => keyOf(e) === row[0]).map((e) => e.id));
    }
    return grouped.length;
  };

  it.skipIf(!runner.available)(
    'an hour bucket in Paris, the repeated hour included, gives its rows',
    async () => {
      const groups = await drilled(
        {
          dimensions: [{ field: 'at', granularity: 'hour' }],
          metrics: [{ aggregation: 'count' }],
          timezone: 'Europe/Paris',
        },
        (e) => (e.at === null ? null : `${local(e.at, 'Europe/Paris').time.slice(0, 13)}:00:00`),
      );
      expect(groups).toBeGreaterThan(5);
    },
  );

  it.skipIf(!runner.available)('a week bucket from Sunday in Kolkata gives its rows', async () => {
    await drilled(
      {
        dimensions: [{ field: 'at', granularity: 'week' }],
        metrics: [{ aggregation: 'count' }],
        timezone: 'Asia/Kolkata',
        weekStart: 7,
      },
      (e) => (e.at === null ? null : partsOf(local(e.at, 'Asia/Kolkata').date, 0, 7).weekStart),
    );
  });

  it.skipIf(!runner.available)(
    'fixed-width and range bins give their rows, NULL the rows outside every range',
    async () => {
      await drilled(
        {
          dimensions: [{ field: 'units', bin: { width: 4, offset: 1 } }],
          metrics: [{ aggregation: 'count' }],
        },
        (e) => (e.units === null ? null : Math.floor((e.units - 1) / 4) * 4 + 1),
      );
      await drilled(
        {
          dimensions: [
            {
              field: 'amount',
              bin: { ranges: [{ to: 10 }, { from: 10, to: 20, label: 'mid' }, { from: 50 }] },
            },
          ],
          metrics: [{ aggregation: 'count' }],
        },
        (e) => rangeOf(e.amount),
      );
    },
  );
});

describe('drilling into a date part', () => {
  it('is refused: a month of the year spans every year', () => {
    const query = { source: 'events', dimensions: [{ field: 'at', granularity: 'month_of_year' }] };
    expect(() => drillQuery(query, { at_month_of_year: 3 })).toThrow(DrillError);
    expect(() => drillQuery(query, { at_month_of_year: 3 })).toThrow(/month_of_year cannot be drilled/);
  });
});

// ---- Refusals ---------------------------------------------------------------------------------------

describe('dimension errors', () => {
  const fails = (ir: QueryIr, field: string, message: RegExp) => {
    try {
      compileQuery(eventsModel, ir, { dialect: 'duckdb', principal: admin, maxRows: 10 });
    } catch (error) {
      expect(error).toBeInstanceOf(RosettaError);
      expect(error).toMatchObject({ code: 'ERR_VALIDATION', field });
      expect((error as RosettaError).message).toMatch(message);
      return;
    }
    throw new Error(`expected a validation error on ${field}`);
  };
  const ir = (extra: Partial<QueryIr>): QueryIr => ({ ...body({ dimensions: ['id'] }), ...extra });

  it('names the path and the problem', () => {
    fails(
      ir({ dimensions: [{ field: 'day', granularity: 'hour_of_day' }] }),
      'dimensions[0].granularity',
      /does not apply to the date field/,
    );
    fails(
      ir({ dimensions: [{ field: 'team', granularity: 'month_of_year' }] }),
      'dimensions[0].granularity',
      /string field/,
    );
    fails(
      ir({ dimensions: [{ field: 'team', bin: { width: 5 } }] }),
      'dimensions[0].bin',
      /needs a numeric field/,
    );
    fails(ir({ dimensions: [{ field: 'amount', bin: { width: 0 } }] }), 'dimensions[0].bin.width', /above 0/);
    fails(
      ir({
        dimensions: [
          { field: 'amount', bin: { ranges: [{ from: 0, to: 10 }, { from: 20 }, { from: 5, to: 15 }] } },
        ],
      }),
      'dimensions[0].bin.ranges[2]',
      /overlaps ranges\[0\] \(0–10\)/,
    );
    fails(
      ir({ dimensions: [{ field: 'amount', granularity: 'day', bin: { width: 1 } }] }),
      'dimensions[0].granularity',
      /number field/,
    );
    fails(ir({ timezone: 'Mars/Olympus' }), 'timezone', /unknown time zone "Mars\/Olympus"/);
    fails(ir({ timezone: '+02:00' }), 'timezone', /unknown time zone/);
    fails(ir({ weekStart: 8 }), 'weekStart', /from 1 \(Monday\) to 7 \(Sunday\), got 8/);
    fails(
      ir({ filters: { field: 'at', operator: 'relative', values: ['this', 'day', 'rolling'] } }),
      'filters.values',
      /expected \["this", unit\]/,
    );
  });
});

// ---- The MariaDB time-zone probe -------------------------------------------------------------------

describe('the query service on MySQL/MariaDB checks the zone first', () => {
  const mysql = runners.find((runner) => runner.dialect === 'mysql')!;
  const service = (engine: Engine) =>
    createQueryService({
      resolveModel: async () => eventsModel,
      sourceModel: async () => eventsModel,
      engineFor: async () => engine,
      maxRows: 100,
      timeoutMs: 5000,
      now: () => new Date('2024-06-01T00:00:00Z'),
    });
  const byHour = {
    source: 'events',
    dimensions: [{ field: 'at', granularity: 'hour_of_day' }],
    metrics: [{ aggregation: 'count' }],
    timezone: 'Europe/Paris',
  };

  it('answers a 400 naming the zone, the engine and the remedy when the server has no zone tables', async () => {
    const calls: CompiledQuery[] = [];
    // A server without time-zone tables: CONVERT_TZ answers NULL.
    const bare = {
      dialect: 'mysql',
      async run(query: CompiledQuery) {
        calls.push(query);
        return { columns: [], rows: [[null]], truncated: false };
      },
    } as unknown as Engine;
    await expect(service(bare).run(who, byHour)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'timezone',
      message: expect.stringMatching(
        /"Europe\/Paris" is unknown to the MySQL\/MariaDB server.*mysql_tzinfo_to_sql/,
      ),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      sql: "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', ?)",
      params: ['Europe/Paris'],
    });
  });

  it.skipIf(!mysql.available)('probes a working zone once per engine, then runs the query', async () => {
    const calls: CompiledQuery[] = [];
    const engine = {
      dialect: 'mysql',
      async run(query: CompiledQuery, options: RunOptions) {
        calls.push(query);
        const rows = await mysql.run(query);
        return {
          columns: [],
          rows: rows.slice(0, options.maxRows),
          truncated: rows.length > options.maxRows,
        };
      },
    } as unknown as Engine;
    const queries = service(engine);
    const first = await queries.run(who, byHour, { noCache: true });
    expect(first.rows).toEqual(countBy((e) => (e.at === null ? null : local(e.at, 'Europe/Paris').hour)));
    await queries.run(who, { ...byHour, timezone: 'Asia/Kolkata' }, { noCache: true });
    await queries.run(who, byHour, { noCache: true });
    expect(calls.filter((c) => c.sql.startsWith('SELECT CONVERT_TZ')).map((c) => c.params)).toEqual([
      ['Europe/Paris'],
      ['Asia/Calcutta'],
    ]);
    // UTC needs no conversion and no probe.
    await queries.run(who, { ...byHour, timezone: 'UTC' }, { noCache: true });
    expect(calls.filter((c) => c.sql.startsWith('SELECT CONVERT_TZ'))).toHaveLength(2);
  });
});
