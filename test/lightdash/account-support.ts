import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres } from '../support/databases.ts';
import { ld, sessionCookie } from './support.ts';

/** What the account suites share: an app with a viewer and an editor, on SQLite and PostgreSQL. */

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export const lightdashError = (statusCode: number, name: string) => ({
  status: 'error',
  error: expect.objectContaining({ statusCode, name, message: expect.any(String) }),
});

export interface Member {
  id: number;
  uuid: string;
  email: string;
  password: string;
  key: string;
  cookie: string;
}

export interface AccountWorld {
  app: TestApp;
  viewer: Member;
  editor: Member;
}

/** A member with a password, a session cookie and a personal access token. */
async function member(app: TestApp, email: string, role: string): Promise<Member> {
  const password = `${role} password 123`;
  const created = await app.request('POST', '/api/users', { email, password, role, name: `${role} Person` });
  const login = await ld(app, 'POST', '/v1/login', { email, password }, { key: null });
  const cookie = sessionCookie(login);
  const token = await ld(
    app,
    'POST',
    '/v1/user/me/personal-access-tokens',
    { description: 'tests', expiresAt: null },
    { cookie },
  );
  return {
    id: created.body.id,
    uuid: created.body.uuid,
    email,
    password,
    key: token.body.results.token,
    cookie,
  };
}

/** The passcode of the newest message to `email`, read from the outbox (no SMTP here: it is held). */
export async function passcodeSentTo(app: TestApp, email: string): Promise<string> {
  const list = await app.request('GET', '/api/outbox');
  const newest = list.body.items.find((message: { to: string[] }) => message.to.includes(email));
  expect(newest).toMatchObject({ status: 'held', subject: 'Your verification code' });
  const [passcode] = /\b\d{6}\b/.exec(newest.text) ?? [];
  expect(passcode).toBeDefined();
  return passcode as string;
}

/** Runs `suite` on SQLite and on PostgreSQL metadata, each time on a fresh app with its members. */
export function onEachStore(title: string, suite: (world: () => AccountWorld) => void): void {
  const run = (databaseUrl?: string) => {
    const world = {} as AccountWorld;
    beforeAll(async () => {
      world.app = await startTestApp({ demo: false, databaseUrl });
      world.viewer = await member(world.app, 'vera@corp.test', 'viewer');
      world.editor = await member(world.app, 'eddie@corp.test', 'editor');
    }, 60_000);
    afterAll(() => world.app?.close());
    suite(() => world);
  };
  describe(title, () => {
    describe('with SQLite metadata', () => run());
    describe('with PostgreSQL metadata', async () => {
      const database = await createTempPostgres('rosetta_account');
      afterAll(() => database.drop());
      if (database.available) run(database.url);
      else it.skipIf(true)('needs PostgreSQL at 127.0.0.1:5432 (skipped: not reachable)', () => {});
    });
  });
}
