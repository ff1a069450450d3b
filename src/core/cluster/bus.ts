import { randomUUID } from 'node:crypto';

/**
 * What one node tells the others: a change that may make their cached results or open engines
 * stale. Kept tiny on purpose (a PostgreSQL NOTIFY payload must stay under 8000 bytes).
 */
export interface ClusterMessage {
  event: string;
  connectionId?: number;
  dataSourceId?: number;
}

export interface ClusterHandler {
  /** A message published by another node. */
  onMessage(message: ClusterMessage): void | Promise<void>;
  /** The bus was cut off and is back: whatever was published meanwhile is lost, so trust nothing cached. */
  onReconnect(): void | Promise<void>;
}

/** How the nodes sharing one metadata store reach each other; a node never hears its own messages. */
export interface ClusterBus {
  readonly nodeId: string;
  publish(message: ClusterMessage): Promise<void>;
  subscribe(handler: ClusterHandler): void;
  close(): Promise<void>;
}

export const CLUSTER_CHANNEL = 'rosetta_cluster';
export const MAX_MESSAGE_BYTES = 7900;

export const busConnectionName = (nodeId: string): string => `rosetta-bus-${nodeId}`;

export interface ReconnectBackoff {
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultBackoff: ReconnectBackoff = { firstDelayMs: 100, maxDelayMs: 10_000 };

/** Doubling delays from the first to the cap: a restarting server is not hammered. */
export const backoffDelay = (backoff: ReconnectBackoff, attempt: number): number =>
  Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** Math.min(attempt, 20));

/** One node alone (SQLite metadata, no Redis): nobody else to tell. */
export function createLocalBus(): ClusterBus {
  return {
    nodeId: randomUUID(),
    publish: async () => {},
    subscribe: () => {},
    close: async () => {},
  };
}

/**
 * What the network implementations share: the node id, the wire format and the fan-out to
 * handlers. A handler that fails is logged; the bus keeps going.
 */
export function createBusCore(transport: string) {
  const nodeId = randomUUID();
  const handlers: ClusterHandler[] = [];
  const each = async (call: (handler: ClusterHandler) => void | Promise<void>, what: string) => {
    for (const handler of handlers) {
      try {
        await call(handler);
      } catch (error) {
        console.error(`cluster bus (${transport}): ${what} handler failed`, error);
      }
    }
  };
  return {
    nodeId,
    handlers,
    encode(message: ClusterMessage): string {
      const text = JSON.stringify({ ...message, node: nodeId });
      if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES)
        throw new Error(`cluster message over ${MAX_MESSAGE_BYTES} bytes: ${text.slice(0, 200)}`);
      return text;
    },
    /** Hands a raw payload to the handlers unless it is this node's own or not a message at all. */
    async receive(text: string): Promise<void> {
      const message = decodeMessage(text);
      if (!message) {
        console.error(`cluster bus (${transport}): ignored a malformed message: ${text.slice(0, 200)}`);
        return;
      }
      if (message.node === nodeId) return;
      const { node: _node, ...body } = message;
      await each((handler) => handler.onMessage(body), 'message');
    },
    reconnected: () => each((handler) => handler.onReconnect(), 'reconnect'),
  };
}

const optionalId = (value: unknown): boolean =>
  value === undefined || (Number.isSafeInteger(value) && (value as number) > 0);

function decodeMessage(text: string): (ClusterMessage & { node: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { node, event, connectionId, dataSourceId } = value as Record<string, unknown>;
  if (typeof node !== 'string' || typeof event !== 'string') return undefined;
  if (!optionalId(connectionId) || !optionalId(dataSourceId)) return undefined;
  return {
    node,
    event,
    ...(connectionId === undefined ? {} : { connectionId: connectionId as number }),
    ...(dataSourceId === undefined ? {} : { dataSourceId: dataSourceId as number }),
  };
}
