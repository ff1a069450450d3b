import { validationError } from '../../../../core/errors.ts';

/**
 * A JAQL request as Sisense's clients send it (Sisense's JAQL reference; clients.md ## Sisense),
 * checked for shape here; what the items mean is plan.ts's. Every problem names its path in the
 * request (`metadata[1].jaql.agg`), which the answer's `details` repeats.
 */

export type JaqlFilter = Record<string, unknown>;

/** One element: an attribute (`dim`), a measure (`dim` + `agg`, or `formula` + `context`). */
export interface JaqlElement {
  dim?: string;
  datatype?: string;
  title?: string;
  level?: string;
  agg?: string;
  formula?: string;
  context?: Record<string, JaqlElement>;
  filter?: JaqlFilter;
  sort?: string;
}

export interface JaqlItem {
  jaql: JaqlElement;
  /** `scope`: a filter only, no column of the answer. */
  panel?: string;
  instanceid?: string;
  [extra: string]: unknown;
}

export interface JaqlRequest {
  metadata: JaqlItem[];
  datasource?: string | { title?: string; fullname?: string; [extra: string]: unknown };
  count?: number;
  offset?: number;
  ungroup?: boolean;
  queryGuid?: string;
  [extra: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown, path: string): void => {
  if (value !== undefined && typeof value !== 'string') throw validationError(path, 'must be a string');
};

function checkElement(element: unknown, path: string): asserts element is JaqlElement {
  if (!isObject(element)) throw validationError(path, 'must be an object');
  for (const key of ['dim', 'datatype', 'title', 'level', 'agg', 'formula', 'sort'])
    optionalString(element[key], `${path}.${key}`);
  if (element.filter !== undefined && !isObject(element.filter))
    throw validationError(`${path}.filter`, 'must be an object');
  if (element.context !== undefined) {
    if (!isObject(element.context)) throw validationError(`${path}.context`, 'must be an object');
    for (const [name, member] of Object.entries(element.context))
      checkElement(member, `${path}.context.${name}`);
  }
  if (element.dim === undefined && element.formula === undefined)
    throw validationError(path, 'needs a dim or a formula');
}

/** The request body, checked for shape; the data source title of the URL wins over the body's. */
export function readJaqlRequest(body: unknown): JaqlRequest {
  if (!isObject(body)) throw validationError('body', 'must be a JAQL object');
  if (!Array.isArray(body.metadata)) throw validationError('metadata', 'must be an array of items');
  body.metadata.forEach((item: unknown, i: number) => {
    if (!isObject(item)) throw validationError(`metadata[${i}]`, 'must be an object');
    checkElement(item.jaql, `metadata[${i}].jaql`);
    optionalString(item.panel, `metadata[${i}].panel`);
  });
  for (const key of ['count', 'offset'] as const) {
    const value = body[key];
    if (value !== undefined && value !== null && !(Number.isInteger(value) && (value as number) >= 0))
      throw validationError(key, 'must be a whole number from 0');
  }
  if (body.ungroup !== undefined && typeof body.ungroup !== 'boolean')
    throw validationError('ungroup', 'must be true or false');
  optionalString(body.queryGuid, 'queryGuid');
  if (body.datasource !== undefined && typeof body.datasource !== 'string' && !isObject(body.datasource))
    throw validationError('datasource', 'must be a title or {title}');
  return body as JaqlRequest;
}

/** The title a request's `datasource` names, if any. */
export function datasourceTitle(request: JaqlRequest): string | undefined {
  const { datasource } = request;
  if (typeof datasource === 'string') return datasource;
  return datasource?.title ?? datasource?.fullname;
}

/** The items that are columns of the answer (not `panel: "scope"`), with their index in `metadata`. */
export const selectedItems = (request: JaqlRequest): Array<{ item: JaqlItem; index: number }> =>
  request.metadata.flatMap((item, index) => (item.panel === 'scope' ? [] : [{ item, index }]));
