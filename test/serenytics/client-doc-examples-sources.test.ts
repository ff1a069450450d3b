import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../support/databases.ts';
import {
  contentOf,
  type Erratum,
  errata,
  example,
  liveRosetta,
  pandasPython,
  places,
  storageSource,
  succeeded,
} from './client-doc-examples/harness.ts';
import { pgConnection, seren } from './support.ts';

/*
 * The Serenytics Python client doc's DataSource and Data examples (catalogued in
 * client-doc-examples.md), run against a live Rosetta from a user's machine and in the script
 * studio. Each test asserts the output and the source's content afterwards.
 */
const live = liveRosetta();
const { run } = live;
const files = mkdtempSync(join(tmpdir(), 'rosetta-doc-files-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));
const database = await createTempPostgres('rosetta_doc');
afterAll(() => database.drop());

/** A SQL source alone on its own connection to the temp PostgreSQL database (native API). */
async function sqlSourceOnItsConnection(name: string) {
  const connection = (await live.app.request('POST', '/api/connections', pgConnection(database, name))).body;
  const source = (
    await live.app.request('POST', '/api/data-sources', {
      type: 'sql',
      name,
      connectionId: connection.id,
      sql: 'SELECT 1 AS one',
    })
  ).body;
  return { connection, source };
}

/** The four rows every loading example of the doc writes. */
const docRows = [
  ['FR', 'John', 10],
  ['UK', 'John', 1],
  ['US', 'David', 8],
  ['US', 'Mark', 2],
];
const oldRows = [{ country: 'DE', name: 'Old', quantity: 99 }];
const sales = [
  { country: 'FR', year: 2023, quarter: 'Q1', category: 1, revenue: 30, invoice: 'a' },
  { country: 'FR', year: 2023, quarter: 'Q2', category: 3, revenue: 25, invoice: 'b' },
  { country: 'US', year: 2023, quarter: 'Q1', category: 2, revenue: 50, invoice: 'c' },
  { country: 'US', year: 2024, quarter: 'Q3', category: 4, revenue: 10, invoice: 'd' },
];

describe.each(places)('from the %s', (place) => {
  const tag = place === 'user machine' ? 'user' : 'studio';
  const named = (file: string, name: string, fixes: Erratum[] = []) =>
    example(file, { MY_DATA_SOURCE_NAME: name }, fixes);
  /**
   * The doc's local file: on a user's machine a file of that machine; in the studio the script
   * writes it into its own scratch dir first, as a sandboxed script reads no file of the server.
   */
  const localFile = (name: string, content: string) => {
    if (place === 'user machine') {
      const path = join(files, name);
      writeFileSync(path, content);
      return { path, prelude: '' };
    }
    const write = `with open(${JSON.stringify(name)}, 'w') as file: file.write(${JSON.stringify(content)})\n`;
    return { path: name, prelude: write };
  };

  it('lines 396-406: batch inserts the rows', async () => {
    const source = await storageSource(live.app, `batch_${tag}`, oldRows);
    succeeded(await run(place, example('15-batch.py', { MY_SQL_DATA_SOURCE: source.name })));
    expect((await contentOf(live.app, source.uuid)).rows).toEqual([['DE', 'Old', 99], ...docRows]);
  }, 30_000);

  it('lines 438-447, 466-478, 511-522: get_data prints the headers, then the two option queries', async () => {
    const source = await storageSource(live.app, `sales_${tag}`, sales);
    const all = named('16-get-data.py', source.name);
    const headers = succeeded(await run(place, all));
    expect(headers).toContain("{'name': 'country', 'type': 'str'}");
    expect(headers).toContain("{'name': 'revenue', 'type': 'int'}");
    // The two options fragments continue the get_data example, which defines `source`.
    const grouped = `${all}${example('17-get-data-options.py')}print(data.rows)\n`;
    expect(succeeded(await run(place, grouped))).toBe(
      `${headers}[['FR', 2023, 55, 2], ['US', 2023, 50, 1]]\n`,
    );
    const inList = `${all}${example('18-get-data-options-in.py')}print(data.rows)\n`;
    expect(succeeded(await run(place, inList))).toBe(`${headers}[[25, 1]]\n`);
  }, 30_000);

  it('lines 545-550: prints the number of rows of every source, 0 for an empty storage', async () => {
    const filled = await storageSource(live.app, `counted_${tag}`, sales);
    const empty = await storageSource(live.app, `empty_${tag}`);
    const lines = succeeded(await run(place, example('19-get-nb-rows.py'))).split('\n');
    expect(lines).toContain(`The source '${filled.name}' contains 4 rows`);
    expect(lines).toContain(`The source '${empty.name}' contains 0 rows`);
  }, 30_000);

  it('lines 565-569: invalidates the cache; the next query sees the source as it is', async () => {
    const source = await storageSource(live.app, `cached_${tag}`, sales);
    await contentOf(live.app, source.uuid);
    succeeded(await run(place, example('20-invalidate-cache.py', { MY_SQL_DATA_SOURCE: source.name })));
    expect((await contentOf(live.app, source.uuid)).rows).toHaveLength(4);
  }, 30_000);

  it('lines 588-594: push_data appends one row (created storage)', async () => {
    succeeded(await run(place, named('21-push-data.py', `pushed_${tag}`)));
    const [source] = (await seren(live.app, 'GET', '/api/data_source')).body.objects.filter(
      (o: { name: string }) => o.name === `pushed_${tag}`,
    );
    let content = await contentOf(live.app, source.uuid);
    for (let i = 0; i < 50 && content.rows.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      content = await contentOf(live.app, source.uuid);
    }
    expect(content).toMatchObject({ columns: ['country', 'name', 'quantity'], rows: [['FR', 'John', 10]] });
  }, 30_000);

  /** Runs a reload example on a source holding other columns: content and schema are the doc's. */
  const expectReloaded = async (file: string) => {
    const source = await storageSource(live.app, `${file.slice(0, 2)}_reloaded_${tag}`, sales);
    succeeded(await run(place, named(file, source.name)));
    expect(await contentOf(live.app, source.uuid)).toEqual({
      columns: ['country', 'name', 'quantity'],
      types: ['str', 'str', 'int'],
      rows: docRows,
    });
  };

  it('lines 630-640 and 685-695: reload_data and reload_data_from_array replace content and schema', async () => {
    await expectReloaded('22-reload-data.py');
    await expectReloaded('23-reload-data-from-array.py');
  }, 30_000);

  it.skipIf(!pandasPython)(
    'lines 725-734: reload_data_from_dataframe replaces content and schema',
    async () => {
      await expectReloaded('24-reload-data-from-dataframe.py');
    },
    30_000,
  );

  it.skipIf(!pandasPython)(
    'lines 894-905: get_as_dataframe prints the pandas DataFrame',
    async () => {
      const source = await storageSource(live.app, `frame_${tag}`, sales.slice(0, 2));
      const printed = succeeded(await run(place, named('30-get-as-dataframe.py', source.name)));
      expect(printed.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
        ['country', 'year', 'quarter', 'category', 'revenue', 'invoice'],
        ['0', 'FR', '2023', 'Q1', '1', '30', 'a'],
        ['1', 'FR', '2023', 'Q2', '3', '25', 'b'],
        [''],
      ]);
    },
    30_000,
  );

  it('lines 762-771: reload_data_from_file loads a ;-separated CSV, forcing a datetime', async () => {
    const file = localFile(`dated_${tag}.csv`, 'creation_date;amount\n2024-01-02;3\n2024-02-03;4\n');
    const source = await storageSource(live.app, `from_file_${tag}`, oldRows);
    const code = example(
      '25-reload-data-from-file.py',
      { PATH_TO_LOCAL_FILE: file.path, MY_DATA_SOURCE_NAME: source.name },
      [errata.missingClient],
    );
    succeeded(await run(place, file.prelude + code));
    const content = await contentOf(live.app, source.uuid);
    expect(content.columns).toEqual(['creation_date', 'amount']);
    expect(content.types).toEqual(['datetime', 'int']);
    expect(content.rows).toHaveLength(2);
  }, 30_000);

  it('lines 853-858: update_data_from_file replaces rows by primary key and adds new ones', async () => {
    const file = localFile(`update_${tag}.csv`, 'id,name\n2,Bea\n3,Cid\n');
    const source = await storageSource(live.app, `updated_${tag}`, [
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bob' },
    ]);
    const code = example(
      '29-update-data-from-file.py',
      { PATH_TO_LOCAL_FILE: file.path, MY_DATA_SOURCE_NAME: source.name },
      [errata.missingClient],
    );
    succeeded(await run(place, file.prelude + code));
    expect((await contentOf(live.app, source.uuid)).rows).toEqual([
      [1, 'Ann'],
      [2, 'Bea'],
      [3, 'Cid'],
    ]);
  }, 30_000);

  it('lines 789-792: reload_users_metadata stores the columns as metadata of the logins', async () => {
    const login = `meta.${tag}@example.com`;
    await seren(live.app, 'POST', '/api/user', {
      username: login,
      password: 'myStrongPassword',
      category: 'viewer',
    });
    const source = await storageSource(live.app, `users_${tag}`, [{ login, region: 'north' }]);
    succeeded(await run(place, named('26-reload-users-metadata.py', source.name, [errata.missingClient])));
    const user = await seren(live.app, 'GET', `/api/user/byname?username=${encodeURIComponent(login)}`);
    expect(user.body.login_metadata).toEqual({ region: 'north' });
  }, 30_000);

  it.skipIf(!database.available)(
    'lines 812-816 (and 829-833, the same code): save moves a SQL source to the server it names',
    async () => {
      const { connection, source } = await sqlSourceOnItsConnection(`property_${tag}`);
      const code = named('27-set-property.py', source.name, [
        errata.missingClient,
        errata.unterminatedString,
      ]);
      succeeded(await run(place, code));
      const moved = await live.app.request('GET', `/api/connections/${connection.id}`);
      expect(moved.body).toMatchObject({ host: 'monserveursql.domain.com', database: database.name });
      const saved = await seren(live.app, 'GET', `/api/data_source/${source.uuid}`);
      expect(saved.body.jsonContent).toMatchObject({ server_ip: 'monserveursql.domain.com' });
      // The doc's server does not exist: later examples that read every source must not meet it.
      expect((await live.app.request('DELETE', `/api/data-sources/${source.uuid}`)).status).toBe(204);
      expect((await live.app.request('DELETE', `/api/connections/${connection.id}`)).status).toBe(204);
    },
    30_000,
  );

  it('lines 812-816 on a Storage source: save is refused, a Storage source has no server', async () => {
    const source = await storageSource(live.app, `stored_property_${tag}`);
    const code = named('27-set-property.py', source.name, [errata.missingClient, errata.unterminatedString]);
    const failed = await run(place, code);
    expect(failed.return_code).not.toBe(0);
    expect(failed.stderr).toContain('jsonContent.server_ip: a storage source has no server');
    const saved = await seren(live.app, 'GET', `/api/data_source/${source.uuid}`);
    expect(saved.body.jsonContent).not.toHaveProperty('server_ip');
  }, 30_000);
});

describe('the limits of what the examples rely on', () => {
  it('a reload may change the schema but not drop the primary key column (400, content kept)', async () => {
    const created = await live.app.request('POST', '/api/data-sources', {
      name: 'keyed',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'string' },
      ],
      primaryKey: ['id'],
    });
    const { uuid } = created.body;
    await seren(live.app, 'POST', `/api/data_source/${uuid}/reload`, [{ id: 1, name: 'Ann' }]);
    const widened = await seren(live.app, 'POST', `/api/data_source/${uuid}/reload`, [
      { id: 2, city: 'Oslo' },
    ]);
    expect(widened.status).toBe(200);
    expect(await contentOf(live.app, uuid)).toMatchObject({ columns: ['id', 'city'], rows: [[2, 'Oslo']] });
    const keyless = await seren(live.app, 'POST', `/api/data_source/${uuid}/reload`, [{ town: 'Rome' }]);
    expect(keyless.status).toBe(400);
    expect(keyless.body.errors[0]).toContain('the new columns lack the primary key column "id"');
    expect((await contentOf(live.app, uuid)).rows).toEqual([[2, 'Oslo']]);
  });

  it('a saved config whose jsonContent is not an object is refused, naming the field', async () => {
    const source = await storageSource(live.app, 'odd_config');
    const answer = await seren(live.app, 'PUT', `/api/data_source/${source.uuid}`, { jsonContent: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toContain('jsonContent: must be an object');
  });
});
