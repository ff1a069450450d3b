import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { type PageKey, sortedBy } from '../paging.ts';
import { type TrashBin, type TrashItem, type TrashKind, trashKinds } from './bin.ts';

export { type TrashBin, type TrashItem, type TrashKind, trashKinds } from './bin.ts';

/**
 * Newest deletion first. Ids repeat across kinds, so the kind breaks ties; a later deletion sorts
 * before every cursor handed out, so pages neither skip nor repeat.
 */
export const trashOrder: PageKey<TrashItem> = {
  parts: ['text', 'text', 'integer'],
  of: (item) => [item.deletedAt, item.kind, item.id],
  order: 'descending',
};

/** Days a deleted thing stays in the trash before it is purged for good. */
export const TRASH_RETENTION_DAYS = 30;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The trash across modules: each module keeps its own kinds (`TrashBin`), this service routes by
 * kind and purges what is older than the retention once an hour.
 */
export interface TrashService {
  /** What the caller may restore, newest first. */
  list(principal: Principal): Promise<TrashItem[]>;
  restore(principal: Principal, kind: unknown, id: unknown): Promise<void>;
  purge(principal: Principal, kind: unknown, id: unknown): Promise<void>;
  /** Purges what was deleted more than the retention ago; the count purged. */
  purgeExpired(): Promise<number>;
  start(): Promise<void>;
  stop(): void;
}

export function createTrashService(options: {
  bins: TrashBin[];
  retentionDays?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}): TrashService {
  const now = options.now ?? (() => new Date());
  const retentionMs = (options.retentionDays ?? TRASH_RETENTION_DAYS) * DAY_MS;
  let timer: NodeJS.Timeout | undefined;

  function binOf(kind: unknown, id: unknown): { bin: TrashBin; kind: TrashKind; id: number } {
    const bin = options.bins.find((b) => b.kinds.includes(kind as TrashKind));
    if (!bin) throw validationError('kind', `must be one of ${trashKinds.join(', ')}`);
    const number = Number(id);
    if (!Number.isSafeInteger(number) || number < 1)
      throw validationError('id', 'must be a positive integer');
    return { bin, kind: kind as TrashKind, id: number };
  }

  const purgeExpired = async () => {
    const cutoff = new Date(now().getTime() - retentionMs);
    let purged = 0;
    for (const bin of options.bins) purged += await bin.purgeBefore(cutoff);
    return purged;
  };

  return {
    async list(principal) {
      authorize(principal, 'dashboard.edit');
      const items = (await Promise.all(options.bins.map((bin) => bin.list(principal)))).flat();
      return sortedBy(items, trashOrder);
    },
    async restore(principal, kind, id) {
      authorize(principal, 'dashboard.edit');
      const target = binOf(kind, id);
      await target.bin.restore(principal, target.kind, target.id);
    },
    async purge(principal, kind, id) {
      authorize(principal, 'dashboard.edit');
      const target = binOf(kind, id);
      await target.bin.purge(principal, target.kind, target.id);
    },
    purgeExpired,
    async start() {
      await purgeExpired();
      timer = setInterval(() => {
        purgeExpired().catch(options.onError ?? ((error) => console.error('trash purge:', error)));
      }, HOUR_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
