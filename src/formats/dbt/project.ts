import { posix } from 'node:path';
import { parse } from 'yaml';
import { validationError } from '../../core/errors.ts';

/**
 * A dbt project as Lightdash reads it, whatever it came from (schema YAML files, dbt's
 * `manifest.json`, or the compiled explores the Lightdash CLI uploads): its models, each with
 * its warehouse relation, documented columns and Lightdash `meta`, kept as written. Every part
 * carries `at`, the place it was read from (`models/schema.yml:models[2].columns[1]`), so an
 * error names the file, the model and the field.
 */
export interface DbtProject {
  models: DbtModel[];
}

export type Meta = Record<string, unknown>;

export interface DbtModel {
  name: string;
  at: string;
  /** Where the model's `meta` was read (`…models[0].meta` or `…models[0].config.meta`). */
  metaAt: string;
  description?: string;
  /** The table dbt builds the model into. */
  relation: { schema?: string; table: string };
  /** The model's SELECT, when the project carries it without Jinja (a `.sql` file, compiled code). */
  sql?: string;
  columns: DbtColumn[];
  meta: Meta;
}

export interface DbtColumn {
  name: string;
  at: string;
  metaAt: string;
  description?: string;
  /** dbt's `data_type` (the warehouse's type name), when documented. */
  dataType?: string;
  meta: Meta;
}

export interface DbtFile {
  path: string;
  content: string;
}

const isObject = (value: unknown): value is Meta =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function objectAt(value: unknown, at: string): Meta {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw validationError(at, 'must be a mapping');
  return value;
}

function nameAt(value: unknown, at: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z_][\w$]{0,127}$/.test(value))
    throw validationError(at, 'must be a name of letters, digits and "_" (at most 128 characters)');
  return value;
}

const optionalText = (value: unknown, at: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(at, 'must be a string');
  return value;
};

/**
 * `meta` and dbt 1.10's `config.meta` of one node, merged (config wins, as dbt merges them); the
 * place named in errors is the one that holds the Lightdash keys.
 */
function metaOf(node: Meta, at: string): { meta: Meta; metaAt: string } {
  const config = objectAt(node.config, `${at}.config`);
  const own = objectAt(node.meta, `${at}.meta`);
  const configured = objectAt(config.meta, `${at}.config.meta`);
  const metaAt = Object.keys(configured).length > 0 ? `${at}.config.meta` : `${at}.meta`;
  return { meta: { ...own, ...configured }, metaAt };
}

function columnOf(node: unknown, at: string): DbtColumn {
  const column = objectAt(node, at);
  return {
    name: nameAt(column.name, `${at}.name`),
    at,
    ...metaOf(column, at),
    description: optionalText(column.description, `${at}.description`),
    dataType: optionalText(column.data_type, `${at}.data_type`),
  };
}

function modelOf(node: Meta, at: string, sql?: string): DbtModel {
  const name = nameAt(node.name, `${at}.name`);
  const config = objectAt(node.config, `${at}.config`);
  const schema = optionalText(config.schema ?? node.schema, `${at}.config.schema`);
  const table = optionalText(config.alias ?? node.alias, `${at}.config.alias`) ?? name;
  const columns = node.columns ?? [];
  // The manifest keys columns by name; schema files list them.
  const list = Array.isArray(columns)
    ? columns.map((column, i) => columnOf(column, `${at}.columns[${i}]`))
    : Object.entries(objectAt(columns, `${at}.columns`)).map(([key, column]) =>
        columnOf(column, `${at}.columns.${key}`),
      );
  return {
    name,
    at,
    ...metaOf(node, at),
    description: optionalText(node.description, `${at}.description`),
    relation: { ...(schema && { schema }), table },
    ...(sql !== undefined && { sql }),
    columns: list,
  };
}

function checkUnique(models: DbtModel[]): DbtProject {
  const seen = new Map<string, string>();
  for (const model of models) {
    const first = seen.get(model.name);
    if (first) throw validationError(`${model.at}.name`, `model "${model.name}" is also defined at ${first}`);
    seen.set(model.name, model.at);
  }
  return { models };
}

/**
 * Schema YAML files (`models: [...]`) and model `.sql` files of a dbt project. `dbt_project.yml`
 * configures folders, not models, and other files are not the semantic layer: both are skipped.
 */
export function projectFromFiles(files: readonly DbtFile[]): DbtProject {
  const sqlByModel = new Map<string, string>();
  for (const file of files) {
    if (!file.path.endsWith('.sql')) continue;
    const sql = file.content.trim().replace(/;\s*$/, '');
    if (sql.includes('{{') || sql.includes('{%'))
      throw validationError(
        file.path,
        'holds Jinja, which Rosetta does not compile: deploy the manifest.json of `dbt compile` instead',
      );
    sqlByModel.set(posix.basename(file.path, '.sql'), sql);
  }
  const models: DbtModel[] = [];
  for (const file of files) {
    if (!/\.ya?ml$/.test(file.path) || posix.basename(file.path) === 'dbt_project.yml') continue;
    let document: unknown;
    try {
      document = parse(file.content);
    } catch (error) {
      throw validationError(file.path, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const nodes = objectAt(document, file.path).models ?? [];
    if (!Array.isArray(nodes)) throw validationError(`${file.path}:models`, 'must be a list');
    nodes.forEach((node, i) => {
      const at = `${file.path}:models[${i}]`;
      const name = objectAt(node, at).name;
      models.push(modelOf(objectAt(node, at), at, sqlByModel.get(String(name))));
    });
  }
  return checkUnique(models);
}

/** dbt's compiled `manifest.json`: its `model.*` nodes, with their compiled SQL. */
export function projectFromManifest(manifest: unknown): DbtProject {
  const nodes = objectAt(objectAt(manifest, 'manifest').nodes, 'manifest.nodes');
  const models = Object.entries(nodes)
    .filter(([key]) => key.startsWith('model.'))
    .map(([key, node]) => {
      const at = `manifest.json:nodes[${JSON.stringify(key)}]`;
      const body = objectAt(node, at);
      const compiled = optionalText(body.compiled_code ?? body.compiled_sql, `${at}.compiled_code`);
      return modelOf(body, at, compiled?.trim().replace(/;\s*$/, ''));
    });
  return checkUnique(models);
}
