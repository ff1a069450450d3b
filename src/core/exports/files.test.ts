import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore, fileNameOf } from './files.ts';

describe('export files and signed links', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-files-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const hour = 3_600_000;
  const files = createFileStore({
    filesDir: dataDir,
    secret: 'a server secret of some length',
    retentionMs: 24 * hour,
  });
  const now = new Date('2026-01-10T12:00:00Z');

  async function stored(content = 'a,b\r\n1,2\r\n') {
    const key = randomUUID();
    writeFileSync(join(await files.prepare(key), 'Sales 2026-01-10.csv'), content);
    return key;
  }

  it('opens the file a valid token names, until it expires', async () => {
    const key = await stored();
    const { token, expiresAt } = files.sign(key, now);
    expect(expiresAt).toBe('2026-01-11T12:00:00.000Z');
    const file = await files.openSigned(token, new Date(now.getTime() + 23 * hour));
    expect(file).toMatchObject({
      filename: 'Sales 2026-01-10.csv',
      contentType: 'text/csv; charset=utf-8',
      size: 10,
    });
    await expect(files.openSigned(token, new Date(now.getTime() + 25 * hour))).rejects.toThrow(/expired/);
  });

  it('refuses tokens signed with another secret or altered', async () => {
    const key = await stored();
    const other = createFileStore({
      filesDir: dataDir,
      secret: 'another secret of some length',
      retentionMs: 24 * hour,
    });
    const [k, expires, signature] = files.sign(key, now).token.split('.');
    for (const bad of [
      other.sign(key, now).token,
      `${k}.${Number(expires) + 1}.${signature}`,
      `${randomUUID()}.${expires}.${signature}`,
      `../../etc.${expires}.${signature}`,
      '',
    ]) {
      await expect(files.openSigned(bad, now), bad).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    }
  });

  it('deletes exports older than the retention and keeps the rest', async () => {
    const old = await stored();
    const fresh = await stored();
    const past = new Date(Date.now() - 25 * hour);
    utimesSync(join(dataDir, 'exports', old), past, past);
    expect(await files.cleanup(new Date())).toBe(1);
    expect(existsSync(join(dataDir, 'exports', old))).toBe(false);
    expect((await files.open(fresh)).filename).toBe('Sales 2026-01-10.csv');
    await expect(files.open(old)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('makes download names without path characters', () => {
    expect(fileNameOf('../Sales / Q1: "best"', 'pdf', now)).toBe('Sales _ Q1_ _best_ 2026-01-10.pdf');
    expect(fileNameOf('Ventes à Paris', 'xlsx', now)).toBe('Ventes à Paris 2026-01-10.xlsx');
    expect(fileNameOf('///', 'csv', now)).toBe('export 2026-01-10.csv');
  });
});
