import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * The one directory a DuckDB database may read and write besides its own files: its
 * `allowed_directories` once external access is off (`database.ts`). Rosetta's own file I/O goes
 * through it — a CSV to ingest is staged here before `read_csv` reads it, a `COPY … TO` writes
 * here before the file moves where the caller asked — each under an unguessable name and only for
 * the length of one statement. A staging area belongs to one database file, so user SQL on one
 * warehouse can never name the files another warehouse is staging.
 */
export class StagingArea {
  readonly directory: string;
  readonly #temporary: boolean;

  private constructor(directory: string, temporary: boolean) {
    this.directory = directory;
    this.#temporary = temporary;
  }

  /** `<file>.staging/` beside a database file; an in-memory database gets a temporary one. */
  static async of(databaseFile: string): Promise<StagingArea> {
    if (databaseFile === ':memory:' || databaseFile === '')
      return new StagingArea(await mkdtemp(join(tmpdir(), 'rosetta-staging-')), true);
    const area = new StagingArea(`${databaseFile}.staging`, false);
    await mkdir(area.directory, { recursive: true, mode: 0o700 });
    return area;
  }

  /** Removes what a crashed process left behind; only the process that owns the database may. */
  async clear(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
  }

  /**
   * Runs `work` on `file` staged under an unguessable name (a hard link, or a copy across file
   * systems), removed afterwards. The name keeps the file's extensions, from which DuckDB
   * tells a gzip-compressed CSV.
   */
  async withInput<T>(file: string, work: (staged: string) => Promise<T>): Promise<T> {
    const staged = this.#freshPath(file);
    await link(file, staged).catch(() => copyFile(file, staged));
    try {
      return await work(staged);
    } finally {
      await rm(staged, { force: true });
    }
  }

  /**
   * Runs `work`, which writes a file at the staged path it is given, then moves that file to
   * `target`; when `work` fails nothing is left in the staging area.
   */
  async withOutput<T>(target: string, work: (staged: string) => Promise<T>): Promise<T> {
    const staged = this.#freshPath(target);
    try {
      const result = await work(staged);
      await rename(staged, target).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EXDEV') throw error;
        await copyFile(staged, target);
      });
      return result;
    } finally {
      await rm(staged, { force: true });
    }
  }

  /** Deletes a temporary area (an in-memory database's); a file's area stays for the next start. */
  async dispose(): Promise<void> {
    if (this.#temporary) await rm(this.directory, { recursive: true, force: true });
  }

  #freshPath(like: string): string {
    const name = basename(like);
    const dot = name.indexOf('.', 1);
    return join(this.directory, randomUUID() + (dot > 0 ? name.slice(dot) : ''));
  }
}
