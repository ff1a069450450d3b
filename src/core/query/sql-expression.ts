// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { validationError } from '../errors.ts';
import { hasNul, NUL_PROBLEM } from '../storable.ts';
import type { Model } from './model.ts';
import { openTables } from './required-attributes.ts';

/**
 * Developer SQL: an expression a developer writes over a model's tables, like Lightdash's `sql:`
 * fields. `${TABLE}` is the alias of the field's own table (the base table for a query's own
 * expressions), `${orders}` the alias of another table of the model; each becomes the dialect's
 * quoted alias, and the rest of the text is SQL, passed as written inside parentheses.
 *
 * The text must stay one expression in its place in the statement: no `;`, no comments (`--`,
 * `/*`, and `#`, a comment on MySQL), no parameters (`?`, `$1`: they would shift the query's
 * bound values; write values as literals), quotes and parentheses balanced. PostgreSQL and DuckDB
 * read `'…'` without backslash escapes (but `E'…'` with them) and `"…"` as a name; MySQL reads
 * both as strings with backslash escapes. The text is read both ways and must pass both, with
 * its placeholders in the same places, so it cannot mean one thing here and another on the
 * warehouse. Whether the warehouse accepts it is its own parser's call (sql-probe.ts).
 */
export interface SqlTemplate {
  /** Text and table aliases, in order. */
  parts: Array<string | { table: string }>;
  /** The tables the expression reads (its placeholders), each once. */
  tables: string[];
}

export interface SqlScope {
  /** What `${TABLE}` stands for. */
  own: string;
  /** Every table alias of the model. */
  tables: readonly string[];
}

/** The scope of an expression of the model: `${TABLE}` is `own`. */
export const modelSqlScope = (model: Model, own: string): SqlScope => ({
  own,
  tables: model.tables.map((table) => table.name),
});

/** The scope of a query's own SQL: `${TABLE}` is the base table; tables with hidden fields are out. */
export const querySqlScope = (model: Model): SqlScope => ({
  own: model.baseTable,
  tables: openTables(
    model.tables.map((table) => table.name),
    model.hidden,
  ),
});

const MAX_LENGTH = 10_000;

/** Where the placeholders are, as one reading of the text saw them. */
interface Reading {
  placeholders: Array<{ start: number; end: number; name: string }>;
}

type Lexer = 'standard' | 'mysql';

export function parseSqlExpression(text: string, scope: SqlScope, path: string): SqlTemplate {
  if (!text.trim()) throw validationError(path, 'must not be empty');
  if (text.length > MAX_LENGTH) throw validationError(path, `longer than ${MAX_LENGTH} characters`);
  if (hasNul(text)) throw validationError(path, NUL_PROBLEM);
  const [standard, mysql] = (['standard', 'mysql'] as const).map((lexer) => read(text, lexer, path));
  const same =
    standard.placeholders.length === mysql.placeholders.length &&
    standard.placeholders.every((p, i) => p.start === mysql.placeholders[i].start);
  if (!same)
    throw validationError(
      path,
      'its quotes read differently on PostgreSQL and on MySQL (backslashes inside quotes?): keep ${…} out of quoted text',
    );
  const parts: SqlTemplate['parts'] = [];
  const tables = new Set<string>();
  let at = 0;
  for (const { start, end, name } of standard.placeholders) {
    const table = name === 'TABLE' ? scope.own : name;
    if (!scope.tables.includes(table))
      throw validationError(
        path,
        `\${${name}} is not a table of the model (tables: ${scope.tables.join(', ')})`,
      );
    if (start > at) parts.push(text.slice(at, start));
    parts.push({ table });
    tables.add(table);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return { parts, tables: [...tables] };
}

/** The expression for a dialect, in parentheses so that it keeps its meaning inside any other. */
export const sqlTemplateText = (template: SqlTemplate, quote: (identifier: string) => string): string =>
  `(${template.parts.map((part) => (typeof part === 'string' ? part : quote(part.table))).join('')})`;

/** Reads the text as one dialect family does, refusing what could end the expression early. */
function read(text: string, lexer: Lexer, path: string): Reading {
  const placeholders: Reading['placeholders'] = [];
  const fail = (problem: string, at: number): never => {
    const reading = lexer === 'mysql' ? ' (as MySQL reads it: backslashes escape in quotes)' : '';
    throw validationError(path, `${problem} at position ${at + 1}${reading}`);
  };
  const depth: number[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const next = text[i + 1];
    if (char === "'" || char === '"' || (char === '`' && lexer === 'mysql')) {
      // E'…' escapes with backslashes on PostgreSQL/DuckDB; MySQL strings always do.
      const escapes =
        lexer === 'mysql'
          ? char !== '`'
          : char === "'" && i > 0 && /[Ee]/.test(text[i - 1]) && !isWordChar(text[i - 2]);
      i = closingQuote(text, i, escapes) ?? fail(`unclosed ${char}`, i);
      continue;
    }
    if ((char === '-' && next === '-') || (char === '/' && next === '*') || char === '#')
      fail('comments are not allowed', i);
    if (char === ';') fail('";" is not allowed (one expression only)', i);
    if (char === '?') fail('parameters ("?") are not allowed: write values as literals', i);
    if (char === '$') {
      const end = next === '{' ? text.indexOf('}', i) : -1;
      if (end < 0) fail('"$" is only allowed in ${TABLE} or ${table} placeholders', i);
      placeholders.push({ start: i, end: end + 1, name: text.slice(i + 2, end).trim() });
      i = end + 1;
      continue;
    }
    if (char === '(') depth.push(i);
    if (char === ')' && depth.pop() === undefined) fail('unbalanced ")"', i);
    i++;
  }
  if (depth.length > 0) fail('unclosed "("', depth[depth.length - 1]);
  return { placeholders };
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && /\w/.test(char);

/** The index after the quote that closes the one at `open` (a doubled quote stays inside). */
function closingQuote(text: string, open: number, backslashEscapes: boolean): number | undefined {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (backslashEscapes && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return undefined;
}
