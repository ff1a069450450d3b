import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../../core/auth/bootstrap.ts';
import { createAuthService } from '../../core/auth/service.ts';
import { conflict, forbidden, validationError } from '../../core/errors.ts';
import { openSqliteStore, type Store } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { type App, createServer } from '../server.ts';
import { headerOf } from './credentials.ts';
import { errorMapper, renameFields } from './errors.ts';
import { defineFace } from './face.ts';
import { uploadOf } from './uploads.ts';

const KEY = 'face-kit-test-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A vendor whose envelope names each error, answers 400 for conflicts and 422 for a taken name. */
const testFace = defineFace({
  name: 'test',
  prefix: '/vendor',
  credentials: (request) => {
    const key = headerOf(request, 'x-vendor-key');
    return key === undefined ? undefined : { kind: 'secret', value: key };
  },
  missingCredential: 'missing X-Vendor-Key header',
  errors: errorMapper(
    {
      ERR_CONFLICT: { status: 400, name: 'Conflict' },
      'data.name_taken': { status: 422, name: 'NameTaken' },
      ERR_FORBIDDEN: { status: 403, name: 'Forbidden' },
    },
    (error, mapping) => ({
      status: 'error',
      error: {
        statusCode: mapping.status,
        name: mapping.name ?? error.code,
        message: error.message,
        field: error.field,
      },
    }),
  ),
  permissions: {
    'GET /vendor/*': 'public',
    'POST /vendor/echo': 'dashboard.view',
    'POST /vendor/typed': 'dashboard.view',
    'GET /vendor/conflict': 'dashboard.view',
    'GET /vendor/name-taken': 'dashboard.view',
    'GET /vendor/forbidden': 'dashboard.view',
    'GET /vendor/crash': 'dashboard.view',
    'POST /vendor/renamed': 'dashboard.view',
    'POST /vendor/upload': 'dashboard.view',
  },
  parsers: { emptyJson: true, gzip: true, formUrlEncoded: true },
});

function registerTestRoutes(api: App): void {
  api.post('/echo', async (request) => ({ body: request.body ?? null }));
  api.post(
    '/typed',
    { schema: { body: Type.Object({ widgets: Type.Array(Type.Object({ title: Type.String() })) }) } },
    async () => ({ ok: true }),
  );
  api.get('/conflict', async () => {
    throw conflict('already a member');
  });
  api.get('/name-taken', async () => {
    throw conflict('a source named "x" already exists', 'name', 'data.name_taken');
  });
  api.get('/forbidden', async () => {
    throw forbidden('change this folder');
  });
  api.get('/crash', async () => {
    throw new Error('secret detail of a broken invariant');
  });
  api.get('/undeclared', async () => ({ reached: true }));
  api.post('/renamed', async () => {
    throw renameFields(validationError('folderId', 'no such folder'), (path) =>
      path === 'folderId' ? 'folder_uuid' : path,
    );
  });
}

describe('a face defined with the kit', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-face-kit-'));
  let store: Store;
  let app: App;

  beforeAll(async () => {
    store = openSqliteStore(join(dataDir, 'metadata.sqlite'));
    await migrateToLatest(store);
    await bootstrapDirectory(store, { adminEmail: 'root@example.com', bootstrapApiKey: KEY });
    app = createServer({ logLevel: 'silent' });
    await testFace.register(app, {
      auth: { auth: createAuthService({ store }) },
      routes: registerTestRoutes,
      uploads: {
        receive: { filesDir: dataDir, maxBytes: 1024 },
        routes(api) {
          api.post('/upload', async (request) => ({ bytes: uploadOf(request.body).bytes }));
        },
      },
    });
    // Like the web app's: takes every GET no face claims.
    app.get('/*', async () => 'web app');
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (
    method: 'GET' | 'POST',
    url: string,
    options: { payload?: string | Buffer; headers?: Record<string, string>; key?: string | null } = {},
  ) =>
    app.inject({
      method,
      url,
      payload: options.payload,
      headers: { ...(options.key !== null && { 'x-vendor-key': options.key ?? KEY }), ...options.headers },
    });
  const json = { 'content-type': 'application/json' };

  it('refuses a request without credentials with a 401 in its envelope', async () => {
    const response = await send('POST', '/vendor/echo', { key: null, payload: '{}', headers: json });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      status: 'error',
      error: { statusCode: 401, name: 'ERR_UNAUTHENTICATED', message: 'missing X-Vendor-Key header' },
    });
    expect((await send('GET', '/vendor/conflict', { key: 'not-a-key' })).statusCode).toBe(401);
  });

  it('maps codes through its table, a reason before its code', async () => {
    const conflictAnswer = await send('GET', '/vendor/conflict');
    expect(conflictAnswer.statusCode).toBe(400);
    expect(conflictAnswer.json().error).toMatchObject({ name: 'Conflict', message: 'already a member' });
    const taken = await send('GET', '/vendor/name-taken');
    expect(taken.statusCode).toBe(422);
    expect(taken.json().error).toMatchObject({ statusCode: 422, name: 'NameTaken', field: 'name' });
  });

  it('answers 403 in its envelope, from a service or for a route without a permission row', async () => {
    const refused = await send('GET', '/vendor/forbidden');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      name: 'Forbidden',
      message: 'not allowed to change this folder',
    });
    const undeclared = await send('GET', '/vendor/undeclared');
    expect(undeclared.statusCode).toBe(403);
    expect(undeclared.json().error.message).toBe('no permission is declared for GET /vendor/undeclared');
  });

  it('answers unknown routes with a 404 in its envelope, GETs included, with or without credentials', async () => {
    for (const [method, key] of [
      ['GET', KEY],
      ['POST', KEY],
      ['GET', null],
      ['POST', null],
    ] as const) {
      const response = await send(method, '/vendor/nowhere', { key });
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({
        name: 'ERR_NOT_FOUND',
        message: `no route ${method} /vendor/nowhere`,
      });
    }
    expect((await send('GET', '/elsewhere')).body).toBe('web app');
  });

  it('hides the cause of a 500', async () => {
    const response = await send('GET', '/vendor/crash');
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toEqual({
      statusCode: 500,
      name: 'ERR_INTERNAL',
      message: 'internal error',
    });
    expect(response.body).not.toContain('secret detail');
  });

  it('names the offending field of a schema error, and of a renamed core error as the vendor calls it', async () => {
    const invalid = await send('POST', '/vendor/typed', {
      payload: '{"widgets":[{"title":3}]}',
      headers: json,
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ name: 'ERR_VALIDATION', field: 'widgets[0].title' });
    const renamed = await send('POST', '/vendor/renamed');
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().error).toMatchObject({
      field: 'folder_uuid',
      message: 'folder_uuid: no such folder',
    });
  });

  it('takes an empty or blank JSON body as no body, and refuses malformed JSON with a 400', async () => {
    for (const payload of ['', '  \n']) {
      const response = await send('POST', '/vendor/echo', { payload, headers: json });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ body: null });
    }
    const malformed = await send('POST', '/vendor/echo', { payload: '{"a":', headers: json });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().status).toBe('error');
  });

  it('decompresses gzip request bodies and refuses broken or unknown encodings in its envelope', async () => {
    const body = { name: 'gzipped', values: [1, 2, 3] };
    const zipped = await send('POST', '/vendor/echo', {
      payload: gzipSync(JSON.stringify(body)),
      headers: { ...json, 'content-encoding': 'gzip' },
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.json()).toEqual({ body });
    const broken = await send('POST', '/vendor/echo', {
      payload: Buffer.from('not gzip at all'),
      headers: { ...json, 'content-encoding': 'gzip' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/^Content-Encoding: the body is not valid gzip/);
    const unknown = await send('POST', '/vendor/echo', {
      payload: '{}',
      headers: { ...json, 'content-encoding': 'br' },
    });
    expect(unknown.statusCode).toBe(415);
    expect(unknown.json().error.message).toBe('Content-Encoding: br is not supported, send gzip or identity');
  });

  it('parses form-urlencoded bodies, a repeated key to a list', async () => {
    const response = await send('POST', '/vendor/echo', {
      payload: 'data=%7B%22a%22%3A1%7D&tag=x&tag=y&__proto__=z',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ body: { data: '{"a":1}', tag: ['x', 'y'], ['__proto__']: 'z' } });
    expect(({} as Record<string, unknown>).z).toBeUndefined();
  });

  it('hands upload routes the bytes sent whatever content type the client names', async () => {
    const response = await send('POST', '/vendor/upload', { payload: 'a,b\n1,2\n', headers: json });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ bytes: 8 });
  });
});
