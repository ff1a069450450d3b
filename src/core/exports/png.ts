/**
 * PNG back end: one SVG of the whole dashboard composed from the page's shapes (charts nested as
 * SVG documents), rasterized by resvg's WebAssembly build; the native build aborts the process
 * on some nested SVGs and grows without bound over repeated renders.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { composeDashboard } from './compose.ts';
import { type FontKey, fontData, fontFamily, MAIN_FAMILY } from './fonts.ts';
import { escapeXml } from './rich-text.ts';
import type { Page } from './scene.ts';
import type { DashboardRenderSpec, RenderOptions, RenderOutput } from './types.ts';

let wasmReady: Promise<void> | undefined;

/** Once per thread: the module is compiled from the package's own .wasm file. */
function ensureWasm(): Promise<void> {
  wasmReady ??= initWasm(
    readFileSync(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm')),
  );
  return wasmReady;
}

const n = (value: number) => Number(value.toFixed(2));

/** The chart's root element gets the box's position and size; its viewBox scales the content. */
function placeSvg(svg: string, x: number, y: number, w: number, h: number): string {
  const body = svg.replace(/^<\?xml[^>]*>\s*/, '');
  return body.replace(/^<svg\b([^>]*)>/, (_, attributes: string) => {
    const rest = attributes.replace(/\s(width|height|x|y)="[^"]*"/g, '');
    return `<svg x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"${rest}>`;
  });
}

export function pageSvg(page: Page, fonts: Set<FontKey>): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(page.width)}" height="${n(page.height)}" viewBox="0 0 ${n(page.width)} ${n(page.height)}">`,
  ];
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  for (const shape of page.shapes) {
    if (shape.kind === 'rect') {
      const paint = `fill="${shape.fill ?? 'none'}"${shape.stroke ? ` stroke="${shape.stroke}" stroke-width="0.75"` : ''}`;
      parts.push(
        `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" rx="${shape.radius ?? 0}" ${paint}/>`,
      );
    } else if (shape.kind === 'line') {
      parts.push(
        `<line x1="${n(shape.x1)}" y1="${n(shape.y1)}" x2="${n(shape.x2)}" y2="${n(shape.y2)}" stroke="${shape.stroke}" stroke-width="${shape.width}"/>`,
      );
    } else if (shape.kind === 'text') {
      let x = shape.x;
      for (const run of shape.runs) {
        fonts.add(run.font);
        const weight =
          run.font === 'NotoSans-Bold'
            ? ' font-weight="bold"'
            : run.font === 'NotoSans-Italic'
              ? ' font-style="italic"'
              : '';
        parts.push(
          `<text x="${n(x)}" y="${n(shape.y)}" font-family="${fontFamily(run.font)}" font-size="${shape.size}"${weight} fill="${escapeXml(shape.color)}" xml:space="preserve">${escapeXml(run.text)}</text>`,
        );
        x += run.width;
      }
    } else {
      if (shape.svg.includes('Devanagari')) fonts.add('NotoSansDevanagari');
      if (shape.svg.includes('Chinese')) fonts.add('NotoSansHans');
      parts.push(placeSvg(shape.svg, shape.x, shape.y, shape.w, shape.h));
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export async function renderPng(
  spec: DashboardRenderSpec,
  options: RenderOptions = {},
): Promise<RenderOutput> {
  await ensureWasm();
  const { pages, warnings } = composeDashboard(spec, options, 'png');
  const fonts = new Set<FontKey>(['NotoSans', 'NotoSans-Bold']);
  const svg = pageSvg(pages[0], fonts);
  // Only the fonts the page uses are handed over: resvg parses every buffer on each render.
  const resvg = new Resvg(svg, {
    font: {
      fontBuffers: [...fonts].map((key) => new Uint8Array(fontData(key))),
      defaultFontFamily: MAIN_FAMILY,
    },
    fitTo: { mode: 'width', value: options.pngWidth ?? 1600 },
    background: '#ffffff',
  });
  try {
    const image = resvg.render();
    try {
      return { data: Buffer.from(image.asPng()), warnings, pages: 1 };
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
