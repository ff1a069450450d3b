import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats, { type FormatsPlugin } from 'ajv-formats';
import rawDocument from './openapi/holistics-openapi-v2.json' with { type: 'json' };

/**
 * The official Holistics OpenAPI document (vendored verbatim in `openapi/`), as the face's source
 * of truth for paths, methods, request schemas and response schemas. Requests are validated
 * against it by Ajv (the face's validator compiler); tests validate every answer against it.
 */

const DOCUMENT_ID = 'holistics-openapi-v2';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const document = rawDocument as unknown as JsonObject;

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

export interface Operation {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the document writes it: `/users/{id}`. */
  path: string;
  /** As Fastify routes it: `/users/:id`. */
  url: string;
  parameters: Parameter[];
  /** JSON pointer (into the document) of the JSON request body's schema, when it has one. */
  bodyPointer?: string;
  /** Status → JSON pointer of the response schema (`default` included). */
  responses: Record<string, string | undefined>;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escapePointer = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');

function resolveRef<T>(node: unknown): T {
  let current = node;
  while (isObject(current) && typeof current.$ref === 'string') {
    const path = current.$ref.slice(2).split('/');
    current = path.reduce<unknown>(
      (at, part) => (at as JsonObject)[part.replaceAll('~1', '/').replaceAll('~0', '~')],
      document,
    );
  }
  return current as T;
}

const SCHEMAS = '#/components/schemas/';
const componentSchemas = (document.components as JsonObject).schemas as JsonObject;

/** Schemas whose `discriminator` dispatches to subtypes, which usually `allOf` them back. */
const discriminating = new Set(
  Object.entries(componentSchemas)
    .filter(([, schema]) => isObject(schema) && isObject(schema.discriminator))
    .map(([name]) => `${SCHEMAS}${name}`),
);
/** Every schema a discriminator's mapping names, filled by `toJsonSchema`. */
const branchTargets = new Set<string>();

/**
 * A subtype as a discriminator's branch: without its `allOf` link back to a discriminating base
 * (the base itself is being checked already; following the link would dispatch again, forever).
 */
function branchName(ref: string): string {
  const name = ref.slice(SCHEMAS.length);
  return `${name}__branch`;
}

/**
 * OpenAPI 3.0 schema dialect → the JSON Schema Ajv reads: `nullable: true` becomes a union with
 * null (Ajv's own `nullable` needs a sibling `type` and ignores `enum`), and a `discriminator`
 * becomes one `if/then` per mapping entry (Ajv's needs `oneOf` and refuses `mapping`), so a body
 * is checked against the branch its discriminating property names.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const { nullable, discriminator, ...rest } = node;
  const converted: JsonObject = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, toJsonSchema(value)]),
  );
  if (isObject(discriminator) && isObject(discriminator.mapping)) {
    const property = String(discriminator.propertyName);
    const branches = Object.entries(discriminator.mapping).map(([value, ref]) => {
      branchTargets.add(String(ref));
      return {
        if: { properties: { [property]: { const: value } }, required: [property] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's `then` keyword
        then: { $ref: `${SCHEMAS}${branchName(String(ref))}` },
      };
    });
    delete converted.oneOf;
    // A discriminator reads a property, so its value is an object: the document's one
    // `type: string` beside a discriminator (`DataAlert.dest`) is a slip its branches contradict.
    if (converted.type !== 'object') delete converted.type;
    converted.allOf = [...((converted.allOf as Json[]) ?? []), ...branches];
  }
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}

const converted = toJsonSchema(document) as JsonObject;
converted.$id = DOCUMENT_ID;
const convertedSchemas = (converted.components as JsonObject).schemas as JsonObject;
for (const ref of branchTargets) {
  const target = convertedSchemas[ref.slice(SCHEMAS.length)] as JsonObject;
  const allOf = ((target.allOf as JsonObject[] | undefined) ?? []).filter(
    (part) => !(typeof part.$ref === 'string' && discriminating.has(part.$ref)),
  );
  convertedSchemas[branchName(ref)] = { ...target, allOf };
}

/**
 * Errata, each a place where the document contradicts its own prose and real clients follow the
 * prose. `UserAttributeEntryInput`: "either `user_attribute_id` or `user_attribute_name`" (its
 * `anyOf` says so too), yet the items' `required` lists both.
 */
/** The node of the converted document at a JSON pointer (`#/paths/~1users/get/…`). */
const convertedAt = (pointer: string): JsonObject =>
  pointer
    .slice(2)
    .split('/')
    .reduce<JsonObject>(
      (at, part) => at[part.replaceAll('~1', '/').replaceAll('~0', '~')] as JsonObject,
      converted,
    );

function applyErrata(): void {
  const entries = (convertedSchemas.UserAttributeEntryInput as JsonObject).properties as JsonObject;
  const items = (entries.user_attribute_entries as JsonObject).items as JsonObject;
  items.required = ['subject_type', 'subject_id'];
  const [, either] = items.allOf as JsonObject[];
  const [byId, byName] = either.anyOf as JsonObject[];
  byId.required = ['user_attribute_id'];
  byName.required = ['user_attribute_name'];
  // The seed's "Get Reporting Data via API" tutorial exports with `output: 'excel'` (its comment:
  // "'csv' or 'excel'"), which the document's enum lacks.
  const exportBody = convertedAt(operation('DashboardWidgets_SubmitExport').bodyPointer as string);
  const output = (exportBody.properties as JsonObject).output as JsonObject;
  output.enum = [...(output.enum as string[]), 'excel'];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operationsOf(): Map<string, Operation> {
  const found = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths as Record<string, JsonObject>)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const operationId = String(operation.operationId);
      const pointerOf = (...parts: string[]) =>
        `#/${['paths', path, method, ...parts].map(escapePointer).join('/')}`;
      const parameters = [
        ...((item.parameters as Json[]) ?? []),
        ...((operation.parameters as Json[]) ?? []),
      ].map((parameter) => resolveRef<Parameter>(parameter));
      const body = resolveRef<JsonObject | undefined>(operation.requestBody);
      const bodyMedia = (body?.content as JsonObject | undefined)?.['application/json'];
      const responses: Record<string, string | undefined> = {};
      for (const [status, response] of Object.entries(operation.responses as JsonObject)) {
        const resolved = resolveRef<JsonObject>(response);
        const media = (resolved.content as JsonObject | undefined)?.['application/json'];
        if (!isObject(media) || !media.schema) {
          responses[status] = undefined;
          continue;
        }
        responses[status] =
          isObject(response) && typeof response.$ref === 'string'
            ? `${response.$ref}/content/application~1json/schema`
            : pointerOf('responses', status, 'content', 'application/json', 'schema');
      }
      found.set(operationId, {
        operationId,
        method: method.toUpperCase() as Operation['method'],
        path,
        url: path.replace(/\{(\w+)\}/g, ':$1'),
        parameters,
        bodyPointer:
          isObject(bodyMedia) && bodyMedia.schema
            ? pointerOf('requestBody', 'content', 'application/json', 'schema')
            : undefined,
        responses,
      });
    }
  }
  return found;
}

export const operations: ReadonlyMap<string, Operation> = operationsOf();
applyErrata();

export function operation(operationId: string): Operation {
  const found = operations.get(operationId);
  if (!found) throw new Error(`the Holistics OpenAPI document has no operation ${operationId}`);
  return found;
}

// ajv-formats is CommonJS with `exports.default`: its types promise the plugin, Node may hand the module.
const formats = ajvFormats as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = formats.default ?? formats;

function newAjv(options: ConstructorParameters<typeof Ajv>[0]): Ajv {
  // Not strict: the document carries OpenAPI's annotations (`example`, `x-…`) beside the schemas.
  const ajv = new Ajv({ strict: false, ...options });
  addFormats(ajv, ['email', 'date-time', 'date', 'uri']);
  ajv.addFormat('binary', true);
  ajv.addFormat('csv', true);
  ajv.addSchema(converted);
  return ajv;
}

/** Bodies as sent; query strings and path parameters are text, read as the types the document names. */
const bodies = newAjv({});
const parameters = newAjv({ coerceTypes: 'array', useDefaults: true });

const refTo = (pointer: string) => ({ $ref: `${DOCUMENT_ID}${pointer}` });

/** A schema lifted out of the document, its local `$ref`s pointing back into it. */
function anchored(node: Json): Json {
  if (Array.isArray(node)) return node.map(anchored);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? `${DOCUMENT_ID}${value}`
        : anchored(value),
    ]),
  );
}

/**
 * A query value is text coerced to the schema's types, so `?version=3` passes both branches of
 * `oneOf: [integer, array]` (3 and [3]): in parameters, one matching branch is enough.
 */
function eitherOf(node: Json): Json {
  if (Array.isArray(node)) return node.map(eitherOf);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key === 'oneOf' ? 'anyOf' : key, eitherOf(value)]),
  );
}

/** The Fastify schemas of an operation's request: its JSON body, query string, path and header parameters. */
export function requestSchemas(op: Operation): {
  body?: object;
  querystring?: object;
  params?: object;
  headers?: object;
} {
  const objectOf = (place: Parameter['in']) => {
    const listed = op.parameters.filter((parameter) => parameter.in === place);
    if (listed.length === 0) return undefined;
    // Node hands header names lowercased.
    const nameOf = (parameter: Parameter) =>
      place === 'header' ? parameter.name.toLowerCase() : parameter.name;
    return {
      type: 'object',
      properties: Object.fromEntries(
        listed.map((parameter) => [
          nameOf(parameter),
          anchored(eitherOf(toJsonSchema((parameter.schema ?? {}) as Json))),
        ]),
      ),
      required: listed.filter((parameter) => parameter.required).map(nameOf),
    };
  };
  const schemas = {
    body: op.bodyPointer ? refTo(op.bodyPointer) : undefined,
    querystring: objectOf('query'),
    params: objectOf('path'),
    headers: objectOf('header'),
  };
  // A part named with an undefined schema makes Fastify warn at start: leave it out instead.
  return Object.fromEntries(Object.entries(schemas).filter(([, schema]) => schema !== undefined));
}

const compiled = new WeakMap<object, ValidateFunction>();

/** The face's validator compiler: request parts checked by Ajv against the document's schemas. */
export function compileRequestValidator({ schema, httpPart }: { schema: object; httpPart?: string }) {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const validate = (httpPart === 'body' ? bodies : parameters).compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/** The validator of an answer of `operationId` with `status`, for tests: the documented schema, else the error schema. */
export function responseValidator(op: Operation, status: number): ValidateFunction | undefined {
  const pointer =
    status in op.responses
      ? op.responses[String(status)]
      : status >= 400
        ? '#/components/schemas/BaseError'
        : op.responses.default;
  if (!pointer) return undefined;
  return bodies.getSchema(`${DOCUMENT_ID}${pointer}`) ?? bodies.compile(refTo(pointer));
}
