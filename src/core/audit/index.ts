/** The audit log: who signed in, minted or revoked credentials, changed rights, or deleted things. */
export { type AuditEntry, recordAudit } from './record.ts';
export {
  type AuditEvent,
  type AuditFilter,
  type AuditPage,
  type AuditService,
  createAuditService,
} from './service.ts';
export { type AuditTables, auditMigrations } from './tables.ts';
