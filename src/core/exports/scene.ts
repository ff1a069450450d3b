/**
 * What a composed page holds: a few drawing primitives in page points, the common ground of
 * the PDF and PNG back ends, so both draw the same layout from one composition.
 */
import { type FontFace, type MissingGlyphs, type TextRun, textRuns } from './fonts.ts';

export type Shape =
  | {
      kind: 'rect';
      x: number;
      y: number;
      w: number;
      h: number;
      fill?: string;
      stroke?: string;
      radius?: number;
    }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width: number }
  | { kind: 'text'; x: number; y: number; size: number; color: string; runs: TextRun[] }
  /** A chart: an SVG document scaled into the box. */
  | { kind: 'svg'; x: number; y: number; w: number; h: number; svg: string };

export interface Page {
  width: number;
  height: number;
  shapes: Shape[];
}

export type Anchor = 'start' | 'middle' | 'end';

/** A text shape at baseline `y`; the anchor is resolved here so back ends only draw runs. */
export function textShape(
  text: string,
  at: { x: number; y: number; size: number; face?: FontFace; color?: string; anchor?: Anchor },
  missing: MissingGlyphs,
): Shape {
  const runs = textRuns(text, at.size, at.face ?? 'regular', missing);
  const width = runs.reduce((sum, run) => sum + run.width, 0);
  const x = at.anchor === 'middle' ? at.x - width / 2 : at.anchor === 'end' ? at.x - width : at.x;
  return { kind: 'text', x, y: at.y, size: at.size, color: at.color ?? '#1f2933', runs };
}
