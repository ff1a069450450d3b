/**
 * The outbox: one row per email, sent or not, and the bytes of a held or failed email's
 * attachments, kept so an admin can download them and resend the message once SMTP is
 * configured: `<filesDir>/outbox/<organization id>/<message uuid>/<index>`, one file per
 * attachment in the message's order, until the row's `files_kept_until`, published to the shared
 * store so any node can serve or resend them. A sent message keeps none.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Selectable } from 'kysely';
import { notFound } from '../errors.ts';
import { directoryFiles, type SharedFiles } from '../files/index.ts';
import type { Db } from './repo.ts';
import type { OutboxMessageRow } from './tables.ts';
import type { OutboxAttachment, OutboxMessage, OutboxStatus, RenderedFile } from './types.ts';

export const DEFAULT_OUTBOX_KEEP_DAYS = 7;
const DAY_MS = 86_400_000;

/** What the row keeps of an attachment: the `cid` ties an inline picture to the HTML part. */
export type StoredAttachment = OutboxAttachment & { cid?: string };
export type OutboxRow = Selectable<OutboxMessageRow>;

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    scheduleId: row.schedule_id,
    jobId: row.job_id,
    to: JSON.parse(row.recipients),
    subject: row.subject,
    text: row.text,
    html: row.html,
    status: row.status as OutboxStatus,
    error: row.error,
    attachments: (JSON.parse(row.attachments) as StoredAttachment[]).map(({ cid, ...a }) =>
      cid ? { ...a, inline: true } : a,
    ),
    filesKeptUntil: row.files_kept_until,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export const storedAttachments = (files: RenderedFile[]): StoredAttachment[] =>
  files.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    size: a.content.length,
    ...(a.cid && { cid: a.cid }),
  }));

export function createOutboxStore(deps: {
  db: Db;
  now: () => Date;
  filesDir: string;
  sharedFiles?: SharedFiles;
  keepDays?: number;
}) {
  const { db, now } = deps;
  const keepMs = (deps.keepDays ?? DEFAULT_OUTBOX_KEEP_DAYS) * DAY_MS;
  const root = join(deps.filesDir, 'outbox');
  const shared = deps.sharedFiles ?? directoryFiles;
  type MessageKey = Pick<OutboxRow, 'organization_id' | 'uuid'>;
  const sharedPath = (row: MessageKey, index?: number) =>
    `outbox/${row.organization_id}/${row.uuid}${index === undefined ? '' : `/${index}`}`;
  const dirOf = (row: MessageKey) => join(root, String(row.organization_id), row.uuid);
  const forget = async (row: MessageKey) => {
    await rm(dirOf(row), { recursive: true, force: true });
    await shared.remove(sharedPath(row));
  };

  return {
    async find(organizationId: number, id: number): Promise<OutboxRow> {
      const row = await db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound('message', id);
      return row;
    },

    /** Keeps the bytes of a message that was not sent, to download them or resend it. */
    async keep(
      row: Pick<OutboxRow, 'id' | 'organization_id' | 'uuid'>,
      files: RenderedFile[],
    ): Promise<void> {
      const dir = dirOf(row);
      await mkdir(dir, { recursive: true });
      await Promise.all(
        files.map(async (file, i) => {
          await writeFile(join(dir, String(i)), file.content);
          await shared.publish(sharedPath(row, i), join(dir, String(i)));
        }),
      );
      const until = new Date(now().getTime() + keepMs).toISOString();
      await db
        .updateTable('outbox_messages')
        .set({ files_kept_until: until })
        .where('id', '=', row.id)
        .execute();
    },

    /** Attachment `index` of the message with its kept bytes, or undefined when they are gone. */
    async kept(row: OutboxRow, index: number): Promise<RenderedFile | undefined> {
      const meta = (JSON.parse(row.attachments) as StoredAttachment[])[index];
      if (!meta || !row.files_kept_until) return undefined;
      const file = join(dirOf(row), String(index));
      const content = (await shared.fetch(sharedPath(row, index), file))
        ? await readFile(file).catch(() => undefined)
        : undefined;
      return content && { filename: meta.filename, contentType: meta.contentType, content, cid: meta.cid };
    },

    /** Called once the message is sent: its bytes are needed no more. */
    forget,

    /** Deletes attachments kept past their time; returns how many messages lost theirs. */
    async cleanup(at: Date): Promise<number> {
      const expired = await db
        .selectFrom('outbox_messages')
        .select(['id', 'uuid', 'organization_id'])
        .where('files_kept_until', '<', at.toISOString())
        .execute();
      for (const row of expired) {
        await forget(row);
        await db
          .updateTable('outbox_messages')
          .set({ files_kept_until: null })
          .where('id', '=', row.id)
          .execute();
      }
      return expired.length;
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
