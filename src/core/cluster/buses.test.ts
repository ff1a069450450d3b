import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { REDIS_URL, redisAvailable } from '../../../test/support/redis.ts';
import { busConnectionName, type ClusterBus, type ClusterMessage } from './bus.ts';
import { openPostgresBus } from './postgres-bus.ts';
import { openRedisBus } from './redis-bus.ts';

const postgres = await createTempPostgres('rosetta_bus');
const redisUp = await redisAvailable();
afterAll(() => postgres.drop());

// Fast retries: the tests wait for a reconnect.
const backoff = { firstDelayMs: 20, maxDelayMs: 200 };

interface Transport {
  name: string;
  available: boolean;
  open(channel: string): Promise<ClusterBus>;
  /** Cuts the node's subscribing connection from the server side, as a failover or an admin would. */
  cut(bus: ClusterBus): Promise<number>;
}

const transports: Transport[] = [
  {
    name: 'PostgreSQL LISTEN/NOTIFY',
    available: postgres.available,
    open: (channel) => openPostgresBus({ url: postgres.url, channel, backoff }),
    async cut(bus) {
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      try {
        const killed = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [busConnectionName(bus.nodeId)],
        );
        return killed.rowCount ?? 0;
      } finally {
        await admin.end();
      }
    },
  },
  {
    name: 'Redis pub/sub',
    available: redisUp,
    open: (channel) => openRedisBus({ url: REDIS_URL, channel, backoff }),
    async cut(bus) {
      const admin = new Redis(REDIS_URL);
      try {
        const clients = (await admin.client('LIST')) as string;
        const ids = clients
          .split('\n')
          .filter((line) => line.includes(` name=${busConnectionName(bus.nodeId)}-sub `))
          .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1]);
        for (const id of ids) await admin.client('KILL', 'ID', id as string);
        return ids.length;
      } finally {
        admin.disconnect();
      }
    },
  },
];

/** What a node heard: the messages of others, and how often it came back after a cut. */
function listen(bus: ClusterBus) {
  const heard = { messages: [] as ClusterMessage[], reconnects: 0 };
  bus.subscribe({
    onMessage: (message) => {
      heard.messages.push(message);
    },
    onReconnect: () => {
      heard.reconnects++;
    },
  });
  return heard;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(transports)('the cluster bus on $name', (transport) => {
  const channel = `rosetta_test_${randomBytes(4).toString('hex')}`;
  const opened: ClusterBus[] = [];
  const node = async () => {
    const bus = await transport.open(channel);
    opened.push(bus);
    return bus;
  };
  afterAll(() => Promise.all(opened.map((bus) => bus.close())));

  it.skipIf(!transport.available)("carries a message to the other nodes, never to its sender's", async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    expect(new Set([a.nodeId, b.nodeId, c.nodeId]).size).toBe(3);
    const [heardByA, heardByB, heardByC] = [listen(a), listen(b), listen(c)];

    await a.publish({ event: 'connectionChanged', connectionId: 7 });
    await b.publish({ event: 'cacheInvalidated' });
    await eventually(() => heardByC.messages.length === 2, 'both messages at C');
    await eventually(() => heardByB.messages.length === 1 && heardByA.messages.length === 1, 'A and B');

    expect(heardByC.messages).toEqual(
      expect.arrayContaining([
        { event: 'connectionChanged', connectionId: 7 },
        { event: 'cacheInvalidated' },
      ]),
    );
    expect(heardByB.messages).toEqual([{ event: 'connectionChanged', connectionId: 7 }]);
    expect(heardByA.messages).toEqual([{ event: 'cacheInvalidated' }]);
    expect(heardByA.reconnects + heardByB.reconnects + heardByC.reconnects).toBe(0);
  });

  it.skipIf(!transport.available)('refuses a message too large for a NOTIFY payload', async () => {
    const a = await node();
    await expect(a.publish({ event: 'x'.repeat(8000) })).rejects.toThrow('cluster message over 7900 bytes');
  });

  it.skipIf(!transport.available)(
    'comes back after its connection is killed, tells its handlers, and hears again',
    async () => {
      const [a, b] = [await node(), await node()];
      const heardByB = listen(b);
      expect(await transport.cut(b)).toBe(1);
      await eventually(() => heardByB.reconnects === 1, 'the reconnect of B');

      await a.publish({ event: 'dataChanged', connectionId: 3, dataSourceId: 9 });
      await eventually(() => heardByB.messages.length === 1, 'the message after the reconnect');
      expect(heardByB.messages).toEqual([{ event: 'dataChanged', connectionId: 3, dataSourceId: 9 }]);
    },
  );
});
