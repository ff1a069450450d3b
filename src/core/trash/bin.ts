import type { Principal } from '../auth/principal.ts';

/** What can be in the trash; each module keeps its own kinds (`TrashBin`). */
export const trashKinds = ['dashboard', 'chart', 'data_source', 'connection'] as const;
export type TrashKind = (typeof trashKinds)[number];

/** A deleted thing as the trash lists it. */
export interface TrashItem {
  kind: TrashKind;
  id: number;
  uuid: string;
  name: string;
  /** The owner, when the kind has one (dashboards, charts). */
  ownerId: number | null;
  deletedAt: string;
  deletedBy: number | null;
}

/**
 * One module's part of the trash. Deleting moves a row to the trash (`deleted_at`); a trashed
 * row is absent from every read of its module. `list` holds what the caller may restore, and
 * `restore`/`purge` answer ERR_NOT_FOUND for anything else, so the trash leaks nothing.
 */
export interface TrashBin {
  kinds: readonly TrashKind[];
  list(principal: Principal): Promise<TrashItem[]>;
  restore(principal: Principal, kind: TrashKind, id: number): Promise<void>;
  /** Destroys it for good (what deleting did before there was a trash). */
  purge(principal: Principal, kind: TrashKind, id: number): Promise<void>;
  /** Destroys, in every organization, what went to the trash before `cutoff`; the count purged. */
  purgeBefore(cutoff: Date): Promise<number>;
}
