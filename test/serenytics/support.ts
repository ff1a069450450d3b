import { ADMIN_KEY, type TestApp, type TestResponse } from '../support/app.ts';
import type { TempDatabase } from '../support/databases.ts';

/** A request to the Serenytics face the way its clients send it: X-Api-Key + JSON. */
export async function seren(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string | null; raw?: Buffer | string; contentType?: string } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const key = options.key === undefined ? ADMIN_KEY : options.key;
  if (key !== null) headers['x-api-key'] = key;
  const response = await app.rosetta.server.inject({
    method: method as 'GET',
    url: `/serenytics${path}`,
    headers,
    payload: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  let parsed: unknown = response.body;
  try {
    parsed = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.statusCode, body: parsed };
}

/** Polls a task like the vendor's client: every 50 ms until it is no longer pending. */
export async function waitTask(app: TestApp, taskId: string, timeoutMs = 10_000): Promise<TestResponse> {
  for (let i = 0; i < timeoutMs / 50; i++) {
    const answer = await seren(app, 'GET', `/api/task/${taskId}`);
    if (answer.body?.status !== 'pending') return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${taskId} still pending`);
}

/** The native API body of a connection to a temp PostgreSQL database. */
export function pgConnection(database: TempDatabase, name: string) {
  const url = new URL(database.url);
  return {
    name,
    type: 'postgres',
    host: url.hostname,
    port: Number(url.port || 5432),
    database: database.name,
    user: decodeURIComponent(url.username),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
}
