// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { describe, expect, it } from 'vitest';
import { dialects } from './dialects.ts';
import { parseSqlExpression, sqlTemplateText } from './sql-expression.ts';

const scope = { own: 'orders', tables: ['orders', 'customers'] };
const render = (sql: string, dialect: 'duckdb' | 'mysql' = 'duckdb') =>
  sqlTemplateText(parseSqlExpression(sql, scope, 'dimensions[0].sql'), dialects[dialect].quote);
const problem = (sql: string): string => {
  try {
    parseSqlExpression(sql, scope, 'dimensions[0].sql');
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('developer SQL expressions', () => {
  it('turns placeholders into quoted aliases and keeps the rest as written, in parentheses', () => {
    expect(render('${TABLE}.price * ${TABLE}.quantity')).toBe('("orders".price * "orders".quantity)');
    expect(render('COALESCE(${customers}.name, ${ TABLE }.note)', 'mysql')).toBe(
      '(COALESCE(`customers`.name, `orders`.note))',
    );
    expect(parseSqlExpression('${customers}.a + ${TABLE}.b + ${customers}.c', scope, 'x').tables).toEqual([
      'customers',
      'orders',
    ]);
  });

  it('leaves quoted text alone: placeholders, semicolons, dashes and question marks inside quotes', () => {
    expect(render("CASE WHEN ${TABLE}.note = 'a;b -- ?${x}' THEN 1 END")).toBe(
      `(CASE WHEN "orders".note = 'a;b -- ?\${x}' THEN 1 END)`,
    );
    expect(render(`"\${TABLE}"."it's" || 'O''Reilly'`)).toBe(`("\${TABLE}"."it's" || 'O''Reilly')`);
    // A backslash is plain text in a standard string and escapes in E'…', on every reading.
    expect(problem("REGEXP_REPLACE(${TABLE}.note, '\\d+', '')")).toBe('accepted');
    expect(problem("E'\\'' || ${TABLE}.note")).toBe('accepted');
  });

  it.each([
    ['', 'dimensions[0].sql: must not be empty'],
    ['${TABLE}.price; DROP TABLE orders', '";" is not allowed (one expression only) at position 15'],
    ['${TABLE}.price -- comment', 'comments are not allowed at position 16'],
    ['${TABLE}.price /* x */', 'comments are not allowed'],
    ['${TABLE}.price # x', 'comments are not allowed'],
    ['${TABLE}.price > ?', 'parameters ("?") are not allowed'],
    ['${TABLE}.price > $1', '"$" is only allowed in ${TABLE} or ${table} placeholders'],
    ['$$x$$', '"$" is only allowed'],
    ['${TABLE.price', '"$" is only allowed'],
    ["${TABLE}.note = 'x", "unclosed ' at position 17"],
    ['"unclosed', 'unclosed " at position 1'],
    ['SUM(${TABLE}.price', 'unclosed "(" at position 4'],
    ['${TABLE}.price)', 'unbalanced ")" at position 15'],
    ['${suppliers}.name', '${suppliers} is not a table of the model (tables: orders, customers)'],
    ['x\u0000', 'must not contain the NUL character'],
    // On MySQL the backslash escapes the quote, so the string never ends there.
    ["${TABLE}.note = 'C:\\'", "unclosed ' at position 17 (as MySQL reads it"],
    // PostgreSQL ends the string at \' and reads a placeholder after it; MySQL reads one string.
    ["'\\' || ${TABLE}.note || \\''", 'its quotes read differently on PostgreSQL and on MySQL'],
  ])('refuses %j', (sql, message) => {
    expect(problem(sql)).toContain(message);
  });
});
