/** The scripts module: user scripts run as jobs in child processes. */
export type { ScriptLanguage, ScriptRunResult } from './runner.ts';
export type { ScriptSandbox } from './sandbox.ts';
export {
  createScriptService,
  SCRIPT_RUN_JOB,
  type Script,
  type ScriptInput,
  type ScriptService,
} from './service.ts';
export { type ScriptTables, scriptMigrations } from './tables.ts';
