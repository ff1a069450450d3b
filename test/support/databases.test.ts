import { afterAll, describe, expect, it } from 'vitest';
import { createTempMysql, createTempPostgres } from './databases.ts';

describe('temporary databases on the machine services', async () => {
  const pg = await createTempPostgres();
  const my = await createTempMysql();
  afterAll(async () => {
    await pg.drop();
    await my.drop();
  });
  it.skipIf(!pg.available)('creates a fresh PostgreSQL database', () => {
    expect(pg.url).toContain(pg.name);
  });
  it.skipIf(!my.available)('creates a fresh MariaDB database', () => {
    expect(my.url).toContain(my.name);
  });
});
