import type { EngineRegistry } from '../data/engine-registry.ts';
import type { DomainEventMap, DomainEvents, EventOrigin } from '../events.ts';
import type { QueryCache } from '../query/cache.ts';
import type { ClusterBus, ClusterMessage } from './bus.ts';

/** The events after which another node may hold stale cached results or an engine with old settings. */
const RELAYED = ['dataChanged', 'connectionChanged', 'cacheInvalidated'] as const;
type RelayedName = (typeof RELAYED)[number];

const REMOTE: EventOrigin = { remote: true };

/**
 * Carries those events between nodes. Subscribed last in the composition root, so this node's own
 * reactions have run before the others are told. A message from another node replays there what the
 * emitter did besides emitting (closing the connection's engine, dropping the cache), then emits the
 * event as remote: the local reactions run and it is not published again.
 */
export function createClusterRelay(deps: {
  events: DomainEvents;
  bus: ClusterBus;
  cache: Pick<QueryCache, 'invalidate' | 'clear'>;
  engines: Pick<EngineRegistry, 'invalidate' | 'revalidate'>;
}): void {
  for (const name of RELAYED) {
    deps.events.on(name, async (event, origin) => {
      if (!origin.remote) await deps.bus.publish({ event: name, ...event });
    });
  }
  deps.bus.subscribe({
    onMessage: (message) => replay(deps, message),
    // Messages published while the bus was down are lost: nothing cached can be trusted, and an
    // open engine may hold settings changed meanwhile. Engines first: a result a stale engine gave
    // in between is then dropped with the rest.
    onReconnect: async () => {
      await deps.engines.revalidate();
      deps.cache.clear();
    },
  });
}

async function replay(
  deps: Parameters<typeof createClusterRelay>[0],
  message: ClusterMessage,
): Promise<void> {
  const { event, connectionId, dataSourceId } = message;
  if (!isRelayed(event)) {
    console.warn(`cluster relay: ignored an unknown event "${event}" (a node of another version?)`);
    return;
  }
  if (event === 'cacheInvalidated') {
    const scope: DomainEventMap['cacheInvalidated'] = connectionId === undefined ? {} : { connectionId };
    deps.cache.invalidate(scope);
    await deps.events.emit(event, scope, REMOTE);
    return;
  }
  if (connectionId === undefined || (event === 'dataChanged' && dataSourceId === undefined)) {
    console.warn(`cluster relay: ignored "${event}" without its ids`);
    return;
  }
  if (event === 'connectionChanged') {
    await deps.engines.invalidate(connectionId);
    await deps.events.emit(event, { connectionId }, REMOTE);
  } else {
    await deps.events.emit(event, { connectionId, dataSourceId: dataSourceId as number }, REMOTE);
  }
}

const isRelayed = (event: string): event is RelayedName => (RELAYED as readonly string[]).includes(event);
