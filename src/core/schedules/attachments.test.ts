import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../auth/principal.ts';
import { createAttachmentUploads } from './attachments.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-attachments-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** An uploaded file, as the HTTP receiver leaves it in the data directory. */
const uploaded = (content: Buffer | string): string => {
  const file = join(dataDir, `upload-${randomUUID()}`);
  writeFileSync(file, content);
  return file;
};

const principal = (organizationId: number, role: Role = 'editor'): Principal => ({
  kind: 'session',
  userId: 1,
  userUuid: 'user-1',
  email: 'a@example.com',
  organizationId,
  projectId: 1,
  role,
  groupIds: [],
  attributes: {},
});

describe('attachment uploads', () => {
  const uploads = createAttachmentUploads({ filesDir: dataDir, maxBytes: 10, retentionHours: 1 });

  it('keeps a file per organization and reads it back with a content type from its name', async () => {
    const uuid = randomUUID();
    expect(await uploads.save(principal(1), uuid, uploaded(Buffer.from('a;b\n')))).toEqual({ size: 4 });
    await uploads.check(1, 'upload', uuid);
    const file = await uploads.read(1, uuid, 'data.csv');
    expect(file).toMatchObject({ filename: 'data.csv', contentType: 'text/csv' });
    expect(file.content.toString()).toBe('a;b\n');
    expect((await uploads.read(1, uuid, 'blob')).contentType).toBe('application/octet-stream');
    // Another organization cannot name it.
    await expect(uploads.check(2, 'upload', uuid)).rejects.toMatchObject({ field: 'upload' });
  });

  it('refuses viewers, bad uuids, empty and oversized files', async () => {
    await expect(uploads.save(principal(1, 'viewer'), randomUUID(), uploaded('x'))).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await expect(uploads.save(principal(1), '../x', uploaded(Buffer.from('x')))).rejects.toMatchObject({
      field: 'uuid',
    });
    await expect(uploads.save(principal(1), randomUUID(), uploaded(Buffer.alloc(0)))).rejects.toMatchObject({
      field: 'file',
    });
    await expect(uploads.save(principal(1), randomUUID(), uploaded(Buffer.alloc(11)))).rejects.toMatchObject({
      code: 'ERR_LIMIT',
    });
  });

  it('deletes uploads older than the retention', async () => {
    const uuid = randomUUID();
    await uploads.save(principal(3), uuid, uploaded(Buffer.from('x')));
    expect(await uploads.cleanup(new Date())).toBe(0);
    expect(await uploads.cleanup(new Date(Date.now() + 2 * 3_600_000))).toBeGreaterThan(0);
    await expect(uploads.check(3, 'upload', uuid)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});
