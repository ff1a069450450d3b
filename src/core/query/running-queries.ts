/**
 * Running queries by the id their caller gave them (a client-made guid), so the same caller can
 * cancel them from another request (Sisense's `cancel_queries`). Queries are kept per owner
 * (organization and user): a caller cancels only its own. The registry holds only live queries:
 * `run` forgets a query when it settles, whichever way.
 */
export interface RunningQueries {
  /** Runs `query` with a signal that `cancel` of the same owner and id aborts. */
  run<T>(owner: QueryOwner, id: string, query: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Aborts the owner's running queries with these ids; answers the ids that were running. */
  cancel(owner: QueryOwner, ids: readonly string[]): string[];
}

export interface QueryOwner {
  organizationId: number;
  userId: number;
}

const keyOf = (owner: QueryOwner, id: string): string => `${owner.organizationId}:${owner.userId}:${id}`;

export function createRunningQueries(): RunningQueries {
  /** Several queries may share an id (a client re-sending one): cancel aborts them all. */
  const running = new Map<string, Set<AbortController>>();
  return {
    async run(owner, id, query) {
      const key = keyOf(owner, id);
      const controller = new AbortController();
      const same = running.get(key) ?? new Set<AbortController>();
      same.add(controller);
      running.set(key, same);
      try {
        return await query(controller.signal);
      } finally {
        same.delete(controller);
        if (same.size === 0 && running.get(key) === same) running.delete(key);
      }
    },
    cancel(owner, ids) {
      return ids.filter((id) => {
        const same = running.get(keyOf(owner, id));
        if (!same) return false;
        for (const controller of same) controller.abort();
        return true;
      });
    },
  };
}
