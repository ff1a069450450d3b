import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres } from './support/databases.ts';
import { demoSource, exportFile, getFile } from './support/exports.ts';

/**
 * Two whole servers on one PostgreSQL metadata database, each with its own data dir and no
 * ROSETTA_FILES_DIR: an export made through node A downloads through node B, whose disk never
 * held it (the file travels as a PostgreSQL large object).
 */
const database = await createTempPostgres('rosetta_shared_files_app');
// Every node signs and checks download links with the same secret.
const env = { ROSETTA_SECRET: 'one secret for every node of the cluster' };

describe.skipIf(!database.available)('an export made on one node downloads through another', () => {
  let nodeA: TestApp;
  let nodeB: TestApp | undefined;
  beforeAll(async () => {
    nodeA = await startTestApp({ databaseUrl: database.url, env });
  });
  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
    await database.drop();
  });

  it('by its signed link and by its job, byte for byte', async () => {
    expect(nodeA.rosetta.config.filesStore).toBe('postgres');
    const query = { source: await demoSource(nodeA), dimensions: ['country'], sorts: [{ field: 'country' }] };
    const made = await exportFile(nodeA, { query, format: 'csv' });
    expect(made.data.toString('utf8')).toMatch(/^country\r?\n/);

    // Started once the job is done, so node B cannot be the one that ran it.
    nodeB = await startTestApp({ databaseUrl: database.url, demo: false, env });
    const byLink = await getFile(nodeB, made.job.result.downloadUrl, null);
    expect(byLink.status, byLink.text).toBe(200);
    expect(byLink.data.equals(made.data)).toBe(true);
    const byJob = await getFile(nodeB, `/api/jobs/${made.job.id}/download`);
    expect(byJob.status, byJob.text).toBe(200);
    expect(byJob.data.equals(made.data)).toBe(true);
  });
});
