import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRosetta, type Rosetta } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';
export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';

export interface TestResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/** A whole Rosetta (real store, real DuckDB, real HTTP stack through inject) on a temp data dir. */
export interface TestApp {
  rosetta: Rosetta;
  dataDir: string;
  request(
    method: string,
    url: string,
    body?: unknown,
    options?: { token?: string; raw?: string },
  ): Promise<TestResponse>;
  /** Stops the server but keeps the data dir, for restart tests. */
  stop(): Promise<void>;
  /** Stops and deletes the data dir. */
  close(): Promise<void>;
}

export async function startTestApp(
  options: { dataDir?: string; databaseUrl?: string; demo?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rosetta-test-'));
  const config = loadConfig({
    ROSETTA_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl,
    ROSETTA_ADMIN_EMAIL: ADMIN_EMAIL,
    ROSETTA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ROSETTA_BOOTSTRAP_API_KEY: ADMIN_KEY,
    ROSETTA_DEMO: options.demo === false ? 'false' : 'true',
    LOG_LEVEL: 'silent',
    // Closing a test app interrupts its running jobs at once, as before graceful shutdown.
    ROSETTA_SHUTDOWN_GRACE_SECONDS: '0',
    ...options.env,
  });
  const rosetta = await createRosetta(config);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await rosetta.close();
  };
  return {
    rosetta,
    dataDir,
    async request(method, url, body, requestOptions = {}) {
      const token = requestOptions.token ?? ADMIN_KEY;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let payload: string | undefined;
      if (requestOptions.raw !== undefined) {
        payload = requestOptions.raw;
        headers['content-type'] = 'application/json';
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      const response = await rosetta.server.inject({
        method: method as 'GET',
        url,
        headers,
        payload,
      });
      const text = response.body;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.statusCode, body: parsed };
    },
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
