import type { Engine } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { dialects } from './dialects.ts';
import type { QueryIr } from './ir.ts';
import { resolveCalendar } from './validate.ts';

/**
 * MySQL and MariaDB convert time zones with CONVERT_TZ, which answers NULL rather than an error
 * when the server's time-zone tables are empty (the default) or lack the zone: every bucket would
 * silently be NULL. So before a query in a zone runs on such a server, the zone is tried once per
 * engine (a connection) and zone; a NULL is a 400 that says how to load the tables. Only zones
 * that work are remembered, so loading the tables takes effect without a restart.
 */
export function createZoneProbe(timeoutMs: number) {
  const working = new WeakMap<Engine, Set<string>>();
  return async (engine: Engine, ir: QueryIr): Promise<void> => {
    if (engine.dialect !== 'mysql') return;
    const { timeZone } = resolveCalendar(ir);
    if (timeZone === undefined || working.get(engine)?.has(timeZone)) return;
    const { rows } = await engine.run(
      { sql: "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', ?)", params: [timeZone] },
      { maxRows: 1, timeoutMs },
    );
    if (rows[0]?.[0] === null || rows[0]?.[0] === undefined) {
      throw validationError(
        'timezone',
        `time zone ${JSON.stringify(timeZone)} is unknown to the ${dialects[engine.dialect].label} server of this ` +
          'connection (its time-zone tables are not loaded): load them with ' +
          '`mysql_tzinfo_to_sql /usr/share/zoneinfo | mysql -u root mysql`, or query without a time zone',
      );
    }
    working.set(engine, (working.get(engine) ?? new Set()).add(timeZone));
  };
}
