import { Redis, type RedisOptions } from 'ioredis';
import {
  backoffDelay,
  busConnectionName,
  CLUSTER_CHANNEL,
  type ClusterBus,
  createBusCore,
  defaultBackoff,
  type ReconnectBackoff,
} from './bus.ts';

export interface RedisBusOptions {
  url: string;
  channel?: string;
  backoff?: ReconnectBackoff;
}

/**
 * The cluster bus on Redis pub/sub: a subscribing connection and a publishing one (a subscribed
 * Redis connection can do nothing else). ioredis reconnects both with our backoff; the channel is
 * subscribed again by hand, so the cache is dropped only once the subscription is back.
 */
export async function openRedisBus(options: RedisBusOptions): Promise<ClusterBus> {
  const channel = options.channel ?? CLUSTER_CHANNEL;
  const backoff = options.backoff ?? defaultBackoff;
  const core = createBusCore('Redis');
  const connect = (role: string, extra: RedisOptions = {}) =>
    new Redis(options.url, {
      ...extra,
      // Named after the node, so an operator (or a test) can tell the connections apart in CLIENT LIST.
      connectionName: `${busConnectionName(core.nodeId)}-${role}`,
      lazyConnect: true,
      autoResubscribe: false,
      retryStrategy: (attempt) => backoffDelay(backoff, attempt - 1),
    });
  const subscriber = connect('sub');
  // Publishing fails at once while Redis is away, instead of holding the change that emits it.
  const publisher = connect('pub', { enableOfflineQueue: false });
  // Without a listener ioredis prints every error with its stack; one line per failed attempt is enough.
  // The publisher's are the same outage, and a failed publish is logged by the event it relays.
  subscriber.on('error', (error) => console.warn(`cluster bus (Redis): ${error.message}`));
  publisher.on('error', () => {});
  subscriber.on('message', (from: string, payload: string) => {
    if (from === channel) void core.receive(payload);
  });

  try {
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe(channel);
  } catch (error) {
    subscriber.disconnect();
    publisher.disconnect();
    // ioredis says only "Connection is closed": name what was being reached, not the URL (it may hold a password).
    throw new Error(`the cluster bus cannot reach Redis (ROSETTA_REDIS_URL): ${(error as Error).message}`, {
      cause: error,
    });
  }
  // 'ready' again means the connection dropped and came back: messages may have been missed.
  subscriber.on('ready', async () => {
    try {
      await subscriber.subscribe(channel);
      await core.reconnected();
    } catch (error) {
      console.error('cluster bus (Redis): subscribing again failed', error);
    }
  });
  return {
    nodeId: core.nodeId,
    async publish(message) {
      await publisher.publish(channel, core.encode(message));
    },
    subscribe(handler) {
      core.handlers.push(handler);
    },
    async close() {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
