/**
 * A fixed set of resources handed out one caller at a time; callers beyond the set wait in
 * arrival order. DuckDB runs one statement per connection, so its engine shares a few this way.
 */
export class ResourcePool<T> {
  readonly #idle: T[];
  readonly #waiting: ((resource: T) => void)[] = [];
  /** How many resources the pool holds, idle or handed out. */
  readonly size: number;

  constructor(resources: T[]) {
    this.#idle = [...resources];
    this.size = resources.length;
  }

  acquire(): Promise<T> {
    const resource = this.#idle.pop();
    if (resource !== undefined) return Promise.resolve(resource);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(resource: T): void {
    const next = this.#waiting.shift();
    if (next) next(resource);
    else this.#idle.push(resource);
  }

  async use<R>(work: (resource: T) => Promise<R>): Promise<R> {
    const resource = await this.acquire();
    try {
      return await work(resource);
    } finally {
      this.release(resource);
    }
  }
}
