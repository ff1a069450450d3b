/**
 * CSV/formula injection (OWASP "CSV Injection"): a spreadsheet opening an exported file reads a
 * text cell that starts with one of these characters as a formula, so a value a user typed
 * (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`) would run on the reader's machine. Such text cells get a
 * leading single quote, which spreadsheets take as "this is text". The list lives here, below
 * both writers, so the streamed writer (core/exports) and the DuckDB `COPY` (engines/duckdb)
 * neutralise exactly the same cells.
 */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/** `text` with a single quote in front when a spreadsheet would read it as a formula. */
export const neutralizeFormula = (text: string): string =>
  text.length > 0 && FORMULA_TRIGGERS.includes(text[0]) ? `'${text}` : text;
