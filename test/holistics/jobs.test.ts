import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialScope } from '../../src/core/auth/index.ts';
import { QUERY_JOB_TYPE } from '../../src/core/query/index.ts';
import { datasetIdOf } from '../../src/http/dialects/holistics/dataset-ids.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, runDatasetQuery, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

/**
 * Jobs: a dataset query's job as `Job` (with its source on request), its logs, its result in
 * every state (`WithData`, `WithFailureData`, `EmptyData`), other job types, and other users'
 * jobs hidden as the core hides them.
 */

let app: TestApp;
let sourceUuid: string;
let sourceDataset: number;
let explorer: { id: number; key: string };
let other: { id: number; key: string };
let explorerJob: number;

const countQuery = { metrics: [{ field: 'demo_sales.quantity', aggregation: 'count' }] };

/** A query job enqueued straight on the core, for states the face cannot cause on demand. */
async function coreQueryJob(source: string, runAfter?: Date) {
  const { auth, jobs } = app.rosetta.services;
  const admin = await auth.authenticate(ADMIN_KEY);
  const ir = {
    dimensions: [],
    metrics: [{ kind: 'aggregate', aggregation: 'count' }],
    sorts: [],
    offset: 0,
    aggregate: true,
  };
  const payload = { source, ir, scope: credentialScope(admin) };
  return jobs.enqueue(admin, QUERY_JOB_TYPE, payload, runAfter ? { runAfter } : {});
}

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  const source = await demoSource(app);
  sourceUuid = source.uuid;
  sourceDataset = datasetIdOf({ kind: 'source', id: source.id });
  explorer = await userKey(app, 'explorer@jobs.test', 'interactive_viewer');
  other = await userKey(app, 'other@jobs.test', 'interactive_viewer');
  explorerJob = (await runDatasetQuery(app, sourceDataset, countQuery, explorer.key)).jobId;
}, 120_000);
afterAll(() => app?.close());

describe('GET /jobs/{id}', () => {
  it('shows a dataset query job, its source on request', async () => {
    const plain = await hx(app, 'GET', `/jobs/${explorerJob}`, undefined, { key: explorer.key });
    expect(plain.status).toBe(200);
    expect(plain.body.job).toMatchObject({
      id: explorerJob,
      user_id: explorer.id,
      status: 'success',
      cancellable: false,
      last_error_log: null,
      source: null,
    });
    expect(plain.body.job.end_time).toEqual(expect.any(String));
    const sourced = await hx(app, 'GET', `/jobs/${explorerJob}?include_source=true`, undefined, {
      key: explorer.key,
    });
    expect(sourced.body.job.source).toEqual({ type: 'DataSet', id: sourceDataset, action: 'submit_query' });
  });

  it("hides another user's job (404) but shows every job to an admin", async () => {
    for (const path of [`/jobs/${explorerJob}`, `/jobs/${explorerJob}/result`, `/jobs/${explorerJob}/logs`]) {
      const hidden = await hx(app, 'GET', path, undefined, { key: other.key });
      expect(hidden.status, path).toBe(404);
    }
    expect((await hx(app, 'GET', `/jobs/${explorerJob}`)).status).toBe(200);
  });
});

describe('GET /jobs', () => {
  it('lists the jobs of the ids given, ignoring those that name nothing', async () => {
    const answer = await hx(
      app,
      'GET',
      `/jobs?ids[]=${explorerJob}&ids[]=999999&include_source=true`,
      undefined,
      {
        key: explorer.key,
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.jobs).toHaveLength(1);
    expect(answer.body.jobs[0]).toMatchObject({ id: explorerJob, source: { type: 'DataSet' } });
    const hidden = await hx(app, 'GET', `/jobs?ids=${explorerJob}`, undefined, { key: other.key });
    expect(hidden.body.jobs).toEqual([]);
  });

  it('refuses more than 100 ids and a missing ids, naming the field', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `ids[]=${i + 1}`).join('&');
    const tooMany = await hx(app, 'GET', `/jobs?${many}`);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.details.field).toBe('ids');
    expect((await hx(app, 'GET', '/jobs')).status).toBe(422);
  });
});

describe('GET /jobs/{id}/logs', () => {
  it('tells what the job went through', async () => {
    const answer = await hx(app, 'GET', `/jobs/${explorerJob}/logs`, undefined, { key: explorer.key });
    expect(answer.status).toBe(200);
    const messages = answer.body.job_logs.map((log: { message: string }) => log.message);
    expect(messages[0]).toMatch(/created/);
    expect(messages).toContain('Job started');
    expect(messages.some((message: string) => /1 rows kept/.test(message))).toBe(true);
    expect(messages[messages.length - 1]).toBe('Job finished successfully');
    expect(answer.body.job_logs.every((log: { level: string }) => log.level === 'INFO')).toBe(true);
  });
});

describe('GET /jobs/{id}/result', () => {
  it('answers the failure of a failed query job, its error in the job and the logs', async () => {
    const job = await coreQueryJob('no_such_model');
    await waitForJob(app, job.id);
    const result = await hx(app, 'GET', `/jobs/${job.id}/result`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'failure', error: 'RecordNotFound' });
    const shown = await hx(app, 'GET', `/jobs/${job.id}`);
    expect(shown.body.job).toMatchObject({
      status: 'failure',
      last_error_log: expect.stringMatching(/not found/),
    });
    const logs = await hx(app, 'GET', `/jobs/${job.id}/logs`);
    expect(logs.body.job_logs.at(-1)).toMatchObject({
      level: 'ERROR',
      message: expect.stringMatching(/^Job failed/),
    });
  });

  it('answers an empty result while the job waits, and its data once it ran', async () => {
    const job = await coreQueryJob(sourceUuid, new Date(Date.now() + 60 * 60_000));
    const waiting = await hx(app, 'GET', `/jobs/${job.id}/result`);
    expect(waiting.body).toEqual({ status: 'queued', error: null, result: null });
    const shown = await hx(app, 'GET', `/jobs/${job.id}?include_source=true`);
    expect(shown.body.job).toMatchObject({ cancellable: true, source: { type: 'Query', action: 'execute' } });
  });

  it('shows a query job of another face with its result columns', async () => {
    const job = await coreQueryJob(sourceUuid);
    await waitForJob(app, job.id);
    const result = await hx(app, 'GET', `/jobs/${job.id}/result`);
    expect(result.body.result.data).toEqual({
      values: [['100000']],
      meta: { page: 1, page_size: -1, num_rows: 1 },
      fields: ['count'],
    });
  });

  it('refuses the data result of a job that is not a query (an export is downloaded)', async () => {
    const queued = await app.request('POST', '/api/exports', {
      query: { source: sourceUuid, dimensions: ['country'] },
      format: 'csv',
    });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    const job = await waitForJob(app, queued.body.job.id);
    expect(job.status).toBe('success');
    const result = await hx(app, 'GET', `/jobs/${job.id}/result`);
    expect(result.status).toBe(422);
    const shown = await hx(app, 'GET', `/jobs/${job.id}?include_source=true`);
    expect(shown.body.job.source).toMatchObject({ type: 'DataSet', action: 'export' });
  });
});
