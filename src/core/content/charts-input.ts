import { validationError } from '../errors.ts';
import { integer, label, nullableText, record } from '../input.ts';
import { parseQuery, parseVisualization } from './dashboard-input.ts';
import { contentRef } from './input.ts';
import { type Placement, personalFlag } from './placement.ts';
import type { ChartContent, ContentRef, VisualizationType, WidgetQuery } from './types.ts';

/** Request shapes of saved charts for typed callers; the parsers accept any value and check it. */
export interface ChartInput {
  name: string;
  description?: string | null;
  folderId?: ContentRef | null;
  /** True: in the creator's personal space (no folder), until filed. */
  personal?: boolean;
  /** Default: its folder's project, or the caller's default project at the top level. */
  projectId?: number;
  query: WidgetQuery;
  visualization: { type: VisualizationType; options?: Record<string, unknown> };
}

export type ChartPatchInput = Partial<ChartInput> & {
  /** The version the change was made on: another version stored meanwhile is a 409. */
  version?: number;
};

export interface ChartPatch extends Placement {
  content: Partial<ChartContent>;
  baseVersion?: number;
}

const contentKeys = ['name', 'description', 'folderId', 'personal', 'projectId', 'query', 'visualization'];

export function parseChartPatch(input: unknown): ChartPatch {
  const body = record('', input, [...contentKeys, 'version']);
  const content: Partial<ChartContent> = {};
  if (body.name !== undefined) content.name = label('name', body.name);
  if (body.description !== undefined)
    content.description = nullableText('description', body.description, 10_000);
  if (body.query !== undefined) content.query = parseQuery('query', body.query);
  if (body.visualization !== undefined) {
    content.visualization = parseVisualization('visualization', body.visualization);
    // A chart shows data; a text tile has no query to save.
    if (content.visualization.type === 'text')
      throw validationError('visualization.type', 'a chart cannot be a text widget');
  }
  const patch: ChartPatch = { content };
  if (body.folderId !== undefined)
    patch.folderRef = body.folderId === null ? null : contentRef('folderId', body.folderId);
  if (body.personal !== undefined) patch.personal = personalFlag(body.personal, patch.folderRef);
  if (body.projectId !== undefined) patch.projectId = body.projectId;
  if (body.version !== undefined)
    patch.baseVersion = integer('version', body.version, 1, Number.MAX_SAFE_INTEGER);
  return patch;
}

export function parseChartCreate(input: unknown): Placement & { content: ChartContent } {
  const body = record('', input, contentKeys);
  for (const key of ['name', 'query', 'visualization'])
    if (body[key] === undefined) throw validationError(key, 'is required');
  const { content, baseVersion: _, ...placement } = parseChartPatch(body);
  return {
    content: {
      name: content.name!,
      description: content.description ?? null,
      query: content.query!,
      visualization: content.visualization!,
    },
    ...placement,
  };
}
