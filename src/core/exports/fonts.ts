/**
 * The one font module of the exports: it loads the fixed font set shipped by npm packages, picks
 * a font per run of text (neither pdfkit nor svg-to-pdfkit falls back between fonts), measures
 * text for ECharts, layout and both renderers, and records glyphs that no font has so the
 * render result can report them instead of silently drawing boxes.
 *
 * Font set: Noto Sans (Latin, Greek, Cyrillic; regular, bold, italic), Noto Sans Devanagari,
 * Noto Sans S Chinese (Simplified Chinese plus Japanese kana). Not covered: Hangul, Arabic,
 * Hebrew, Thai and other scripts, emoji.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

export type FontFace = 'regular' | 'bold' | 'italic';
export type FontKey =
  | 'NotoSans'
  | 'NotoSans-Bold'
  | 'NotoSans-Italic'
  | 'NotoSansDevanagari'
  | 'NotoSansHans';

interface FontSource {
  /** The family name inside the file: resvg matches `font-family` against it. */
  family: string;
  pkg: string;
  file: string;
  weight: 'normal' | 'bold';
  italic: boolean;
}

const SOURCES: Record<FontKey, FontSource> = {
  NotoSans: {
    family: 'Noto Sans',
    pkg: '@embedpdf/fonts-latin',
    file: 'fonts/NotoSans-Regular.ttf',
    weight: 'normal',
    italic: false,
  },
  'NotoSans-Bold': {
    family: 'Noto Sans',
    pkg: '@embedpdf/fonts-latin',
    file: 'fonts/NotoSans-Bold.ttf',
    weight: 'bold',
    italic: false,
  },
  'NotoSans-Italic': {
    family: 'Noto Sans',
    pkg: '@embedpdf/fonts-latin',
    file: 'fonts/NotoSans-Italic.ttf',
    weight: 'normal',
    italic: true,
  },
  NotoSansDevanagari: {
    family: 'Noto Sans Devanagari',
    pkg: '@expo-google-fonts/noto-sans-devanagari',
    file: '400Regular/NotoSansDevanagari_400Regular.ttf',
    weight: 'normal',
    italic: false,
  },
  NotoSansHans: {
    family: 'Noto Sans S Chinese',
    pkg: '@embedpdf/fonts-sc',
    file: 'fonts/NotoSansHans-Regular.otf',
    weight: 'normal',
    italic: false,
  },
};

/** Fallback order per face: the script fonts have one weight, used for every face. */
const CHAINS: Record<FontFace, FontKey[]> = {
  regular: ['NotoSans', 'NotoSansDevanagari', 'NotoSansHans'],
  bold: ['NotoSans-Bold', 'NotoSansDevanagari', 'NotoSansHans'],
  italic: ['NotoSans-Italic', 'NotoSansDevanagari', 'NotoSansHans'],
};

/** The CSS font-family the chart renderer and composed SVG pages use for the main font. */
export const MAIN_FAMILY = 'Noto Sans';

const require = createRequire(import.meta.url);

interface LoadedFont {
  data: Buffer;
  font: fontkit.Font;
  /** Advance widths in em units, by code point; measuring runs per character on hot paths. */
  advances: Map<number, number>;
}
const loaded = new Map<FontKey, LoadedFont>();

/** The packages export only their JS entry, so the font file is found beside its package root. */
function packageRoot(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!dir.endsWith(pkg.split('/').pop() as string)) dir = dirname(dir);
  return dir;
}

function load(key: FontKey): LoadedFont {
  let entry = loaded.get(key);
  if (!entry) {
    const source = SOURCES[key];
    const data = readFileSync(join(packageRoot(source.pkg), source.file));
    entry = { data, font: fontkit.create(data) as fontkit.Font, advances: new Map() };
    loaded.set(key, entry);
  }
  return entry;
}

export function fontData(key: FontKey): Buffer {
  return load(key).data;
}

export function fontFamily(key: FontKey): string {
  return SOURCES[key].family;
}

export const ALL_FONTS = Object.keys(SOURCES) as FontKey[];

/** Code points that need no glyph of their own: controls, joiners, variation selectors. */
function isInvisible(cp: number): boolean {
  return cp < 0x20 || cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/** Collects the code points no font could draw, for the render result's `warnings`. */
export class MissingGlyphs {
  private readonly points = new Set<number>();
  add(cp: number): void {
    this.points.add(cp);
  }
  warnings(): string[] {
    if (this.points.size === 0) return [];
    const list = [...this.points]
      .slice(0, 20)
      .map((cp) => `${String.fromCodePoint(cp)} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`);
    const more = this.points.size > 20 ? ` and ${this.points.size - 20} more` : '';
    return [`characters missing from every export font, drawn as empty boxes: ${list.join(', ')}${more}`];
  }
}

export interface TextRun {
  text: string;
  font: FontKey;
  /** Width in the units of `size`. */
  width: number;
}

/** Devanagari blocks: Noto Sans has part of them too, but shaping needs one font per word. */
function isDevanagari(cp: number): boolean {
  return (cp >= 0x0900 && cp <= 0x097f) || (cp >= 0xa8e0 && cp <= 0xa8ff) || (cp >= 0x1cd0 && cp <= 0x1cff);
}

function fontFor(cp: number, chain: FontKey[], missing?: MissingGlyphs): FontKey {
  if (isDevanagari(cp) && load('NotoSansDevanagari').font.hasGlyphForCodePoint(cp))
    return 'NotoSansDevanagari';
  for (const key of chain) {
    if (load(key).font.hasGlyphForCodePoint(cp)) return key;
  }
  missing?.add(cp);
  return chain[0];
}

function advance(key: FontKey, cp: number): number {
  const entry = load(key);
  let width = entry.advances.get(cp);
  if (width === undefined) {
    width = entry.font.glyphForCodePoint(cp).advanceWidth / entry.font.unitsPerEm;
    entry.advances.set(cp, width);
  }
  return width;
}

const MARK = /^\p{M}$/u;

/** Splits text into runs of one font each, in the face's fallback order, with their widths. */
export function textRuns(
  text: string,
  size: number,
  face: FontFace = 'regular',
  missing?: MissingGlyphs,
): TextRun[] {
  const chain = CHAINS[face];
  const runs: TextRun[] = [];
  let current: TextRun | undefined;
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    // Invisible characters and combining marks stay with the run before them when its font
    // can draw them, so a shaped cluster is never split between fonts.
    const keep =
      current && (isInvisible(cp) || (MARK.test(char) && load(current.font).font.hasGlyphForCodePoint(cp)));
    const key = current && keep ? current.font : fontFor(cp, chain, missing);
    const width = isInvisible(cp) ? 0 : advance(key, cp) * size;
    if (current && current.font === key) {
      current.text += char;
      current.width += width;
    } else {
      current = { text: char, font: key, width };
      runs.push(current);
    }
  }
  return runs;
}

export function measureText(text: string, size: number, face: FontFace = 'regular'): number {
  let width = 0;
  for (const run of textRuns(text, size, face)) width += run.width;
  return width;
}

/** Cuts text to fit `maxWidth`, ending it with an ellipsis when something was cut. */
export function fitText(text: string, maxWidth: number, size: number, face: FontFace = 'regular'): string {
  if (measureText(text, size, face) <= maxWidth) return text;
  const chars = [...text];
  const ellipsis = measureText('…', size, face);
  let width = 0;
  let end = 0;
  for (; end < chars.length; end++) {
    const next = measureText(chars[end], size, face);
    if (width + next + ellipsis > maxWidth) break;
    width += next;
  }
  return end === 0 ? '' : `${chars.slice(0, end).join('')}…`;
}

/** Ascent of the main font as a fraction of the font size, to place baselines. */
export function ascentRatio(): number {
  const { font } = load('NotoSans');
  return font.ascent / font.unitsPerEm;
}

/** Measures text for ECharts from a CSS font shorthand such as `bold 12px "Noto Sans"`. */
export function measureCssFont(text: string, cssFont: string | undefined): { width: number } {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(cssFont ?? '')?.[1] ?? 12);
  const face: FontFace = /\b(bold|[6-9]00)\b/.test(cssFont ?? '') ? 'bold' : 'regular';
  return { width: measureText(text, size, face) };
}

/** The registered font a family/face in a chart SVG maps to, for svg-to-pdfkit's font callback. */
export function fontForFamily(family: string | undefined, bold: boolean, italic: boolean): FontKey {
  const name = family ?? '';
  if (name.includes('Devanagari')) return 'NotoSansDevanagari';
  if (name.includes('Chinese')) return 'NotoSansHans';
  if (bold) return 'NotoSans-Bold';
  return italic ? 'NotoSans-Italic' : 'NotoSans';
}
