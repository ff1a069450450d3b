import type { OutgoingHttpHeaders } from 'node:http';
import { type Operation, operations, responseValidator } from '../../src/http/dialects/holistics/openapi.ts';
import { ADMIN_KEY, type TestApp, type TestResponse } from '../support/app.ts';

export interface HolisticsRequestOptions {
  /** Sent as `X-Holistics-Key`; null: none. Default: the admin's key. */
  key?: string | null;
  /** Raw JSON text instead of `body`. */
  raw?: string;
}

export interface HolisticsResponse extends TestResponse {
  headers: OutgoingHttpHeaders;
  text: string;
}

const BASE = '/holistics/api/v2';

const templates = [...operations.values()].map((op) => ({
  op,
  pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  // Static paths win over templated ones (`/users/me` before `/users/{id}`).
  templated: op.path.includes('{'),
}));

/** The documented operation a request reaches, as the router would pick it. */
export function operationOf(method: string, path: string): Operation | undefined {
  const bare = path.split('?')[0].slice(BASE.length);
  const matching = templates.filter(
    (entry) => entry.op.method === method.toUpperCase() && entry.pattern.test(bare),
  );
  return (matching.find((entry) => !entry.templated) ?? matching[0])?.op;
}

/**
 * Throws unless `body` is what the OpenAPI document says `method path` answers with `status`:
 * the documented response schema, or `BaseError` for an undocumented error status.
 */
export function expectDocumented(method: string, path: string, status: number, body: unknown): void {
  const op = operationOf(method, path);
  // Routes the document omits (`GET /data_sets`, from the vendor's guides) have nothing to check against.
  if (!op) return;
  const validate = responseValidator(op, status);
  if (!validate) {
    if (status < 400 && !(String(status) in op.responses))
      throw new Error(`${op.operationId} does not document status ${status}: ${JSON.stringify(body)}`);
    return;
  }
  if (!validate(body))
    throw new Error(
      `${op.operationId} ${status} answer does not match the OpenAPI document: ${JSON.stringify(
        validate.errors?.slice(0, 3),
      )}\nbody: ${JSON.stringify(body).slice(0, 1500)}`,
    );
}

/**
 * A request to the Holistics face the way its clients send it (`X-Holistics-Key`, JSON), whose
 * answer is checked against the OpenAPI document before the test sees it, so every answer of the
 * suite validates.
 */
export async function hx(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  options: HolisticsRequestOptions = {},
): Promise<HolisticsResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = options.key === undefined ? ADMIN_KEY : options.key;
  if (key !== null) headers['x-holistics-key'] = key;
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (text !== undefined) headers['content-type'] = 'application/json';
  const url = `${BASE}${path}`;
  const response = await app.rosetta.server.inject({ method: method as 'GET', url, headers, payload: text });
  const isJson = String(response.headers['content-type'] ?? '').includes('application/json');
  const parsed: unknown = isJson && response.body ? JSON.parse(response.body) : response.body;
  if (isJson) expectDocumented(method, url, response.statusCode, parsed);
  return { status: response.statusCode, body: parsed, headers: response.headers, text: response.body };
}

/** Polls `GET /jobs/{id}` until the job is no longer waiting or running; answers the job. */
export async function waitForJob(app: TestApp, jobId: number, key?: string | null) {
  for (let attempt = 0; attempt < 400; attempt++) {
    const answer = await hx(app, 'GET', `/jobs/${jobId}`, undefined, { key });
    if (answer.status !== 200)
      throw new Error(`job ${jobId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    if (!['created', 'queued', 'running'].includes(answer.body.job.status)) return answer.body.job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** Test apps of the face: the documented rate limits are off unless a test turns them on. */
export const NO_RATE_LIMITS = { ROSETTA_HOLISTICS_RATE_LIMITS: '0,0,0' };
