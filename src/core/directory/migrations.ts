import type { Migration } from 'kysely';

export const directoryMigrations: Record<string, Migration> = {};
