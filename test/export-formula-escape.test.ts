import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgConnection, seren } from './serenytics/support.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres, type TempDatabase } from './support/databases.ts';
import { exportFile, getFile } from './support/exports.ts';

/**
 * CSV/formula injection (OWASP): text a user stored that starts with = + - @, a tab or a carriage
 * return is written quote-prefixed in every CSV and XLSX the server produces, whichever path
 * writes it (DuckDB's COPY, the streamed writer over another engine, XLSX, the Serenytics data
 * API and export_source_data); numbers stay numbers. `ROSETTA_EXPORT_FORMULA_ESCAPE=false`
 * writes the cells raw.
 */
const labels = [
  '=HYPERLINK("http://evil.example","click")',
  '+1+cmd|calc',
  '-5',
  '@SUM(A1)',
  '\tcmd',
  '\rcmd',
  '=a,b',
  'plain',
];
const escaped = labels.map((label) => (label === 'plain' ? label : `'${label}`));

async function hostileSource(app: TestApp): Promise<string> {
  const created = await app.request('POST', '/api/data-sources', {
    name: 'hostile_cells',
    type: 'storage',
    columns: [
      { name: 'n', type: 'integer' },
      { name: 'label', type: 'string' },
      { name: 'amount', type: 'number' },
    ],
    primaryKey: ['n'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const pushed = await app.request('POST', `/api/data-sources/${created.body.uuid}/rows`, {
    mode: 'insert',
    rows: labels.map((label, n) => ({ n, label, amount: -5 - n })),
  });
  expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
  return created.body.uuid;
}

const query = (source: string) => ({
  source,
  aggregate: false,
  dimensions: ['n', { field: 'label', alias: '=label' }, 'amount'],
  sorts: ['n'],
});

const csvRows = (data: Buffer) => parse(data.toString('utf8')) as string[][];

describe('formula cells in exports (escaping on, the default)', () => {
  let app: TestApp;
  let source: string;
  let database: TempDatabase;
  beforeAll(async () => {
    app = await startTestApp({ demo: false });
    source = await hostileSource(app);
    database = await createTempPostgres('rosetta_formulas');
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('quote-prefixes text cells and headers in a CSV written by DuckDB, numbers untouched', async () => {
    const { data } = await exportFile(app, { query: query(source), format: 'csv' });
    const [header, ...rows] = csvRows(data);
    expect(header).toEqual(['n', "'=label", 'amount']);
    expect(rows.map((row) => row[1])).toEqual(escaped);
    expect(rows.map((row) => row[2])).toEqual(labels.map((_, n) => String(-5 - n)));
  });

  it('writes them as quote-prefixed string cells in XLSX, never formulas', async () => {
    const { data } = await exportFile(app, { query: query(source), format: 'xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(2).value).toBe("'=label");
    const cells = labels.map((_, i) => sheet.getRow(i + 2).getCell(2));
    // XML reads a carriage return in text back as a line feed.
    expect(cells.map((cell) => cell.value)).toEqual(escaped.map((text) => text.replace('\r', '\n')));
    expect(cells.every((cell) => cell.type === ExcelJS.ValueType.String)).toBe(true);
    expect(sheet.getRow(2).getCell(3).value).toBe(-5);
  });

  it('quote-prefixes the Serenytics data API CSV and export_source_data', async () => {
    const answer = await app.rosetta.server.inject({
      method: 'POST',
      url: `/serenytics/data-api/query-data/${source}`,
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      payload: JSON.stringify({ format: 'csv' }),
    });
    expect(answer.statusCode, answer.body).toBe(200);
    const [header, ...rows] = parse(answer.body) as string[][];
    const label = header.indexOf('label');
    expect(rows.map((row) => row[label]).sort()).toEqual([...escaped].sort());
    expect(rows.map((row) => row[header.indexOf('amount')])).toContain('-5');

    const exported = await seren(app, 'POST', `/api/data_source/${source}/export_source_data`, {});
    expect(exported.body.status, JSON.stringify(exported.body)).toBe('ok');
    const link = new URL(exported.body.csv_url);
    const file = await getFile(app, link.pathname + link.search, null);
    const [fileHeader, ...fileRows] = csvRows(file.data);
    expect(fileRows.map((row) => row[fileHeader.indexOf('label')]).sort()).toEqual([...escaped].sort());
  });

  it('quote-prefixes the streamed CSV of a PostgreSQL source', async (context) => {
    if (!database.available) context.skip();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('CREATE TABLE cells (n integer, label text, amount double precision)');
    for (const [n, label] of labels.entries())
      await client.query('INSERT INTO cells VALUES ($1, $2, $3)', [n, label, -5 - n]);
    await client.end();
    const connection = await app.request('POST', '/api/connections', pgConnection(database, 'pg cells'));
    expect(connection.status, JSON.stringify(connection.body)).toBe(201);
    const table = await app.request('POST', '/api/data-sources', {
      name: 'pg_cells',
      type: 'table',
      connectionId: connection.body.id,
      schema: 'public',
      table: 'cells',
    });
    expect(table.status, JSON.stringify(table.body)).toBe(201);
    const { data } = await exportFile(app, { query: query(table.body.uuid), format: 'csv' });
    const [header, ...rows] = csvRows(data);
    expect(header).toEqual(['n', "'=label", 'amount']);
    expect(rows.map((row) => row[1])).toEqual(escaped);
    expect(rows[0][2]).toBe('-5');
  });
});

describe('formula cells in exports with ROSETTA_EXPORT_FORMULA_ESCAPE=false', () => {
  let app: TestApp;
  let source: string;
  beforeAll(async () => {
    app = await startTestApp({ demo: false, env: { ROSETTA_EXPORT_FORMULA_ESCAPE: 'false' } });
    source = await hostileSource(app);
  });
  afterAll(() => app.close());

  it('writes the cells exactly as stored', async () => {
    const { data } = await exportFile(app, { query: query(source), format: 'csv' });
    const [header, ...rows] = csvRows(data);
    expect(header[1]).toBe('=label');
    expect(rows.map((row) => row[1])).toEqual(labels);
    const xlsx = await exportFile(app, { query: query(source), format: 'xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.data as unknown as ArrayBuffer);
    expect(workbook.worksheets[0].getRow(2).getCell(2).value).toBe(labels[0]);
  });
});
