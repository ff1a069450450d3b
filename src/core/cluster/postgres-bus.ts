import pg from 'pg';
import {
  backoffDelay,
  busConnectionName,
  CLUSTER_CHANNEL,
  type ClusterBus,
  createBusCore,
  defaultBackoff,
  type ReconnectBackoff,
} from './bus.ts';

export interface PostgresBusOptions {
  url: string;
  channel?: string;
  backoff?: ReconnectBackoff;
}

/**
 * The cluster bus on the metadata database's LISTEN/NOTIFY. One dedicated connection listens and
 * is re-opened (with backoff) whenever it drops; messages are sent through a separate one-connection
 * pool, so a node whose listener is down still tells the others.
 */
export async function openPostgresBus(options: PostgresBusOptions): Promise<ClusterBus> {
  const channel = options.channel ?? CLUSTER_CHANNEL;
  const backoff = options.backoff ?? defaultBackoff;
  const core = createBusCore('PostgreSQL');
  // A bounded wait: an unreachable database fails the publish instead of holding the change that emits it.
  const sender = new pg.Pool({ connectionString: options.url, max: 1, connectionTimeoutMillis: 5000 });
  // An idle pooled connection killed by the server must not crash the process: the next query reconnects.
  sender.on('error', () => {});
  let listener: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  async function listen(): Promise<pg.Client> {
    // Named after the node, so an operator (or a test) can tell the listeners apart in pg_stat_activity.
    const client = new pg.Client({
      connectionString: options.url,
      application_name: busConnectionName(core.nodeId),
    });
    client.on('notification', (notice) => {
      if (notice.channel === channel && notice.payload !== undefined) void core.receive(notice.payload);
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    client.once('end', () => {
      if (listener === client) listener = undefined;
      if (closed) return;
      console.warn('cluster bus (PostgreSQL): the LISTEN connection was lost; reconnecting');
      reconnect(0);
    });
    return client;
  }

  function reconnect(attempt: number): void {
    retry = setTimeout(
      async () => {
        retry = undefined;
        if (closed) return;
        try {
          const client = await listen();
          if (closed) {
            await client.end();
            return;
          }
          listener = client;
          await core.reconnected();
        } catch (error) {
          console.error(`cluster bus (PostgreSQL): reconnect attempt ${attempt + 1} failed`, error);
          reconnect(attempt + 1);
        }
      },
      backoffDelay(backoff, attempt),
    );
  }

  try {
    listener = await listen();
  } catch (error) {
    await sender.end();
    throw error;
  }
  return {
    nodeId: core.nodeId,
    async publish(message) {
      await sender.query('SELECT pg_notify($1, $2)', [channel, core.encode(message)]);
    },
    subscribe(handler) {
      core.handlers.push(handler);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await listener?.end().catch(() => {});
      await sender.end();
    },
  };
}
