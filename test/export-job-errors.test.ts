import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialScope } from '../src/core/auth/credential-scope.ts';
import { EXPORT_JOB_TYPE } from '../src/core/exports/service.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';
import { demoSource, waitForJob } from './support/exports.ts';

/**
 * A job keeps the code of its failure: an export whose query went stale between the check at
 * enqueue and the run (a column renamed meanwhile) reports ERR_VALIDATION and the field, not
 * only a message to parse.
 */
describe('a failed export job', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers the code, reason and field of its failure on GET /api/jobs/{id}', async () => {
    const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
    const source = await demoSource(app);
    // The payload POST /api/exports writes, for a query that passed its check at enqueue and went
    // stale before the run: its field is unknown now.
    const job = await app.rosetta.services.jobs.enqueue(admin, EXPORT_JOB_TYPE, {
      target: { query: { source, dimensions: ['colour'] } },
      format: 'csv',
      rules: [],
      scope: credentialScope(admin),
    });

    const failed = await waitForJob(app, job.id);
    expect(failed).toMatchObject({
      status: 'failure',
      error: 'dimensions[0].field: unknown field "colour"',
      errorDetail: { code: 'ERR_VALIDATION', reason: 'query.unknown_field', field: 'dimensions[0].field' },
    });
  });
});
