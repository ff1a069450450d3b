import { describe, expect, it } from 'vitest';
import { createRunningQueries } from './running-queries.ts';

const alice = { organizationId: 1, userId: 1 };
const bob = { organizationId: 1, userId: 2 };

/** A query that waits until its signal aborts, then rejects as an aborted engine call does. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

describe('running queries', () => {
  it('aborts the running query of that owner and id, and only it', async () => {
    const registry = createRunningQueries();
    const first = registry.run(alice, 'g1', untilAborted);
    let otherAborted = false;
    const other = registry.run(alice, 'g2', (signal) => {
      signal.addEventListener('abort', () => {
        otherAborted = true;
      });
      return Promise.resolve('done');
    });
    expect(registry.cancel(alice, ['g1', 'unknown'])).toEqual(['g1']);
    await expect(first).rejects.toThrow('aborted');
    await expect(other).resolves.toBe('done');
    expect(otherAborted).toBe(false);
  });

  it('does not let another user cancel a query', async () => {
    const registry = createRunningQueries();
    let settle: (value: string) => void = () => {};
    const query = registry.run(alice, 'g1', () => new Promise<string>((resolve) => (settle = resolve)));
    expect(registry.cancel(bob, ['g1'])).toEqual([]);
    settle('kept');
    await expect(query).resolves.toBe('kept');
  });

  it('forgets a query once it has settled', async () => {
    const registry = createRunningQueries();
    await registry.run(alice, 'g1', async () => 1);
    await expect(registry.run(alice, 'g2', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(registry.cancel(alice, ['g1', 'g2'])).toEqual([]);
  });

  it('aborts every running query sharing the id', async () => {
    const registry = createRunningQueries();
    const a = registry.run(alice, 'g', untilAborted);
    const b = registry.run(alice, 'g', untilAborted);
    expect(registry.cancel(alice, ['g'])).toEqual(['g']);
    await expect(a).rejects.toThrow();
    await expect(b).rejects.toThrow();
  });
});
