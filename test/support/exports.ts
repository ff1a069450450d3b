import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { ADMIN_KEY, type TestApp } from './app.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
type Json = any;

/** Polls GET /api/jobs/:id until the job has ended. */
export async function waitForJob(
  app: TestApp,
  id: number,
  token = ADMIN_KEY,
  timeoutMs = 60_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await app.request('GET', `/api/jobs/${id}`, undefined, { token });
    if (['success', 'failure', 'cancelled'].includes(body.job?.status)) return body.job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.job?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A binary GET through the real HTTP stack. */
export async function getFile(app: TestApp, url: string, token: string | null = ADMIN_KEY) {
  const response = await app.rosetta.server.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    data: response.rawPayload,
    text: response.body,
  };
}

/** POST /api/exports, wait, download: the file of a successful export. */
export async function exportFile(app: TestApp, body: unknown, token = ADMIN_KEY) {
  const queued = await app.request('POST', '/api/exports', body, { token });
  expect(queued.status, JSON.stringify(queued.body)).toBe(202);
  const job = await waitForJob(app, queued.body.job.id, token);
  expect(job.status, job.error).toBe('success');
  const file = await getFile(app, `/api/jobs/${job.id}/download`, token);
  expect(file.status).toBe(200);
  return { job, ...file };
}

export async function demoSource(app: TestApp): Promise<string> {
  const { body } = await app.request('GET', '/api/data-sources');
  return body.items.find((item: { name: string }) => item.name === 'demo_sales').uuid;
}

export async function demoDashboard(app: TestApp): Promise<Json> {
  const list = await app.request('GET', '/api/dashboards');
  return (await app.request('GET', `/api/dashboards/${list.body.items[0].id}`)).body;
}

/** The text of a PDF, as Debian's pdftotext reads it. */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-pdftext-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    return execFileSync('pdftotext', [join(dir, 'in.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Converts a PDF with Debian's pdftoppm; returns the first page as PNG bytes (and keeps it if asked). */
export function pdfFirstPage(pdf: Buffer, keepAs?: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-pdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      join(dir, 'in.pdf'),
      join(dir, 'page'),
    ]);
    const png = readFileSync(join(dir, 'page-1.png'));
    if (keepAs) {
      mkdirSync(join(import.meta.dirname, '../../test-results'), { recursive: true });
      writeFileSync(join(import.meta.dirname, '../../test-results', keepAs), png);
    }
    return png;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Decodes a PNG far enough to prove it whole: signature, chunk CRC-free walk, IDAT inflated to
 * exactly height × (1 + width × bytes per pixel) bytes.
 */
export function decodePng(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8); // bit depth
      channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[data[9] as 0 | 2 | 4 | 6];
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * channels));
  return { width, height };
}
