/**
 * Files uploaded to be attached to a later email (the Serenytics client uploads a file under a
 * uuid it picks, then names that uuid in `send_email`). Each organization has its directory
 * `<filesDir>/attachments/<organization id>/`, holding one file per upload named by its uuid, so
 * one organization can never attach another's upload; files older than the retention are
 * deleted, as export files are. Each upload is published to the shared store, so the email job
 * may run on another node than the upload.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { fieldError, validationError } from '../errors.ts';
import { removeExpired } from '../expiry.ts';
import { directoryFiles, type SharedFiles } from '../files/index.ts';
import type { RenderedFile } from './types.ts';

export const DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

export interface AttachmentOptions {
  /** Uploads go to `<filesDir>/attachments` (and the outbox's kept files to `<filesDir>/outbox`). */
  filesDir: string;
  /** Where they are published for the other nodes; none beyond the files dir by default. */
  sharedFiles?: SharedFiles;
  /** Largest upload; default 20 MB. */
  maxBytes?: number;
  /** How long an upload is kept; default 24 hours. */
  retentionHours?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const contentTypes: Record<string, string> = {
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gz': 'application/gzip',
  '.zip': 'application/zip',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** An attachment's name: a plain file name, never a path. */
export function attachmentName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw validationError(field, 'must be a file name');
  if (value.length > 255 || /[/\\\0]/.test(value) || value === '.' || value === '..')
    throw validationError(field, 'must be a plain file name of at most 255 characters');
  return value.trim();
}

export function createAttachmentUploads(options: AttachmentOptions) {
  const root = join(options.filesDir, 'attachments');
  const shared = options.sharedFiles ?? directoryFiles;
  const maxBytes = options.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  const retentionMs = (options.retentionHours ?? 24) * 3_600_000;
  const sharedPath = (organizationId: number, uuid: string) =>
    `attachments/${organizationId}/${uuid.toLowerCase()}`;
  const pathOf = (organizationId: number, uuid: string) =>
    join(root, String(organizationId), uuid.toLowerCase());
  /** The local copy of an upload, fetched when only the shared store has it; false when gone. */
  const fetched = (organizationId: number, uuid: string) =>
    shared.fetch(sharedPath(organizationId, uuid), pathOf(organizationId, uuid));

  function checkedUuid(field: string, uuid: unknown): string {
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw validationError(field, 'must be a uuid');
    return uuid;
  }

  return {
    maxBytes,

    /**
     * Keeps an uploaded file under the caller's uuid (a second upload replaces the first). The
     * file is moved, not copied: it must be on the data directory's file system.
     */
    async save(principal: Principal, uuid: string, file: string): Promise<{ size: number }> {
      authorize(principal, 'email.send');
      checkedUuid('uuid', uuid);
      const { size } = await stat(file);
      if (size === 0) throw validationError('file', 'is empty: send the file as the request body');
      if (size > maxBytes)
        throw fieldError('ERR_LIMIT', 'file', `an attachment may have at most ${maxBytes} bytes`);
      await mkdir(join(root, String(principal.organizationId)), { recursive: true });
      await rename(file, pathOf(principal.organizationId, uuid));
      await shared.publish(
        sharedPath(principal.organizationId, uuid),
        pathOf(principal.organizationId, uuid),
      );
      return { size };
    },

    /** Fails with a validation error of `field` when no such upload exists (or it has expired). */
    async check(organizationId: number, field: string, uuid: unknown): Promise<string> {
      const checked = checkedUuid(field, uuid);
      if (!(await fetched(organizationId, checked)))
        throw validationError(
          field,
          `no file was uploaded under ${checked} (uploads are kept for a limited time)`,
        );
      return checked;
    },

    /** The upload as an attachment named `filename`, its content type read from the name. */
    async read(organizationId: number, uuid: string, filename: string): Promise<RenderedFile> {
      const gone = () =>
        new Error(`the uploaded file ${uuid} no longer exists (uploads are kept for a limited time)`);
      if (!(await fetched(organizationId, uuid))) throw gone();
      const content = await readFile(pathOf(organizationId, uuid)).catch(() => {
        throw gone();
      });
      const contentType = contentTypes[extname(filename).toLowerCase()] ?? 'application/octet-stream';
      return { filename, contentType, content };
    },

    /** Deletes uploads older than the retention; returns how many. */
    async cleanup(now: Date): Promise<number> {
      await shared.removeExpired('attachments', retentionMs, now);
      let removed = 0;
      for (const organization of await readdir(root).catch(() => [] as string[]))
        removed += await removeExpired(join(root, organization), retentionMs, now);
      return removed;
    },
  };
}

export type AttachmentUploads = ReturnType<typeof createAttachmentUploads>;
