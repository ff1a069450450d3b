/** The input and output of the dashboard renderers: data already fetched, no database here. */
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';
import type { LayoutItem, Visualization } from '../content/types.ts';
import type { VariableValues } from '../query/index.ts';
import type { PaperName } from './layout.ts';
import type { TableAnswer } from './table-grid.ts';

/** A widget's query answer; tables draw its totals, subtotals and pivot (see table-grid.ts). */
export interface WidgetResult extends Pick<TableAnswer, 'totals' | 'subtotals' | 'pivot'> {
  columns: ResultColumn[];
  rows: JsonScalar[][];
}

export interface RenderWidget {
  /** The id layout cells refer to. */
  id: string;
  title: string;
  visualization: Visualization;
  /** Absent for text widgets. */
  result?: WidgetResult | null;
  /** The values `{{name}}` in a text widget stands for (the title comes filled in). */
  variables?: VariableValues;
}

export interface DashboardRenderSpec {
  title: string;
  /** Drawn at the top as the documented tag subset (see rich-text.ts). */
  headerHtml?: string | null;
  /** Plain lines printed under the title (the filters in force, the time of the render). */
  notes?: string[];
  widgets: RenderWidget[];
  layout: LayoutItem[];
}

export interface RenderOptions {
  /** Paper of the PDF pages and the width of the PNG page; default A4. */
  paper?: PaperName;
  /** Default landscape. */
  orientation?: 'landscape' | 'portrait';
  /** Height of one grid row unit in points; default 40. */
  rowHeight?: number;
  /** Width of the PNG in pixels; default 1600. */
  pngWidth?: number;
}

export interface RenderOutput {
  data: Buffer;
  /** Problems the document shows (e.g. characters no font has); empty when none. */
  warnings: string[];
  /** PDF pages (1 for PNG). */
  pages: number;
}
