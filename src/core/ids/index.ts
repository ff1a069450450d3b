/** External ids: the ids vendors' faces show that Rosetta must allocate and keep (Sisense oids). */
export {
  createExternalIds,
  type ExternalIds,
  type IdKind,
  idKinds,
  type StoredIdStyle,
} from './service.ts';
export { type ExternalIdTables, externalIdMigrations } from './tables.ts';
