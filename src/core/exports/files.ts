/**
 * Export files on disk and the signed links that download them. Each export owns a directory
 * `<filesDir>/exports/<key>/` holding its one file under its download name, so a link needs only
 * the key: no database read on the public download route, and a cleanup that deletes whole
 * directories by age. The file is published to the shared store once complete, so a link made
 * on one node downloads through any other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { RosettaError } from '../errors.ts';
import { removeExpired } from '../expiry.ts';
import { directoryFiles, type SharedFiles } from '../files/index.ts';
import type { ExportFormat } from './target.ts';

export const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  png: 'image/png',
  zip: 'application/zip',
};

export interface StoredFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
}

const KEY_PATTERN = /^[0-9a-f-]{36}$/;

/** A download name from a title: letters, digits, spaces, dots, dashes; never a path. */
export function fileNameOf(title: string, format: ExportFormat, date: Date): string {
  const base =
    title
      .replace(/[^\p{L}\p{N} ._-]+/gu, '_')
      .replace(/^[._\s]+/, '')
      .slice(0, 100)
      .trim() || 'export';
  return `${base} ${date.toISOString().slice(0, 10)}.${format}`;
}

export function createFileStore(options: {
  filesDir: string;
  sharedFiles?: SharedFiles;
  secret: string;
  retentionMs: number;
}) {
  const root = join(options.filesDir, 'exports');
  const shared = options.sharedFiles ?? directoryFiles;
  const sharedPath = (key: string, filename = '') => `exports/${key}${filename && `/${filename}`}`;
  // A key of its own, so a leaked link signature says nothing about other uses of the secret.
  const signingKey = createHmac('sha256', options.secret).update('rosetta export download links').digest();
  const signature = (key: string, expires: number) =>
    createHmac('sha256', signingKey).update(`${key}.${expires}`).digest('base64url');

  async function open(key: string): Promise<StoredFile> {
    if (!KEY_PATTERN.test(key)) throw new RosettaError('ERR_NOT_FOUND', 'export file not found');
    const dir = join(root, key);
    const local = await readdir(dir).catch(() => [] as string[]);
    let filename: string | undefined;
    for (const name of [...local, ...(await shared.list(sharedPath(key)))]) {
      if (name.startsWith('.') || name.includes('/')) continue;
      if (await shared.fetch(sharedPath(key, name), join(dir, name))) {
        filename = name;
        break;
      }
    }
    if (!filename)
      throw new RosettaError(
        'ERR_NOT_FOUND',
        'the export file no longer exists (files are kept for a limited time)',
      );
    const format = filename.slice(filename.lastIndexOf('.') + 1) as ExportFormat;
    const path = join(dir, filename);
    return {
      path,
      filename,
      contentType: contentTypes[format] ?? 'application/octet-stream',
      size: (await stat(path)).size,
    };
  }

  return {
    /** An empty directory for the file of `key` (a rerun of a requeued job starts clean). */
    async prepare(key: string): Promise<string> {
      const dir = join(root, key);
      await rm(dir, { recursive: true, force: true });
      await shared.remove(sharedPath(key));
      await mkdir(dir, { recursive: true });
      return dir;
    },
    async remove(key: string): Promise<void> {
      await rm(join(root, key), { recursive: true, force: true });
      await shared.remove(sharedPath(key));
    },
    /**
     * Called when the file is complete: publishes it, and restarts the retention clock so it
     * outlives its link.
     */
    async touch(key: string, now: Date): Promise<void> {
      const dir = join(root, key);
      for (const name of await readdir(dir))
        if (!name.startsWith('.')) await shared.publish(sharedPath(key, name), join(dir, name), now);
      await utimes(dir, now, now);
    },
    open,

    /** `<key>.<expiry in epoch seconds>.<HMAC-SHA256 of both>`. */
    sign(key: string, now: Date): { token: string; expiresAt: string } {
      const expires = Math.floor((now.getTime() + options.retentionMs) / 1000);
      return {
        token: `${key}.${expires}.${signature(key, expires)}`,
        expiresAt: new Date(expires * 1000).toISOString(),
      };
    },

    /** The file a token names; a forged token is refused before the expiry is looked at. */
    async openSigned(token: string, now: Date): Promise<StoredFile> {
      const [key = '', expiresText = '', given = ''] = token.split('.');
      const expires = Number(expiresText);
      const expected = Buffer.from(signature(key, expires));
      const actual = Buffer.from(given);
      if (
        !/^\d{1,12}$/.test(expiresText) ||
        actual.length !== expected.length ||
        !timingSafeEqual(actual, expected)
      ) {
        throw new RosettaError(
          'ERR_FORBIDDEN',
          'invalid download link: the token signature does not match',
          'token',
        );
      }
      if (expires * 1000 <= now.getTime()) {
        throw new RosettaError(
          'ERR_FORBIDDEN',
          'this download link has expired: export again for a new one',
          'token',
        );
      }
      return open(key);
    },

    /** Deletes export directories older than the retention; returns how many. */
    async cleanup(now: Date): Promise<number> {
      await shared.removeExpired('exports', options.retentionMs, now);
      return removeExpired(root, options.retentionMs, now);
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
