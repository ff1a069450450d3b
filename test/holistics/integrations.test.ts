import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { userKey } from './dataset-support.ts';
import { expectDocumented, hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let viewer: { key: string };
let developer: { key: string };
beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  viewer = await userKey(app, 'integrations-viewer@example.test', 'viewer');
  developer = await userKey(app, 'integrations-dev@example.test', 'developer');
}, 60_000);
afterAll(() => app?.close());

/** A git provider's webhook call: its own headers, no Holistics key; the answer checked against the document. */
async function webhook(path: string, headers: Record<string, string>, body: unknown = { action: 'opened' }) {
  const url = `/holistics/api/v2/git_webhooks/${path}`;
  const response = await app.rosetta.server.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  const parsed = response.json();
  expectDocumented('POST', url, response.statusCode, parsed);
  return { status: response.statusCode, body: parsed };
}

const notConfigured = { type: 'InvalidOperationError', message: expect.any(String) };

describe('Holistics integrations this server is not set up with', () => {
  it('refuses to publish or validate an AML Studio project, after checking the input and the role', async () => {
    const publish = await hx(
      app,
      'POST',
      '/aml_studio/projects/submit_publish',
      { object_mapping: { datasets: {} } },
      {
        key: developer.key,
      },
    );
    expect(publish.status).toBe(422);
    expect(publish.body).toMatchObject(notConfigured);
    const validate = await hx(app, 'POST', '/aml_studio/projects/submit_validate', {
      branch_name: 'main',
      commit_oid: 'abc123',
    });
    expect(validate.status).toBe(422);
    expect(validate.body).toMatchObject(notConfigured);
    const missing = await hx(app, 'POST', '/aml_studio/projects/submit_validate', { branch_name: 'main' });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ type: 'InvalidParameterError', details: { field: 'commit_oid' } });
    const typed = await hx(app, 'POST', '/aml_studio/projects/submit_publish', { object_mapping: 'all' });
    expect(typed.body.type).toBe('InvalidParameterError');
    const refused = await hx(app, 'POST', '/aml_studio/projects/submit_publish', {}, { key: viewer.key });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
  });

  it('has no AI skills to list, for anyone who reads models', async () => {
    for (const key of [undefined, viewer.key]) {
      const skills = await hx(app, 'GET', '/ai/skills', undefined, { key });
      expect(skills.status).toBe(422);
      expect(skills.body).toMatchObject(notConfigured);
    }
    expect((await hx(app, 'GET', '/ai/skills', undefined, { key: null })).status).toBe(401);
  });

  it('takes git webhooks without a key, checks their headers, and answers that no git integration is set up', async () => {
    const github = await webhook('github_event', {
      'x-github-event': 'pull_request',
      'x-github-hook-id': '42',
      'x-hub-signature-256': 'sha256=00',
    });
    expect(github.status).toBe(422);
    expect(github.body).toMatchObject(notConfigured);
    const unknownEvent = await webhook('github_event', {
      'x-github-event': 'issues',
      'x-github-hook-id': '42',
      'x-hub-signature-256': 'sha256=00',
    });
    expect(unknownEvent.status).toBe(422);
    expect(unknownEvent.body.type).toBe('InvalidParameterError');
    const unsigned = await webhook('github_event', { 'x-github-event': 'push', 'x-github-hook-id': '42' });
    expect(unsigned.status).toBe(422);
    expect(unsigned.body).toMatchObject({ type: 'InvalidParameterError' });
    expect(JSON.stringify(unsigned.body)).toContain('x-hub-signature-256');

    const gitlab = await webhook('gitlab_event', {
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': 'secret',
    });
    expect(gitlab.status).toBe(422);
    expect(gitlab.body).toMatchObject(notConfigured);
    expect((await webhook('gitlab_event', { 'x-gitlab-event': 'Push Hook' })).body.type).toBe(
      'InvalidParameterError',
    );
  });

  it('skips GitHub App events, which no installation here handles', async () => {
    const skipped = await webhook('github_app_event', {
      'x-github-event': 'installation',
      'x-hub-signature-256': 'sha256=00',
    });
    expect(skipped).toEqual({ status: 200, body: { status: 'skipped' } });
    const unsigned = await webhook('github_app_event', { 'x-github-event': 'installation' });
    expect(unsigned.status).toBe(422);
    const notJson = await webhook(
      'github_app_event',
      { 'x-github-event': 'push', 'x-hub-signature-256': 'x' },
      [1],
    );
    expect(notJson.status).toBe(422);
  });
});
