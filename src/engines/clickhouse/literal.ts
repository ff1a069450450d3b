import { validationError } from '../../core/errors.ts';
import { clickhouseLiteral } from '../clickhouse-literal.ts';
import type { CompiledQuery } from '../types.ts';

// The engine's folder writes SQL through this neighbour; the functions live a level up, where
// the query core's dialect may import them too.
export { clickhouseIdentifier, clickhouseLiteral, clickhousePlaceholder } from '../clickhouse-literal.ts';

/**
 * The SQL with each `$n` outside quoted text replaced by the literal of the n-th value. The text
 * is scanned once, quotes read as ClickHouse reads them (backslash escapes, doubled quotes), so a
 * `$1` inside a developer's string stays text and no substituted value is ever scanned again.
 */
export function substituteParams(query: CompiledQuery): string {
  const { sql, params } = query;
  if (params.length === 0) return sql;
  let out = '';
  let at = 0;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'" || char === '"' || char === '`') {
      i = closingQuote(sql, i);
      continue;
    }
    const digits = char === '$' ? /^\d+/.exec(sql.slice(i + 1)) : null;
    if (digits) {
      const index = Number(digits[0]);
      if (index < 1 || index > params.length)
        throw validationError('params', `$${index} has no value (${params.length} given)`);
      out += sql.slice(at, i) + clickhouseLiteral(params[index - 1]);
      i += 1 + digits[0].length;
      at = i;
      continue;
    }
    i++;
  }
  return out + sql.slice(at);
}

/** The index after the quote that closes the one at `open`; the end of the text if none does. */
function closingQuote(sql: string, open: number): number {
  const quote = sql[open];
  for (let i = open + 1; i < sql.length; i++) {
    if (sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}
