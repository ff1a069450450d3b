/**
 * The small HTML subset a dashboard's custom header and text widgets are drawn with on the
 * server: h1–h3, p, b/strong, i/em, br and span with a `color` style. Other tags are dropped and
 * their text kept; script and style bodies are dropped whole. Arbitrary HTML needs the Chromium
 * fallback (ARCHITECTURE §4).
 */
import { type FontFace, measureText } from './fonts.ts';

export interface RichSpan {
  text: string;
  bold: boolean;
  italic: boolean;
  color?: string;
}

export type BlockTag = 'h1' | 'h2' | 'h3' | 'p';

export interface RichBlock {
  tag: BlockTag;
  spans: RichSpan[];
}

export const BLOCK_SIZE: Record<BlockTag, number> = { h1: 18, h2: 15, h3: 12.5, p: 10 };

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const cp =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Only plain color values pass, so nothing from the header reaches SVG or PDF as markup. */
function safeColor(style: string): string | undefined {
  const value = /(?:^|;)\s*color\s*:\s*([^;]+)/i.exec(style)?.[1]?.trim();
  return value && /^(#[0-9a-f]{3,8}|[a-z]+|rgba?\([\d\s.,%]+\))$/i.test(value) ? value : undefined;
}

export function parseRichText(html: string): RichBlock[] {
  const blocks: RichBlock[] = [];
  let block: RichBlock | null = null;
  const stack: { tag: string; bold: boolean; italic: boolean; color?: string }[] = [
    { tag: '', bold: false, italic: false },
  ];
  const top = () => stack[stack.length - 1];
  const open = (tag: BlockTag): RichBlock => {
    const opened: RichBlock = { tag, spans: [] };
    blocks.push(opened);
    block = opened;
    return opened;
  };
  const current = (): RichBlock => block ?? open('p');
  const source = html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const match of source.matchAll(/<(\/?)([a-z][a-z0-9]*)([^>]*)>|([^<]+)/gi)) {
    const [, closing, rawTag, attributes, text] = match;
    if (text !== undefined) {
      const clean = decodeEntities(text).replace(/\s+/g, ' ');
      if (clean.trim() === '' && !block) continue;
      const { bold, italic, color } = top();
      current().spans.push({ text: clean, bold, italic, color });
      continue;
    }
    const tag = rawTag.toLowerCase();
    if (tag === 'br') {
      current().spans.push({ text: '\n', bold: false, italic: false });
    } else if (tag === 'h1' || tag === 'h2' || tag === 'h3' || tag === 'p') {
      block = null;
      if (!closing) open(tag);
      if (closing) stack.length = 1;
      else stack.push({ ...top(), tag, bold: tag !== 'p' || top().bold });
    } else if (['b', 'strong', 'i', 'em', 'span'].includes(tag)) {
      if (closing) {
        const at = stack.map((s) => s.tag).lastIndexOf(tag);
        if (at > 0) stack.length = at;
      } else {
        const style = /style\s*=\s*(["'])(.*?)\1/i.exec(attributes)?.[2] ?? '';
        stack.push({
          tag,
          bold: top().bold || tag === 'b' || tag === 'strong',
          italic: top().italic || tag === 'i' || tag === 'em',
          color: (tag === 'span' ? safeColor(style) : undefined) ?? top().color,
        });
      }
    }
  }
  return blocks.filter((b) => b.spans.some((s) => s.text.trim() !== ''));
}

export interface RichSegment {
  text: string;
  x: number;
  face: FontFace;
  color?: string;
}

export interface RichLine {
  size: number;
  /** Line box height; the baseline sits at 0.8 of it. */
  height: number;
  segments: RichSegment[];
}

/** Greedy word wrap of the blocks into lines no wider than `width`. */
export function wrapRichText(blocks: readonly RichBlock[], width: number): RichLine[] {
  const lines: RichLine[] = [];
  for (const block of blocks) {
    const size = BLOCK_SIZE[block.tag];
    let line: RichLine = { size, height: size * 1.4, segments: [] };
    let x = 0;
    const breakLine = () => {
      lines.push(line);
      line = { size, height: size * 1.4, segments: [] };
      x = 0;
    };
    for (const span of block.spans) {
      const face: FontFace = span.bold ? 'bold' : span.italic ? 'italic' : 'regular';
      for (const word of span.text.split(/(\n| )/)) {
        if (word === '') continue;
        if (word === '\n') {
          breakLine();
          continue;
        }
        if (word === ' ' && x === 0) continue;
        const advance = measureText(word, size, face);
        if (word !== ' ' && x > 0 && x + advance > width) breakLine();
        line.segments.push({ text: word, x, face, color: span.color });
        x += advance;
      }
    }
    if (line.segments.length > 0) lines.push(line);
    lines.push({ size, height: size * 0.4, segments: [] });
  }
  lines.pop();
  return lines;
}
