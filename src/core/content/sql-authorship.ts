import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { savedQueryHoldsSql } from '../query/saved-query.ts';

/**
 * A saved query's own SQL runs for everyone who opens the widget or chart, so writing it needs
 * what writing it ad hoc needs (`query.sql`, developers). Content that keeps SQL a developer
 * wrote (a title change, a moved tile, a clone) stays editable by editors: only a query holding
 * SQL that the content did not hold before, byte for byte, is checked.
 */
export function checkSqlAuthorship(
  principal: Principal,
  before: readonly unknown[],
  after: readonly unknown[],
): void {
  const known = new Set(before.filter(savedQueryHoldsSql).map((query) => JSON.stringify(query)));
  const written = after.some((query) => savedQueryHoldsSql(query) && !known.has(JSON.stringify(query)));
  if (written) authorize(principal, 'query.sql');
}
