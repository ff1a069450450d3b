import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats, { type FormatsPlugin } from 'ajv-formats';
import { RosettaError } from '../../core/errors.ts';
import chartSchema from './schemas/chart-as-code-1.0.json' with { type: 'json' };
import dashboardSchema from './schemas/dashboard-as-code-1.0.json' with { type: 'json' };

/**
 * Content as code checked against the JSON schemas Lightdash publishes for `lightdash download`
 * files (`@lightdash/common`, vendored verbatim in `schemas/`). Neither core nor face: the
 * Lightdash face checks uploads with it, tests check downloads.
 */
export interface CodeProblem {
  /** The document's field as a client writes it: `charts[2].metricQuery.limit`, `tiles[0].type`. */
  path: string;
  message: string;
}

export type CodeKind = 'chart' | 'dashboard';

// ajv-formats is CommonJS with `exports.default`: its types promise the plugin, Node may hand the module.
const formats = ajvFormats as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = formats.default ?? formats;

interface Validators {
  ajv: Ajv;
  chart: ValidateFunction;
  dashboard: ValidateFunction;
}

let compiled: Validators | undefined;

/** Compiled once, on first use: the chart schema alone is ~140 kB of definitions. */
function validators(): Validators {
  if (compiled) return compiled;
  // `discriminator` picks the chart type's branch of `chartConfig`; `verbose` keeps each failed
  // `anyOf`'s branches and value so `branchProblems` can tell which branch the document meant.
  const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true, strictTypes: false });
  addFormats(ajv, ['date-time']);
  // The schemas' generator marks every TypeScript `number` as `format: double`: any JSON number.
  ajv.addFormat('double', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  compiled = { ajv, chart: ajv.compile(chartSchema), dashboard: ajv.compile(dashboardSchema) };
  return compiled;
}

/** A branch of an `anyOf` as a schema of its own: its `#/$defs/...` references need the root's `$defs`. */
const branchValidators = new WeakMap<object, ValidateFunction>();
function branchValidator(branch: object, defs: object): ValidateFunction {
  let validate = branchValidators.get(branch);
  if (!validate) {
    validate = validators().ajv.compile({ ...branch, $defs: defs });
    branchValidators.set(branch, validate);
  }
  return validate;
}

interface Raw {
  pointer: string;
  error: ErrorObject;
}

const isTagError = (error: ErrorObject) =>
  error.instancePath === '/type' && (error.keyword === 'enum' || error.keyword === 'const');

const allowedOf = (error: ErrorObject): unknown[] =>
  error.keyword === 'enum' ? error.params.allowedValues : [error.params.allowedValue];

/**
 * A failed `anyOf` only says no branch matched; a tile or a filter group names its branch by
 * `type`, so the errors worth reporting are those of the branch of that type (else those of the
 * branch with the fewest). A `type` no branch takes is one error listing the types there are.
 */
function branchProblems(error: ErrorObject, defs: object): Raw[] | undefined {
  const branches = Array.isArray(error.schema) ? (error.schema as object[]) : [];
  const tried = branches.map((branch) => {
    const validate = branchValidator(branch, defs);
    return validate(error.data) ? undefined : { validate, errors: validate.errors ?? [] };
  });
  if (tried.some((result) => result === undefined)) return undefined;
  const failed = tried.filter((result) => result !== undefined);
  const candidates = failed.filter((result) => !result.errors.some(isTagError));
  if (candidates.length === 0) {
    const tags = failed.flatMap((result) => result.errors.filter(isTagError).flatMap(allowedOf));
    if (tags.length === 0) return undefined;
    const message = `must be one of ${[...new Set(tags)].map(String).join(', ')}`;
    return [{ pointer: `${error.instancePath}/type`, error: { ...error, keyword: 'tag', message } }];
  }
  const fewest = Math.min(...candidates.map((result) => result.errors.length));
  const best = candidates.filter((result) => result.errors.length === fewest);
  // Equally wrong branches (a number for `string | null`): their own errors say it best together.
  if (best.length > 1) return undefined;
  return rawProblems(best[0].errors, defs, error.instancePath);
}

function rawProblems(errors: ErrorObject[], defs: object, base = ''): Raw[] {
  const covered: string[] = [];
  const replaced = new Map<ErrorObject, Raw[]>();
  const under = (pointer: string, root: string) => pointer === root || pointer.startsWith(`${root}/`);
  const unions = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length);
  for (const union of unions) {
    if (covered.some((root) => under(union.instancePath, root))) continue;
    const problems = branchProblems(union, defs);
    if (!problems) continue;
    covered.push(union.instancePath);
    replaced.set(union, problems);
  }
  const raws: Raw[] = [];
  for (const error of errors) {
    const replacement = replaced.get(error);
    if (replacement) raws.push(...replacement.map((raw) => ({ ...raw, pointer: base + raw.pointer })));
    else if (covered.some((root) => under(error.instancePath, root))) continue;
    else if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf')
      raws.push({ pointer: base + error.instancePath, error });
  }
  // A union failed with no error of its own branches (a `oneOf` two branches match): say so.
  for (const union of unions) {
    const pointer = base + union.instancePath;
    if (!replaced.has(union) && !raws.some((raw) => under(raw.pointer, pointer)))
      raws.push({ pointer, error: union });
  }
  return raws;
}

/** `metricQuery.sorts[0]` from the JSON pointer `/metricQuery/sorts/0`. */
function fieldOf(pointer: string, prefix: string): string {
  let path = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) path += path ? `.${part}` : part;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}

function problemOf({ pointer, error }: Raw, prefix: string): CodeProblem {
  const at = fieldOf(pointer, prefix);
  const child = (name: string) =>
    fieldOf(`${pointer}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, prefix);
  switch (error.keyword) {
    case 'required':
      return { path: child(error.params.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { path: child(error.params.additionalProperty), message: 'is not a known property' };
    case 'enum':
    case 'const':
      return { path: at, message: `must be one of ${allowedOf(error).map(String).join(', ')}` };
    case 'discriminator': {
      const branches: Array<{ properties?: Record<string, { const?: unknown }> }> =
        error.parentSchema?.oneOf ?? [];
      const tags = branches.map((branch) => branch.properties?.[error.params.tag]?.const);
      return { path: child(error.params.tag), message: `must be one of ${tags.map(String).join(', ')}` };
    }
    default:
      return { path: at || 'body', message: error.message ?? `fails ${error.keyword}` };
  }
}

/**
 * The problems of a chart's or dashboard's code file, in document order and without repeats;
 * empty when it validates. `prefix` places the document in a larger one (`charts[2]`).
 */
export function validateCode(kind: CodeKind, document: unknown, prefix = ''): CodeProblem[] {
  const validate = validators()[kind];
  if (validate(document)) return [];
  const defs = (kind === 'chart' ? chartSchema : dashboardSchema).$defs;
  const problems: CodeProblem[] = [];
  let lastKeyword = '';
  for (const raw of rawProblems(validate.errors ?? [], defs)) {
    const problem = problemOf(raw, prefix);
    const last = problems.at(-1);
    // A value of the wrong type for `string | null` fails both: one problem naming both types.
    if (raw.error.keyword === 'type' && lastKeyword === 'type' && last?.path === problem.path)
      last.message = `${last.message} or ${raw.error.params.type}`;
    else if (!problems.some((seen) => seen.path === problem.path && seen.message === problem.message))
      problems.push(problem);
    lastKeyword = raw.error.keyword;
  }
  return problems;
}

/** Problems a 400's message spells out; `details` lists them all. */
const SHOWN_PROBLEMS = 5;

/**
 * A code file the schema refuses is a validation error naming its first field, with every
 * problem in `details` by path; a file it accepts passes unchanged.
 */
export function assertValidCode(kind: CodeKind, document: unknown): void {
  const problems = validateCode(kind, document);
  if (problems.length === 0) return;
  const [first] = problems;
  const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
  const message = `${problems
    .slice(0, SHOWN_PROBLEMS)
    .map((problem) => `${problem.path}: ${problem.message}`)
    .join('; ')}${more}`;
  const details = Object.fromEntries(problems.map((problem) => [problem.path, { message: problem.message }]));
  throw new RosettaError('ERR_VALIDATION', message, first.path, {
    problem: first.message,
    details,
  });
}
