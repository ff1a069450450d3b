import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { Principal } from '../auth/principal.ts';

/** What an audit event records; `details` says what changed and never holds a secret. */
export interface AuditEntry {
  action: string;
  target?: { type: string; id: string | number };
  details?: Record<string, unknown>;
}

/** Text as every store keeps it: no control characters (PostgreSQL refuses NUL), at most 500 characters. */
const storable = (text: string | undefined): string | null =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  text === undefined ? null : text.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD').slice(0, 500);

/**
 * Writes one audit event. Call it with the transaction that makes the change, so the log holds
 * exactly the changes that happened.
 */
export async function recordAudit(
  db: Kysely<Database>,
  actor: Principal | { organizationId: number | null; email?: string; address?: string },
  entry: AuditEntry,
  at = new Date(),
): Promise<void> {
  const principal = 'kind' in actor ? actor : undefined;
  await db
    .insertInto('audit_events')
    .values({
      organization_id: actor.organizationId,
      at: at.toISOString(),
      action: entry.action,
      actor_id: principal?.userId ?? null,
      actor_email: storable(actor.email),
      credential: principal?.kind ?? null,
      address: storable(actor.address),
      target_type: entry.target?.type ?? null,
      target_id: entry.target === undefined ? null : storable(String(entry.target.id)),
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
