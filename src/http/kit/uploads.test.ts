import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createServer } from '../server.ts';
import { rawBodyScope, uploadOf } from './uploads.ts';

const MAX_BYTES = 64 * 1024;
/** The cap of a route that keeps smaller files than its scope. */
const SMALL_BYTES = 1024;

/** Two upload scopes as a face mounts them: files kept as sent, and gzip inflated on arrival. */
describe('upload receiver', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-uploads-'));
  const uploadsDir = join(dataDir, 'uploads');
  let app: App;

  beforeAll(async () => {
    app = createServer({ logLevel: 'silent' });
    for (const [prefix, gunzip] of [
      ['/as-sent', false],
      ['/inflated', true],
    ] as const) {
      await app.register(
        async (scope) => {
          rawBodyScope(scope as unknown as App, { filesDir: dataDir, maxBytes: MAX_BYTES, gunzip });
          const answer = async (request: { body: unknown }) => {
            const upload = uploadOf(request.body);
            return { ...upload, content: readFileSync(upload.file).toString('base64') };
          };
          scope.post('/file', answer);
          scope.post('/small', { config: { uploadMaxBytes: SMALL_BYTES } }, answer);
          scope.post('/above', { config: { uploadMaxBytes: MAX_BYTES * 4 } }, answer);
        },
        { prefix },
      );
    }
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Files left once the last request's clean-up (after its reply) ran. */
  const leftOver = async () => {
    const left = () => readdirSync(uploadsDir);
    for (let i = 0; i < 40 && left().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    return left();
  };
  const post = (url: string, payload: Buffer | string | undefined, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: payload === undefined ? {} : { 'content-type': contentType },
    });

  it('streams the body to a file under <filesDir>/uploads, removed once the reply is sent', async () => {
    // The content type is the client's word, not a parser's choice: JSON-declared CSV stays bytes.
    const answer = await post('/as-sent/file', 'a,b\n1,2\n');
    expect(answer.statusCode, answer.body).toBe(200);
    const upload = answer.json();
    expect(upload).toMatchObject({ bytes: 8, gzipped: false });
    expect(upload.file.startsWith(join(uploadsDir, 'upload-'))).toBe(true);
    expect(Buffer.from(upload.content, 'base64').toString()).toBe('a,b\n1,2\n');
    expect(await leftOver()).toEqual([]);
  });

  it('tells gzip by its magic bytes, keeping it as sent (.gz) or inflating it', async () => {
    const csv = 'n\n'.concat('1\n'.repeat(1000));
    const gzip = gzipSync(csv);
    const kept = (await post('/as-sent/file', gzip, 'text/plain')).json();
    expect(kept).toMatchObject({ bytes: gzip.length, gzipped: true });
    expect(kept.file.endsWith('.gz')).toBe(true);
    expect(Buffer.from(kept.content, 'base64').equals(gzip)).toBe(true);

    const inflated = (await post('/inflated/file', gzip, 'application/octet-stream')).json();
    expect(inflated).toMatchObject({ bytes: csv.length, gzipped: true });
    expect(inflated.file.endsWith('.gz')).toBe(false);
    expect(Buffer.from(inflated.content, 'base64').toString()).toBe(csv);
    expect(await leftOver()).toEqual([]);
  });

  it('refuses a body past the cap with a 413 naming the limit, leaving no file', async () => {
    const answer = await post('/as-sent/file', Buffer.alloc(MAX_BYTES + 1, 'x'));
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error).toMatchObject({ code: 'ERR_LIMIT', field: 'file' });
    expect(answer.json().error.message).toMatch(/^file: larger than the upload limit of 0\.06 MB/);
    // Exactly the cap is accepted.
    expect((await post('/as-sent/file', Buffer.alloc(MAX_BYTES, 'x'))).statusCode).toBe(200);
    expect(await leftOver()).toEqual([]);
  });

  it("cuts a body off at its route's own cap, which never lifts the scope's", async () => {
    const refused = await post('/as-sent/small', Buffer.alloc(SMALL_BYTES + 1, 'x'));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'ERR_LIMIT', field: 'file' });
    expect((await post('/as-sent/small', Buffer.alloc(SMALL_BYTES, 'x'))).statusCode).toBe(200);
    expect((await post('/as-sent/above', Buffer.alloc(MAX_BYTES + 1, 'x'))).statusCode).toBe(413);
    expect(await leftOver()).toEqual([]);
  });

  it('counts inflated bytes against the cap when it inflates, and refuses corrupt gzip', async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_BYTES * 16, 'x'));
    expect(bomb.length).toBeLessThan(MAX_BYTES);
    const refused = await post('/inflated/file', bomb);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error.field).toBe('file');
    const truncated = gzipSync('a,b\n1,2\n').subarray(0, 12);
    const corrupt = await post('/inflated/file', truncated);
    expect(corrupt.statusCode).toBe(400);
    expect(corrupt.json().error).toMatchObject({ code: 'ERR_VALIDATION', field: 'file' });
    expect(await leftOver()).toEqual([]);
  });

  it('answers a request without a body with a 400 on file', async () => {
    const answer = await post('/as-sent/file', undefined);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({ code: 'ERR_VALIDATION', field: 'file' });
  });

  it('cuts a large body off at the cap over a real socket, without reading the rest', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const total = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    const status = await new Promise<number | string>((resolve) => {
      const request = httpRequest(
        `${address}/as-sent/file`,
        { method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': String(total) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error) => resolve(error.message));
      // Written as the socket takes it: what the server stops reading, the client stops sending.
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        request.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(written).toBeLessThan(total / 8);
    expect(await leftOver()).toEqual([]);
  });
});
