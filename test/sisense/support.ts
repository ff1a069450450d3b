import type { OutgoingHttpHeaders } from 'node:http';
import { ADMIN_KEY, type TestApp, type TestResponse } from '../support/app.ts';

export interface SisenseRequestOptions {
  /** Sent as `Authorization: Bearer <token>`; null: none. Default: the admin's API key. */
  token?: string | null;
  /** Send `body` form-encoded (`application/x-www-form-urlencoded`), as login and `jaql/csv` clients do. */
  form?: boolean;
  /** Raw body text (sent as JSON unless `contentType` says otherwise). */
  raw?: string;
  contentType?: string;
}

export interface SisenseResponse extends TestResponse {
  headers: OutgoingHttpHeaders;
  text: string;
}

/**
 * A request to the Sisense face the way its clients send it: `path` under `/sisense` (so
 * `/api/v1/users`, `/api/datasources/...`), `Authorization: Bearer`, JSON or form bodies.
 */
export async function sx(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  options: SisenseRequestOptions = {},
): Promise<SisenseResponse> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? ADMIN_KEY : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined = options.raw;
  if (payload === undefined && body !== undefined)
    payload = options.form
      ? new URLSearchParams(body as Record<string, string>).toString()
      : JSON.stringify(body);
  if (payload !== undefined)
    headers['content-type'] =
      options.contentType ?? (options.form ? 'application/x-www-form-urlencoded' : 'application/json');
  const response = await app.rosetta.server.inject({
    method: method as 'GET',
    url: `/sisense${path}`,
    headers,
    payload,
  });
  let parsed: unknown = response.body;
  try {
    parsed = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.statusCode, body: parsed, headers: response.headers, text: response.body };
}

/** Logs in through the face (`POST /api/v1/authentication/login`, form-encoded) and answers the token. */
export async function sisenseLogin(app: TestApp, username: string, password: string): Promise<string> {
  const answer = await sx(
    app,
    'POST',
    '/api/v1/authentication/login',
    { username, password },
    {
      token: null,
      form: true,
    },
  );
  if (answer.status !== 200 || typeof answer.body?.access_token !== 'string')
    throw new Error(`login as ${username}: ${answer.status} ${answer.text}`);
  return answer.body.access_token;
}

/** The `{error: {code, message, status}}` body of a Sisense error answer. */
export const sisenseError = (answer: SisenseResponse): { code: number; message: string; status: number } =>
  answer.body?.error;
