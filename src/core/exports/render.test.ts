import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRenderPool, renderDashboardPdf, renderDashboardPng } from './render-pool.ts';
import { sampleDashboardSpec } from './samples.ts';
import type { DashboardRenderSpec } from './types.ts';

const hasPoppler = !spawnSync('pdftoppm', ['-v']).error;
if (!hasPoppler) console.warn('SKIPPING PDF checks: pdftoppm not found (apt-get install -y poppler-utils)');

const results = join(process.cwd(), 'test-results');
mkdirSync(results, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'rosetta-render-'));
afterAll(async () => {
  await closeRenderPool();
  rmSync(dir, { recursive: true, force: true });
});

/** Decodes an 8-bit RGB/RGBA PNG enough to count its colors. */
function decodePng(png: Buffer): { width: number; height: number; colors: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colorType] = [png[24], png[25]];
  expect(depth).toBe(8);
  const channels = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  let previous = Buffer.alloc(stride);
  const colors = new Set<number>();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0;
      const up = previous[i];
      const upLeft = i >= channels ? previous[i - channels] : 0;
      const p = left + up - upLeft;
      const paeth =
        Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft)
          ? left
          : Math.abs(p - up) <= Math.abs(p - upLeft)
            ? up
            : upLeft;
      const add = [0, left, up, (left + up) >> 1, paeth][filter];
      line[i] = (line[i] + add) & 0xff;
    }
    for (let x = 0; x < width; x += 2) colors.add(line.readUIntBE(x * channels, 3));
    previous = line;
  }
  return { width, height, colors: colors.size };
}

function pdfPages(file: string): number {
  return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())?.[1]);
}

function textWidgetSpec(text: string): DashboardRenderSpec {
  return {
    title: text,
    widgets: [{ id: 't', title: text, visualization: { type: 'text', options: { text } } }],
    layout: [{ widgetId: 't', x: 0, y: 0, w: 12, h: 3 }],
  };
}

describe('dashboard renderers (worker pool)', () => {
  it('renders the demo-like dashboard to a PDF that poppler opens, warm in under 1 s', async () => {
    const spec = sampleDashboardSpec();
    const timings: number[] = [];
    let output = await renderDashboardPdf(spec);
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      output = await renderDashboardPdf(spec);
      timings.push(performance.now() - started);
    }
    console.log(`PDF render (warm, through the pool): ${timings.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(Math.min(...timings)).toBeLessThan(1000);
    expect(output.data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(output.warnings).toEqual([]);
    expect(output.pages).toBeGreaterThanOrEqual(1);
    if (!hasPoppler) return;
    const file = join(results, 'dashboard.pdf');
    writeFileSync(file, output.data);
    expect(pdfPages(file)).toBe(output.pages);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '100',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      join(results, 'dashboard-page-1'),
    ]);
    const page = decodePng(readFileSync(join(results, 'dashboard-page-1.png')));
    expect(page.width).toBeGreaterThan(page.height);
    expect(page.colors).toBeGreaterThan(50);
    const text = execFileSync('pdftotext', [file, '-']).toString();
    expect(text).toContain('Revenue by country');
    expect(text).toContain('Subcategory 60');
  });

  it('renders the dashboard to a non-blank PNG', async () => {
    await renderDashboardPng(sampleDashboardSpec());
    const started = performance.now();
    const output = await renderDashboardPng(sampleDashboardSpec(), { pngWidth: 1600 });
    console.log(`PNG render (warm, through the pool): ${(performance.now() - started).toFixed(0)} ms`);
    writeFileSync(join(results, 'dashboard.png'), output.data);
    const image = decodePng(output.data);
    expect(image.width).toBe(1600);
    expect(image.height).toBeGreaterThan(800);
    expect(image.colors).toBeGreaterThan(50);
    expect(output.warnings).toEqual([]);
  });

  it('paginates a 1000-row table across PDF pages; the PNG counts the rest', async () => {
    const spec: DashboardRenderSpec = {
      title: 'Long table',
      widgets: [
        {
          id: 'rows',
          title: 'Orders',
          visualization: { type: 'table', options: {} },
          result: {
            columns: [
              { name: 'id', type: 'integer' },
              { name: 'name', type: 'string' },
            ],
            rows: Array.from({ length: 1000 }, (_, i) => [i + 1, `order ${i + 1}`]),
          },
        },
      ],
      layout: [{ widgetId: 'rows', x: 0, y: 0, w: 12, h: 6 }],
    };
    const pdf = await renderDashboardPdf(spec);
    expect(pdf.pages).toBeGreaterThan(20);
    if (hasPoppler) {
      const file = join(dir, 'long.pdf');
      writeFileSync(file, pdf.data);
      const text = execFileSync('pdftotext', [file, '-']).toString();
      expect(text).toContain('order 1000');
      expect(text).toContain('(continued)');
    }
    const png = await renderDashboardPng(spec);
    expect(decodePng(png.data).colors).toBeGreaterThan(10);
  });

  it('draws Greek, Cyrillic, Devanagari and Chinese without warnings; reports emoji and Hangul', async () => {
    const scripts = textWidgetSpec('Ελληνικά Русский हिन्दी 中文 かな');
    const pdf = await renderDashboardPdf(scripts);
    expect(pdf.warnings).toEqual([]);
    const png = await renderDashboardPng(scripts);
    expect(png.warnings).toEqual([]);
    writeFileSync(join(results, 'scripts.png'), png.data);
    if (hasPoppler) {
      const file = join(dir, 'scripts.pdf');
      writeFileSync(file, pdf.data);
      const text = execFileSync('pdftotext', [file, '-']).toString();
      expect(text).toContain('Ελληνικά');
      expect(text).toContain('Русский');
      expect(text).toContain('中文');
    }
    const unsupported = await renderDashboardPdf(textWidgetSpec('Sales 😀 한국어'));
    expect(unsupported.warnings).toHaveLength(1);
    expect(unsupported.warnings[0]).toContain('U+1F600');
    expect(unsupported.warnings[0]).toContain('U+D55C');
  });

  it('reports missing glyphs inside chart labels too', async () => {
    const spec: DashboardRenderSpec = {
      title: 'Chart',
      widgets: [
        {
          id: 'c',
          title: 'Pie',
          visualization: { type: 'pie', options: {} },
          result: {
            columns: [
              { name: 'name', type: 'string' },
              { name: 'n', type: 'number' },
            ],
            rows: [
              ['Москва', 3],
              ['北京', 2],
              ['🚀', 1],
            ],
          },
        },
      ],
      layout: [{ widgetId: 'c', x: 0, y: 0, w: 6, h: 6 }],
    };
    const output = await renderDashboardPdf(spec);
    expect(output.warnings.join()).toContain('U+1F680');
    expect(output.warnings.join()).not.toContain('Москва');
  });

  it('labels table and KPI columns for people and formats their numbers, identifiers without separators', async () => {
    const orders = {
      columns: [
        { name: 'order_id', type: 'integer' as const },
        { name: 'date_month', type: 'datetime' as const },
        { name: 'sum_quantity', type: 'integer' as const },
        { name: 'sum_price', type: 'number' as const, nativeType: 'DOUBLE' },
      ],
      rows: [
        [1234567, '2025-01-01T00:00:00.000Z', 12345, 31443.39000000001],
        [1234568, '2025-02-01T00:00:00.000Z', 7, 11065.069999999998],
      ],
    };
    const spec: DashboardRenderSpec = {
      title: 'Numbers',
      widgets: [
        { id: 't', title: 'Orders', visualization: { type: 'table', options: {} }, result: orders },
        {
          id: 'k',
          title: 'Revenue',
          visualization: { type: 'kpi', options: { field: 'sum_price' } },
          result: { columns: [orders.columns[3]], rows: [[31443.39000000001]] },
        },
      ],
      layout: [
        { widgetId: 't', x: 0, y: 0, w: 8, h: 3 },
        { widgetId: 'k', x: 8, y: 0, w: 4, h: 3 },
      ],
    };
    const png = await renderDashboardPng(spec, { pngWidth: 1200 });
    writeFileSync(join(results, 'numbers.png'), png.data);
    if (!hasPoppler) return;
    const file = join(results, 'numbers.pdf');
    writeFileSync(file, (await renderDashboardPdf(spec)).data);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    for (const shown of ['Order id', 'Date (month)', 'Sum of quantity', 'Sum of price', '2025-01-01'])
      expect(text).toContain(shown);
    expect(text).toMatch(/1234567 +2025-01-01 +12,345 +31,443\.39/);
    expect(text).toMatch(/1234568 +2025-02-01 +7 +11,065\.07/);
    expect(text).toContain('31,443.39\n');
    expect(text).not.toMatch(/sum_price|1,234,567|31443\.39000|11,065\.069/);
  });
});
