import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { createJobService } from '../jobs/index.ts';
import { openJobStore, userPrincipal } from '../jobs/test-support.ts';
import { createModelDeploys, type DeployTarget } from './model-deploys.ts';

const developer = userPrincipal(2, 'developer');
const editor = userPrincipal(3, 'editor');
const target: DeployTarget = { projectId: 1, connectionId: 4 };

describe('model deploys', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setUp(ownerNow: Principal) {
    const { store, close } = await openJobStore('sqlite', '');
    const jobs = createJobService({ store, pollIntervalMs: 20 });
    const deployed: Array<{ role: string; plan: unknown; target: DeployTarget }> = [];
    const deploys = createModelDeploys({
      jobs,
      owners: async () => ownerNow,
      formats: {
        toy: async (principal, plan, where) => {
          deployed.push({ role: principal.role, plan, target: where });
          return { models: 1 };
        },
      },
    });
    await jobs.start();
    cleanups.push(async () => {
      await jobs.stop();
      await close();
    });
    return { jobs, deploys, deployed };
  }

  it("runs the format's deploy of the plan as its owner, and stores its result", async () => {
    const { jobs, deploys, deployed } = await setUp(developer);
    const job = await deploys.enqueue(developer, 'toy', { models: ['a'] }, target);
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'success', result: { models: 1 } });
    expect(deployed).toEqual([{ role: 'developer', plan: { models: ['a'] }, target }]);
  });

  it('refuses an editor at once, fails an unknown format, and deploys nothing for a demoted owner', async () => {
    const { jobs, deploys, deployed } = await setUp(editor);
    await expect(deploys.enqueue(editor, 'toy', {}, target)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const unknown = await deploys.enqueue(developer, 'nope', {}, target);
    expect((await jobs.wait(unknown.id, { timeoutMs: 5000 })).status).toBe('failure');
    const demoted = await deploys.enqueue(developer, 'toy', {}, target);
    const done = await jobs.wait(demoted.id, { timeoutMs: 5000 });
    // The toy deploy does not authorize: the owner acts with their role now, capped by the key's.
    expect(done.status).toBe('success');
    expect(deployed).toEqual([{ role: 'editor', plan: {}, target }]);
  });
});
