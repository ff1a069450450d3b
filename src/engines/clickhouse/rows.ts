import type { Row, StreamReadable } from '@clickhouse/client';
import { CLICKHOUSE_RESULT_MARK } from '../clickhouse-literal.ts';
import type { OpenResult, ReadOutcome } from '../statement.ts';
import type { JsonScalar } from '../types.ts';
import { columnTypeOfClickhouse, converterFor, unescapeField } from './values.ts';

/**
 * A server older than 19.x that fails after it began answering appends its exception to the
 * rows already sent, with status 200: such a line is the failure, not a row.
 */
const EXCEPTION_LINE = /^Code: \d+, e\.displayText\(\) = /;

const fieldsOf = (line: string): string[] => line.split('\t');

/**
 * A TabSeparatedWithNamesAndTypes response read as it arrives: its first two lines name and type
 * the columns, each following line is a row. `end` runs when the reader stops early.
 */
export async function openRows(
  stream: StreamReadable<Row[]>,
  serverZone: string,
  end: (outcome: Exclude<ReadOutcome, 'failed'>) => Promise<void>,
): Promise<OpenResult> {
  const chunks = stream[Symbol.asyncIterator]();
  let lines: string[] = [];
  let at = 0;
  let exhausted = false;
  const pull = async (): Promise<boolean> => {
    const next = await chunks.next();
    if (next.done) {
      exhausted = true;
      return false;
    }
    if (at > 0) {
      lines = lines.slice(at);
      at = 0;
    }
    for (const row of next.value) lines.push(row.text);
    return true;
  };
  while (lines.length < 2 && (await pull()));
  // A statement that returns nothing (CREATE, INSERT) answers with no header at all.
  if (lines.length === 1) throw new Error(lines[0]);
  const [names, types] = [lines[0] ?? '', lines[1] ?? ''].map((line) =>
    line === '' ? [] : fieldsOf(line).map((field) => unescapeField(field) ?? ''),
  );
  at = lines.length === 0 ? 0 : 2;
  const converters = types.map((type) => converterFor(type, serverZone));
  const toRow = (line: string): JsonScalar[] => {
    const fields = fieldsOf(line);
    if (fields.length !== converters.length || (converters.length === 1 && EXCEPTION_LINE.test(line)))
      throw new Error(line);
    return fields.map((field, index) => converters[index](field));
  };
  return {
    columns: names.map((name, index) => ({
      name: name.endsWith(CLICKHOUSE_RESULT_MARK) ? name.slice(0, -CLICKHOUSE_RESULT_MARK.length) : name,
      type: columnTypeOfClickhouse(types[index]),
      nativeType: types[index],
    })),
    async read(count) {
      while (lines.length - at < count && !exhausted && (await pull()));
      const taken = lines.slice(at, at + count);
      at += taken.length;
      return taken.map(toRow);
    },
    async close(outcome) {
      if (outcome === 'cut') await end(outcome);
    },
  };
}
