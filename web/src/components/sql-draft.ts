import { navigate } from '../router.tsx';

/**
 * SQL handed to the SQL runner by another page (Explore's "Open in SQL runner"): kept in the
 * tab's session storage for the one navigation, never in the URL, where logs would keep it.
 */
const KEY = 'rosetta.sqlRunnerDraft';

export interface SqlDraft {
  connectionId: number;
  sql: string;
}

export function openInSqlRunner(draft: SqlDraft): void {
  sessionStorage.setItem(KEY, JSON.stringify(draft));
  navigate('/sql');
}

/** The SQL handed over, if any (read it once per page, then `clearSqlDraft`). */
export function readSqlDraft(): SqlDraft | null {
  try {
    const draft = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return typeof draft?.sql === 'string' && Number.isInteger(draft?.connectionId) ? draft : null;
  } catch {
    return null;
  }
}

export const clearSqlDraft = (): void => sessionStorage.removeItem(KEY);
