import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { ADMIN_KEY } from '../support/app.ts';
import {
  createScript,
  errata,
  example,
  liveRosetta,
  pandasPython,
  places,
  runInStudio,
  runOnUserMachine,
  storageSource,
  succeeded,
} from './client-doc-examples/harness.ts';
import { seren } from './support.ts';

/*
 * The Serenytics Python client doc's examples about the client, scripts, emails and web apps
 * (catalogued in client-doc-examples.md), run against a live Rosetta from a user's machine and in
 * the script studio; the data source examples are in client-doc-examples-sources.test.ts. Each
 * test asserts what the doc says the example does.
 */
const live = liveRosetta();
const { run } = live;

const sourceNamed = async (name: string) =>
  (
    await seren(
      live.app,
      'GET',
      `/api/data_source?q=${encodeURIComponent(JSON.stringify({ filters: [{ name: 'name', op: 'eq', val: name }] }))}`,
    )
  ).body.objects;
const webApps = async () => (await seren(live.app, 'GET', '/api/web_app')).body.objects;
const demoWebApp = async () =>
  (await webApps()).find((o: { name: string }) => o.name === DEMO_DASHBOARD_NAME);
const newestMail = async () => (await live.app.request('GET', '/api/outbox')).body.items[0];
const lastLog = async (scriptUuid: string) =>
  (await seren(live.app, 'GET', `/api/script/${scriptUuid}/logs`)).body.objects[0];

it('ROSETTA_PYTHON names the interpreter of script runs and is validated', () => {
  expect(
    loadConfig({ ROSETTA_DATA_DIR: live.app.dataDir, ROSETTA_PYTHON: '/usr/bin/python3' }).scriptPython,
  ).toBe('/usr/bin/python3');
  expect(() =>
    loadConfig({ ROSETTA_DATA_DIR: live.app.dataDir, ROSETTA_PYTHON: 'python3; rm -rf /' }),
  ).toThrow(/ROSETTA_PYTHON/);
});

describe('getting started', () => {
  it('lines 19-21: import and Client() inside a script run', async () => {
    expect(succeeded(await runInStudio(live.app, live.base, example('01-getting-started.py')))).toBe('');
  }, 30_000);

  it('line 28: Client(api_key=…) on a user machine; a wrong key is reported', async () => {
    const code = (key: string) =>
      `import serenytics\n${example('02-client-with-api-key.py', { YOUR_API_KEY: key })}\n` +
      'print([source.name for source in client.get_data_sources()])\n';
    expect(succeeded(await runOnUserMachine(code(ADMIN_KEY), live.base, {}))).toContain("'demo_sales'");
    expect((await runOnUserMachine(code('wrong-key'), live.base, {})).stderr).toContain('invalid API key');
  }, 30_000);
});

describe('the script studio', () => {
  it('lines 226-230: client.script_args holds the JSON the run was given', async () => {
    const code = `${example('11-script-args.py')}print(param1)\n`;
    expect(succeeded(await runInStudio(live.app, live.base, code, { my_param1: 'north' }))).toBe('north\n');
  }, 30_000);
});

describe.each(places)('from the %s', (place) => {
  const tag = place === 'user machine' ? 'user' : 'studio';

  it('lines 48-51 and 69-72: a source by name and by uuid', async () => {
    const created = await storageSource(live.app, `by_name_${tag}`);
    const byName = example('03-get-data-source-by-name.py', { MY_DATA_SOURCE_NAME: created.name });
    expect(succeeded(await run(place, `${byName}print(source.uuid)\n`))).toBe(`${created.uuid}\n`);
    const byUuid = example('04-get-data-source-by-uuid.py', {
      '182018f9-a18a-4cf0-993f-9e3fa45d3f61': created.uuid,
    });
    expect(succeeded(await run(place, `${byUuid}print(source.name)\n`))).toBe(`${created.name}\n`);
  }, 30_000);

  it('lines 93-98: prints name, type and uuid of every source', async () => {
    const created = await storageSource(live.app, `listed_${tag}`);
    const lines = succeeded(await run(place, example('05-get-data-sources.py'))).split('\n');
    expect(lines).toContain(`${created.name} Storage ${created.uuid}`);
    expect(lines.filter(Boolean)).toHaveLength(
      (await seren(live.app, 'GET', '/api/data_source')).body.objects.length,
    );
  }, 30_000);

  it('lines 116-119: gets the storage source, creating it once', async () => {
    const code = example('06-get-or-create-storage.py', { MY_DATA_SOURCE_NAME: `created_${tag}` });
    succeeded(await run(place, code));
    succeeded(await run(place, code));
    const found = await sourceNamed(`created_${tag}`);
    expect(found).toHaveLength(1);
    expect(found[0].type).toBe('Storage');
  }, 30_000);

  it('lines 143-147 and 934-943: runs another script, waiting for its end, with params', async () => {
    const target = await createScript(
      live.app,
      `target_${tag}`,
      'import serenytics\nprint(sorted(serenytics.Client().script_args.items()))',
    );
    const plain = example('07-get-script-by-uuid-run.py', { MY_SCRIPT_UUID: target }, [errata.asyncKeyword]);
    succeeded(await run(place, plain));
    expect(await lastLog(target)).toMatchObject({ status: 'SUCCESS', stdout: '[]\n' });
    const withParams = example('31-script-run-params.py', { MY_SCRIPT_UUID: target }, [errata.asyncKeyword]);
    succeeded(await run(place, withParams));
    expect(await lastLog(target)).toMatchObject({
      status: 'SUCCESS',
      stdout: "[('business_unit', 'BU1'), ('country', 'US')]\n",
    });
  }, 60_000);

  it('lines 342-350 and 203-206: stores script data (a datetime) and retrieves it', async () => {
    const holder = await createScript(live.app, `holder_${tag}`, 'print("unused")');
    const store = example('14-store-script-data.py', { YOUR_SCRIPT_ID: holder }, [errata.missingDatetime]);
    succeeded(await run(place, store));
    const stored = (await seren(live.app, 'GET', `/api/script/${holder}/storage`)).body;
    expect(stored.last_execution).toMatchObject({ __type__: 'datetime' });
    expect(Date.now() - Date.parse(stored.last_execution.value)).toBeLessThan(60_000);
    const retrieve = example('10-retrieve-script-data.py', { YOUR_SCRIPT_ID: holder });
    const printed = succeeded(await run(place, `${retrieve}print(type(data['last_execution']).__name__)\n`));
    expect(printed).toBe('datetime\n');
  }, 30_000);

  it('lines 260-268: emails a dashboard as a PDF attachment', async () => {
    const webApp = await demoWebApp();
    succeeded(await run(place, example('12-send-email-dashboard.py', { WEB_APP_UUID: webApp.uuid })));
    const mail = await newestMail();
    expect(mail).toMatchObject({
      subject: 'Here is your weekly report',
      to: ['contact@serenytics.com'],
      attachments: [{ filename: `${DEMO_DASHBOARD_NAME}.pdf`, contentType: 'application/pdf' }],
    });
    expect(mail.attachments[0].size).toBeGreaterThan(5000);
  }, 90_000);

  it.skipIf(!pandasPython)(
    'lines 299-321: emails a gzipped CSV made with pandas',
    async () => {
      succeeded(await run(place, example('13-send-email-generated-csv.py')));
      expect(await newestMail()).toMatchObject({
        subject: 'Your CSV file',
        to: ['john.doe@serenytics.com'],
        attachments: [{ filename: 'filename.csv.gz', contentType: 'application/gzip' }],
      });
    },
    60_000,
  );

  it('lines 165-168, 184-189, 961-966: web apps by uuid, listed with their folder names', async () => {
    const webApp = await demoWebApp();
    const byUuid = example('08-get-webapp-by-uuid.py', {
      '182018f9-a18a-4cf0-993f-9e3fa45d3f61': webApp.uuid,
    });
    expect(succeeded(await run(place, `${byUuid}print(webapp.name)\n`))).toBe(`${DEMO_DASHBOARD_NAME}\n`);
    const folder = (
      await seren(live.app, 'POST', '/api/folder', { name: `Reports ${tag}`, resource_type: 'webapp' })
    ).body;
    await seren(live.app, 'PUT', `/api/web_app/${webApp.uuid}`, { folder_uuid: folder.uuid });
    const listed = succeeded(await run(place, example('09-get-webapps.py')))
      .split('\n')
      .filter(Boolean);
    expect(listed).toContain(`Reports ${tag} ${DEMO_DASHBOARD_NAME}`);
    expect(listed).toHaveLength((await webApps()).length);
    const first = await webApps();
    const folderName = succeeded(
      await run(place, example('32-webapp-folder-name.py', {}, [errata.printStatement])),
    );
    const firstFolder = first[0].folder_uuid === folder.uuid ? `Reports ${tag}` : 'None';
    expect(folderName).toBe(`${firstFolder}\n`);
  }, 60_000);

  it('lines 991-1003 and 1035-1054: custom CSS and HTML header saved on the first web app', async () => {
    succeeded(await run(place, example('33-set-custom-css.py')));
    succeeded(await run(place, example('34-set-custom-html-header.py')));
    const [first] = await webApps();
    const saved = (await seren(live.app, 'GET', `/api/web_app/${first.uuid}`)).body.jsonContent;
    expect(saved.cssContent).toContain('.srn-widget-header {\n    background-color: grey;');
    expect(saved.headerMode).toBe('custom');
    expect(saved.htmlHeader).toContain('<h1 style="padding: 20px; margin: 0px;">Serenytics</h1>');
  }, 60_000);

  it('lines 1072-1076: warms up the cache of the first web app (its rendering succeeds)', async () => {
    expect(succeeded(await run(place, example('35-warm-up-cache.py')))).toBe('');
  }, 90_000);
});
