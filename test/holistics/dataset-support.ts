import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { type HolisticsResponse, hx, waitForJob } from './support.ts';

/** Shared steps of the dataset and job tests: users with keys, and a dataset query run to its result. */

const PASSWORD = 'a long password 1';

/** A user of that role (and attribute values) with an API key of their own, as X-Holistics-Key takes it. */
export async function userKey(
  app: TestApp,
  email: string,
  role: string,
  attributes?: Record<string, string[]>,
): Promise<{ id: number; key: string }> {
  const user = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  if (attributes) {
    const set = await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
    expect(set.status, JSON.stringify(set.body)).toBeLessThan(300);
  }
  const { auth } = app.rosetta.services;
  const session = await auth.login(email, PASSWORD);
  const { key } = await auth.createApiKey(await auth.authenticate(session.token), { name: 'holistics' });
  return { id: user.body.id, key };
}

/** The demo source as the native API lists it. */
export async function demoSource(app: TestApp): Promise<{ id: number; uuid: string; connectionId: number }> {
  const sources = await app.request('GET', '/api/data-sources');
  return sources.body.items.find((source: { name: string }) => source.name === 'demo_sales');
}

/** Submits a dataset query, waits for its job and answers `/jobs/{id}/result`. */
export async function runDatasetQuery(
  app: TestApp,
  dataSetId: number,
  query: unknown,
  key?: string,
): Promise<HolisticsResponse & { jobId: number }> {
  const submitted = await hx(app, 'POST', `/data_sets/${dataSetId}/submit_query`, { query }, { key });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  const job = await waitForJob(app, submitted.body.job.id, key);
  const result = await hx(app, 'GET', `/jobs/${job.id}/result`, undefined, { key });
  return { ...result, jobId: job.id };
}
