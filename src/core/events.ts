import type { DataSource } from './data/types.ts';
import type { IdKind } from './ids/index.ts';

/**
 * What the core announces after a change is committed. Reactions that belong to another part
 * (the query cache, folders) subscribe once in the composition root, so every face that changes
 * something gets the same reactions without knowing about them.
 */
export interface DomainEventMap {
  /** Rows of a data source were written; its version was bumped. */
  dataChanged: { dataSourceId: number; connectionId: number };
  /** A connection was changed or trashed: what was read through it may differ now. */
  connectionChanged: { connectionId: number };
  /**
   * A model was created, changed or deleted. The query cache does not need it: its key holds
   * the model version, which every change bumps.
   */
  modelChanged: { modelId: number; connectionId: number };
  /** A data source was purged from the trash (its row and storage table are gone). */
  sourceDeleted: { source: DataSource };
  /**
   * An object is gone for good (purged from the trash, or deleted without a trash): what refers
   * to it by id (the vendors' stored ids) lets it go. Not emitted for what can come back.
   */
  objectPurged: { organizationId: number; kind: IdKind; id: number };
  /** Cached query results were dropped on purpose (one connection's, or all). */
  cacheInvalidated: { connectionId?: number };
}

export type DomainEventName = keyof DomainEventMap;
/** `remote`: the change happened on another node (core/cluster relays it); this node only catches up. */
export interface EventOrigin {
  remote: boolean;
}
type Reaction<K extends DomainEventName> = (
  event: DomainEventMap[K],
  origin: EventOrigin,
) => void | Promise<void>;

export interface DomainEvents {
  on<K extends DomainEventName>(name: K, reaction: Reaction<K>): void;
  /** Runs every reaction in turn; a failing one is logged, never thrown: the change is committed. */
  emit<K extends DomainEventName>(name: K, event: DomainEventMap[K], origin?: EventOrigin): Promise<void>;
}

export function createDomainEvents(): DomainEvents {
  const reactions: { [K in DomainEventName]: Reaction<K>[] } = {
    dataChanged: [],
    connectionChanged: [],
    modelChanged: [],
    sourceDeleted: [],
    objectPurged: [],
    cacheInvalidated: [],
  };
  return {
    on(name, reaction) {
      reactions[name].push(reaction);
    },
    async emit(name, event, origin = { remote: false }) {
      for (const reaction of reactions[name]) {
        try {
          await reaction(event, origin);
        } catch (error) {
          console.error(`${name} reaction failed`, error);
        }
      }
    },
  };
}
