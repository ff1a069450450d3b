import { describe, expect, it, vi } from 'vitest';
import type { CompiledQuery } from '../../engines/types.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import { createQueryCache, type QueryCache } from '../query/cache.ts';
import { type ClusterBus, createBusCore } from './bus.ts';
import { createClusterRelay } from './relay.ts';

/** Nodes on an in-memory wire: what one publishes, every node receives as the real buses would. */
function createWire() {
  const cores: ReturnType<typeof createBusCore>[] = [];
  return {
    node(): { bus: ClusterBus; deliver(raw: string): Promise<void>; reconnect(): Promise<void> } {
      const core = createBusCore('memory');
      cores.push(core);
      const bus: ClusterBus = {
        nodeId: core.nodeId,
        async publish(message) {
          const raw = core.encode(message);
          for (const each of cores) await each.receive(raw);
        },
        subscribe: (handler) => core.handlers.push(handler),
        close: async () => {},
      };
      return { bus, deliver: core.receive, reconnect: core.reconnected };
    },
  };
}

interface Node {
  events: DomainEvents;
  cache: QueryCache;
  engines: { invalidate: ReturnType<typeof vi.fn>; revalidate: ReturnType<typeof vi.fn> };
  /** How often each local reaction ran (as app.ts subscribes them). */
  reactions: string[];
  deliver(raw: string): Promise<void>;
  reconnect(): Promise<void>;
}

function startNode(wire: ReturnType<typeof createWire>): Node {
  const { bus, deliver, reconnect } = wire.node();
  const events = createDomainEvents();
  const cache = createQueryCache();
  const engines = {
    invalidate: vi.fn(async (_connectionId: number) => {}),
    revalidate: vi.fn(async () => {}),
  };
  const reactions: string[] = [];
  events.on('dataChanged', ({ connectionId }) => {
    reactions.push('dataChanged');
    cache.invalidate({ connectionId });
  });
  events.on('connectionChanged', ({ connectionId }) => {
    reactions.push('connectionChanged');
    cache.invalidate({ connectionId });
  });
  createClusterRelay({ events, bus, cache, engines });
  return { events, cache, engines, reactions, deliver, reconnect };
}

const query: CompiledQuery = { sql: 'SELECT 1', params: [] };
const warm = (node: Node, connectionId: number) =>
  node.cache.set(
    { dialect: 'duckdb', connectionId, modelVersion: 1, query },
    { columns: [], rows: [[connectionId]], truncated: false },
  );

describe('the cluster relay', () => {
  it("replays a connection change on the other nodes: the engine is closed, that connection's cache dropped", async () => {
    const wire = createWire();
    const [a, b] = [startNode(wire), startNode(wire)];
    for (const node of [a, b]) {
      warm(node, 1);
      warm(node, 2);
    }
    await a.events.emit('connectionChanged', { connectionId: 1 });

    expect(b.engines.invalidate.mock.calls).toEqual([[1]]);
    expect(b.cache.stats().entries).toBe(1);
    expect(b.reactions).toEqual(['connectionChanged']);
    // A did its own part when it changed the connection; the relay does not repeat it there.
    expect(a.engines.invalidate).not.toHaveBeenCalled();
    expect(a.reactions).toEqual(['connectionChanged']);
  });

  it('relays data changes and explicit invalidations once: a replayed event is not published again', async () => {
    const wire = createWire();
    const [a, b, c] = [startNode(wire), startNode(wire), startNode(wire)];
    for (const node of [a, b, c]) {
      warm(node, 1);
      warm(node, 2);
    }
    await a.events.emit('dataChanged', { dataSourceId: 5, connectionId: 2 });
    expect([b.cache.stats().entries, c.cache.stats().entries]).toEqual([1, 1]);
    expect([a.reactions, b.reactions, c.reactions]).toEqual([
      ['dataChanged'],
      ['dataChanged'],
      ['dataChanged'],
    ]);

    await b.events.emit('cacheInvalidated', {});
    expect([a.cache.stats().entries, c.cache.stats().entries]).toEqual([0, 0]);
    // B's own invalidation is the query service's: the relay only tells the others.
    expect(b.cache.stats().entries).toBe(1);
  });

  it('drops the whole cache and revalidates the engines when the bus comes back after a cut', async () => {
    const wire = createWire();
    const a = startNode(wire);
    warm(a, 1);
    warm(a, 2);
    await a.reconnect();
    expect(a.cache.stats().entries).toBe(0);
    expect(a.engines.revalidate).toHaveBeenCalledOnce();
  });

  it.each([
    ['not JSON', '{'],
    ['no node', '{"event":"cacheInvalidated"}'],
    ['a bad id', '{"node":"x","event":"connectionChanged","connectionId":"1; DROP"}'],
    ['an unknown event', '{"node":"x","event":"somethingNew","connectionId":1}'],
    ['a data change without its source', '{"node":"x","event":"dataChanged","connectionId":1}'],
  ])('ignores a message with %s', async (_case, raw) => {
    const a = startNode(createWire());
    warm(a, 1);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await a.deliver(raw);
    expect(logged.mock.calls.length + warned.mock.calls.length).toBe(1);
    logged.mockRestore();
    warned.mockRestore();
    expect(a.cache.stats().entries).toBe(1);
    expect(a.engines.invalidate).not.toHaveBeenCalled();
    expect(a.engines.revalidate).not.toHaveBeenCalled();
  });
});
