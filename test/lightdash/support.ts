import type { OutgoingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ADMIN_KEY, type TestApp, type TestResponse } from '../support/app.ts';

export interface LightdashRequestOptions {
  /** The personal access token, sent as `Authorization: ApiKey <key>`; null: none. Default: the admin's. */
  key?: string | null;
  /** A `Cookie` header (a session from `POST /v1/login`), sent instead of a key. */
  cookie?: string;
  /** Send the JSON body gzip-compressed, as some clients do. */
  gzip?: boolean;
  /** Raw JSON text instead of `body`. */
  raw?: string;
}

export interface LightdashResponse extends TestResponse {
  headers: OutgoingHttpHeaders;
}

/** A request to the Lightdash face the way its clients send it: `/lightdash/api/...` with `ApiKey`. */
export async function ld(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  options: LightdashRequestOptions = {},
): Promise<LightdashResponse> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? ADMIN_KEY : options.key;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  else if (key !== null) headers.authorization = `ApiKey ${key}`;
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (text !== undefined) headers['content-type'] = 'application/json';
  if (text !== undefined && options.gzip) headers['content-encoding'] = 'gzip';
  const response = await app.rosetta.server.inject({
    method: method as 'GET',
    url: `/lightdash/api${path}`,
    headers,
    payload: text !== undefined && options.gzip ? gzipSync(text) : text,
  });
  let parsed: unknown = response.body;
  try {
    parsed = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.statusCode, body: parsed, headers: response.headers };
}

/** The `connect.sid=…` pair of a login answer's `Set-Cookie`, to send back as `Cookie`. */
export function sessionCookie(response: LightdashResponse): string {
  const header = response.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (!first) throw new Error('no Set-Cookie in the answer');
  return first.split(';')[0];
}
