import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import {
  type DocRunner,
  docRunner,
  runDocExample,
  SHOW_RESULT,
  serveFace,
} from './rest-doc-examples/run-example.ts';
import { seren, waitTask } from './support.ts';

/*
 * The REST doc's web app, script, data source, task and folder examples, run as written against
 * a listening Rosetta (catalogue: rest-doc-examples.md). Each asserts the printed output and,
 * above all, what is stored afterwards. Tests run in order: later examples use earlier state.
 */

let app: TestApp;
let base: string;
let run: DocRunner;
let dashboard: string;
let demo: string;
beforeAll(async () => {
  app = await startTestApp();
  base = await serveFace(app);
  run = docRunner(base, { YOUR_API_KEY: ADMIN_KEY });
  const byName = async (route: string, name: string) =>
    (await seren(app, 'GET', route)).body.objects.find((o: { name: string }) => o.name === name).uuid;
  dashboard = await byName('/api/web_app', DEMO_DASHBOARD_NAME);
  demo = await byName('/api/data_source', 'demo_sales');
}, 120_000);
afterAll(() => app?.close());

describe('web_app examples', () => {
  it('01, 02 and 04 list the web apps (Python and Node/axios)', async () => {
    for (const file of ['01-auth-list-web-apps.py', '04-list-web-apps.py']) {
      const { exitCode, lines } = await run(file);
      expect(exitCode).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("'objects': [{");
      expect(lines[0]).toContain(`'uuid': '${dashboard}'`);
    }
    const axios = await run('02-auth-list-web-apps-axios.js');
    expect(axios.exitCode).toBe(0);
    expect(axios.stdout).toContain(`uuid: '${dashboard}'`);
    expect(axios.lines.at(-1)).toBe('DONE');
  }, 30_000);

  it('05 gets a web app by uuid and prints its name', async () => {
    const { lines } = await run('05-get-web-app.py', { values: { YOUR_WEB_APP_UUID: dashboard } });
    expect(lines).toEqual([DEMO_DASHBOARD_NAME]);
  });

  let clone: string;
  it('08 clones a web app: a second dashboard with the same widgets', async () => {
    const before = (await seren(app, 'GET', '/api/web_app')).body.objects.map(
      (o: { uuid: string }) => o.uuid,
    );
    const { exitCode, lines } = await run('08-clone-web-app.py', {
      values: { YOUR_WEB_APP_UUID: dashboard },
      after: 'print(cloned_web_app["uuid"])',
    });
    expect(exitCode).toBe(0);
    clone = lines[0];
    expect(before).not.toContain(clone);
    const original = await app.request('GET', `/api/dashboards/${dashboard}`);
    const copy = await app.request('GET', `/api/dashboards/${clone}`);
    expect(copy.status).toBe(200);
    const content = (w: { title: string; type: string; query: unknown }) => [w.title, w.type, w.query];
    expect(copy.body.widgets.map(content)).toEqual(original.body.widgets.map(content));
  });

  it('06 renames a web app by PUTting back what it GETs, widgets untouched', async () => {
    const before = (await app.request('GET', `/api/dashboards/${clone}`)).body;
    const { lines } = await run('06-update-web-app.py', { values: { YOUR_WEB_APP_UUID: clone } });
    expect(lines).toEqual(['My New Name']);
    const after = (await app.request('GET', `/api/dashboards/${clone}`)).body;
    expect(after.name).toBe('My New Name');
    expect(after.widgets).toEqual(before.widgets);
  });

  it('07 deletes a web app (204): it is gone', async () => {
    const { lines } = await run('07-delete-web-app.py', { values: { YOUR_WEB_APP_UUID: clone } });
    expect(lines).toEqual(['204']);
    expect((await app.request('GET', `/api/dashboards/${clone}`)).status).toBe(404);
    expect((await seren(app, 'GET', `/api/web_app/${clone}`)).status).toBe(404);
  });

  it('09 embeds a web app: the doc result, and the URL opens once (nb_max_embed 1)', async () => {
    const { lines } = await run('09-embed-web-app.py', {
      values: { YOUR_WEB_APP_UUID: dashboard },
      after: SHOW_RESULT,
    });
    expect(lines[0]).toBe('200');
    const result = JSON.parse(lines[1]);
    expect(result).toEqual({
      embeddedPayload: expect.any(String),
      embeddedUrl: expect.stringContaining(result.embeddedPayload),
      status: 'ok',
    });
    const open = () =>
      app.request('POST', '/api/embed/open', { token: result.embeddedPayload }, { token: '' });
    const opened = await open();
    expect(opened.status).toBe(200);
    expect(opened.body.dashboard.uuid).toBe(dashboard);
    // expire_in 86400: valid for 24 hours from the call.
    const validFor = Date.parse(opened.body.expiresAt) - Date.now();
    expect(validFor).toBeGreaterThan(86_000_000);
    expect(validFor).toBeLessThanOrEqual(86_400_000);
    expect((await open()).status).toBe(403);
  });

  it('10 merges dashboard variables (201: nothing printed) into the stored ones', async () => {
    await seren(app, 'POST', `/api/web_app/${dashboard}/dashboard_variables`, {
      dashboard_variables: { region: 'EMEA', business_unit: 'FR' },
    });
    const { exitCode, stdout } = await run('10-set-dashboard-variables.py', {
      values: { DASH_UUID: dashboard },
    });
    expect(exitCode).toBe(0);
    expect(stdout).toBe('');
    const stored = (await app.request('GET', `/api/dashboards/${dashboard}`)).body.variables;
    expect(
      Object.fromEntries(stored.map((v: { name: string; default: unknown }) => [v.name, v.default])),
    ).toEqual(expect.objectContaining({ region: 'EMEA', business_unit: 'UK', date_of_data: '2022-06-24' }));
  });
});

const scriptCode = 'import serenytics\nprint(serenytics.Client().script_args)\n';

describe('script examples', () => {
  let script: string;
  const lastStdout = async () => {
    const logs = (await seren(app, 'GET', `/api/script/${script}/logs`)).body.objects;
    return logs.map((log: { stdout: string }) => log.stdout);
  };

  it('11 lists the scripts', async () => {
    script = (
      await seren(app, 'POST', '/api/script', { name: 'doc job', code: scriptCode, language: 'python' })
    ).body.uuid;
    const { lines } = await run('11-list-scripts.py');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`'uuid': '${script}'`);
    expect(lines[0]).toContain("'name': 'doc job'");
  });

  it('12 runs a script with params: launched, and the script reads them as client.script_args', async () => {
    const { lines } = await run('12-run-script-with-params.py', {
      values: { YOUR_SCRIPT_UUID: script },
      after: SHOW_RESULT,
    });
    expect(lines[0]).toBe('200');
    const result = JSON.parse(lines[1]);
    expect(result).toMatchObject({ status: 'ok', text: 'Script launched' });
    expect((await waitTask(app, result.task_id)).body.status).toBe('ok');
    expect(await lastStdout()).toContain("{'param1': 120, 'param2': {'quarter': 2}}\n");
  }, 30_000);

  it('13 runs a script without params: launched, with empty script_args', async () => {
    const { lines } = await run('13-run-script-without-params.py', {
      values: { YOUR_SCRIPT_UUID: script },
      after: SHOW_RESULT,
    });
    const result = JSON.parse(lines[1]);
    expect(result).toMatchObject({ status: 'ok', text: 'Script launched' });
    expect((await waitTask(app, result.task_id)).body.status).toBe('ok');
    expect(await lastStdout()).toContain('{}\n');
  }, 30_000);
});

describe('the backup example', () => {
  it('03 writes every script (config + code) and data source into folders named as in the studio, unfiled ones under home', async () => {
    // The example reads each object's folder name: scripts are filed, data sources are left in
    // their home folder, where the face shows what Rosetta leaves unfiled.
    const place = async (resource: string, kind: string, folderName: string) => {
      const folder = (await seren(app, 'POST', '/api/folder', { name: folderName, resource_type: kind }))
        .body;
      for (const { uuid } of (await seren(app, 'GET', `/api/${resource}`)).body.objects)
        expect(
          (await seren(app, 'PUT', `/api/${resource}/${uuid}`, { folder_uuid: folder.uuid })).status,
        ).toBe(200);
    };
    await place('script', 'script', 'ETL');
    const cwd = mkdtempSync(join(tmpdir(), 'rosetta-backup-'));
    try {
      const { exitCode, lines } = await runDocExample('03-backup-scripts-and-sources.py', {
        base,
        values: { xxxxxxx: ADMIN_KEY },
        cwd,
      });
      expect(exitCode).toBe(0);
      expect(lines).toEqual([
        'Backup scripts',
        'Create folder ./serenytics_backup/scripts/ETL',
        'done',
        'Backup data_sources',
        'Create folder ./serenytics_backup/data_sources/home',
        'done',
      ]);
      const backup = join(cwd, 'serenytics_backup');
      expect(readdirSync(join(backup, 'scripts/ETL')).sort()).toEqual(['doc job.json', 'doc job.py']);
      expect(readFileSync(join(backup, 'scripts/ETL/doc job.py'), 'utf8')).toBe(scriptCode);
      const config = readFileSync(join(backup, 'scripts/ETL/doc job.json'), 'utf8');
      expect(config).toContain("'name': 'doc job'");
      expect(config).not.toContain("'code'");
      const source = readFileSync(join(backup, 'data_sources/home/demo_sales.json'), 'utf8');
      expect(source).toContain(`'uuid': '${demo}'`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});
