import { afterEach, describe, expect, it } from 'vitest';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { createJobService } from '../jobs/index.ts';
import { openJobStore, userPrincipal } from '../jobs/test-support.ts';
import { createCacheBusts } from './cache-busts.ts';

const developer = userPrincipal(2, 'developer');
const viewer = userPrincipal(3, 'viewer');

describe('cache busts', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setUp(ownerNow: Principal) {
    const { store, close } = await openJobStore('sqlite', '');
    const jobs = createJobService({ store, pollIntervalMs: 20 });
    const invalidated: Array<{ connectionId?: number }> = [];
    const busts = createCacheBusts({
      jobs,
      query: {
        invalidate(principal, scope = {}) {
          authorize(principal, 'cache.invalidate');
          invalidated.push(scope);
          return 4;
        },
      },
      owners: async () => ownerNow,
    });
    await jobs.start();
    cleanups.push(async () => {
      await jobs.stop();
      await close();
    });
    return { jobs, busts, invalidated };
  }

  it("drops the connection's cached results in a job that reports how many", async () => {
    const { jobs, busts, invalidated } = await setUp(developer);
    const job = await busts.enqueue(developer, 7);
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(done.status).toBe('success');
    expect(done.result).toEqual({ invalidated: 4 });
    expect(invalidated).toEqual([{ connectionId: 7 }]);
  });

  it('refuses a viewer at once, and a developer demoted before the job runs busts nothing', async () => {
    const { jobs, busts, invalidated } = await setUp(viewer);
    await expect(busts.enqueue(viewer, 7)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const job = await busts.enqueue(developer, 7);
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(done.status).toBe('failure');
    expect(invalidated).toEqual([]);
  });
});
