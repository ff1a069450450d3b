import type { Migration } from 'kysely';

export const contentMigrations: Record<string, Migration> = {};
