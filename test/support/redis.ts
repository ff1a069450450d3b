import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether the machine's Redis answers. Under `CI=true` a missing Redis fails the run; on a
 * developer's machine its tests skip, loudly.
 */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') throw new Error(`Redis is not reachable on CI (${reason})`);
    console.warn(`\n!!! Redis is not reachable (${reason}): tests that need it are SKIPPED !!!\n`);
    return false;
  } finally {
    client.disconnect();
  }
}
