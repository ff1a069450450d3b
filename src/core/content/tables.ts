/** Kysely row types of the content module's tables. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in as the module's tables are written
export interface ContentTables {}
