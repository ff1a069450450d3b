import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sx } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

it('refuses repeated or odd query parameters with a 4xx, never a 500', async () => {
  for (const path of [
    '/api/v1/users?email=a&email=b',
    '/api/v1/users?roleId=a&roleId=b',
    '/api/v1/users?firstName[x]=1',
    '/api/v1/users?expand=role&expand=groups',
    '/api/v1/groups?name=a&name=b',
    '/api/v1/groups?expand=users&expand=role',
    '/api/v1/users/ffffffffffffffffffffffff?expand=a&expand=b',
    '/api/v1/authentication/admin/logout?users=a&users=b',
  ]) {
    const answer = await sx(app, 'GET', path);
    expect(answer.status, `${path}: ${answer.text}`).toBeLessThan(500);
  }
});
