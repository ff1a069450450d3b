import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { createMailer } from './mail.ts';
import { createOutboxStore } from './outbox-store.ts';

describe('the files of held messages', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-outbox-'));
  const store = openSqliteStore(join(dataDir, 'meta.sqlite'));
  await migrateToLatest(store);
  let clock = new Date('2025-03-01T10:00:00Z');
  const now = () => clock;
  const outbox = createOutboxStore({ db: store.db, now, filesDir: dataDir, keepDays: 7 });
  const mailer = createMailer({ db: store.db, now, outbox });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps them for their time, then deletes them', async () => {
    const held = await mailer.send(1, {
      to: ['a@example.test'],
      subject: 'Numbers',
      text: 'see attached',
      html: '<p>see attached</p><img src="cid:pic">',
      attachments: [
        { filename: 'n.csv', contentType: 'text/csv', content: Buffer.from('n\n42\n') },
        { filename: 'n.png', contentType: 'image/png', content: Buffer.from('png'), cid: 'pic' },
      ],
    });
    expect(held).toMatchObject({
      status: 'held',
      html: '<p>see attached</p><img src="cid:pic">',
      filesKeptUntil: '2025-03-08T10:00:00.000Z',
      attachments: [
        { filename: 'n.csv', contentType: 'text/csv', size: 5 },
        { filename: 'n.png', contentType: 'image/png', size: 3, inline: true },
      ],
    });
    expect((await mailer.attachment(1, held.id, 0)).content.toString()).toBe('n\n42\n');
    await expect(mailer.attachment(2, held.id, 0)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(mailer.resend(1, held.id)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });

    expect(await outbox.cleanup(new Date('2025-03-08T09:59:00Z'))).toBe(0);
    clock = new Date('2025-03-08T10:01:00Z');
    expect(await outbox.cleanup(clock)).toBe(1);
    expect(existsSync(join(dataDir, 'outbox', '1', held.uuid))).toBe(false);
    expect((await mailer.get(1, held.id)).filesKeptUntil).toBeNull();
    await expect(mailer.attachment(1, held.id, 0)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });
});
