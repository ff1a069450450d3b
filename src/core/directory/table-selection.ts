import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { notFound, validationError } from '../errors.ts';
import { refuseNul } from '../storable.ts';

/**
 * Which of a project's tables its explorers are offered (Lightdash's `tablesConfiguration`):
 * all of them, those carrying one of some tags, or those of some names. It only narrows lists
 * that ask for it; the tables stay queryable, as in Lightdash, where it is a convenience of the
 * explore list and not an access rule.
 */
export const TABLE_SELECTION_TYPES = ['ALL_TABLES', 'WITH_TAGS', 'WITH_NAMES'] as const;
export type TableSelectionType = (typeof TABLE_SELECTION_TYPES)[number];

export interface TableSelection {
  type: TableSelectionType;
  /** Tags or names; null for every table. */
  value: string[] | null;
}

export const EVERY_TABLE: TableSelection = { type: 'ALL_TABLES', value: null };

const MAX_ENTRIES = 1000;
const MAX_ENTRY_LENGTH = 255;

/** Whether a table (an explore: its name and tags) is among those the selection offers. */
export function tableSelected(selection: TableSelection, table: { name: string; tags: readonly string[] }) {
  const wanted = selection.value ?? [];
  if (selection.type === 'WITH_NAMES') return wanted.includes(table.name);
  if (selection.type === 'WITH_TAGS') return table.tags.some((tag) => wanted.includes(tag));
  return true;
}

function parseSelection(input: { type: unknown; value: unknown }): TableSelection {
  const { type, value } = input;
  if (!TABLE_SELECTION_TYPES.includes(type as TableSelectionType))
    throw validationError('tableSelection.type', `must be one of ${TABLE_SELECTION_TYPES.join(', ')}`);
  if (type === 'ALL_TABLES') return EVERY_TABLE;
  const field = 'tableSelection.value';
  if (!Array.isArray(value))
    throw validationError(field, `must be a list of ${type === 'WITH_TAGS' ? 'tags' : 'table names'}`);
  if (value.length > MAX_ENTRIES) throw validationError(field, `at most ${MAX_ENTRIES} entries`);
  const entries = value.map((entry, i) => {
    if (typeof entry !== 'string' || !entry.trim() || entry.length > MAX_ENTRY_LENGTH)
      throw validationError(`${field}[${i}]`, `must be a text of 1 to ${MAX_ENTRY_LENGTH} characters`);
    return refuseNul(entry.trim(), `${field}[${i}]`);
  });
  return { type: type as TableSelectionType, value: [...new Set(entries)] };
}

function storedSelection(text: string | null): TableSelection {
  if (text === null) return EVERY_TABLE;
  const parsed = JSON.parse(text) as TableSelection;
  return { type: parsed.type, value: parsed.value };
}

export interface TableSelectionService {
  /** Whoever reads the project's models reads it. */
  get(principal: Principal, projectId: number): Promise<TableSelection>;
  /** The project's developers set it, as they shape its models. */
  set(
    principal: Principal,
    projectId: number,
    input: { type: unknown; value: unknown },
  ): Promise<TableSelection>;
}

export function createTableSelectionService(db: Kysely<Database>): TableSelectionService {
  const stored = async (principal: Principal, projectId: number) => {
    const row = await db
      .selectFrom('projects')
      .select(['id', 'table_selection'])
      .where('organization_id', '=', principal.organizationId)
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!row) throw notFound('project', projectId);
    return storedSelection(row.table_selection);
  };

  return {
    async get(principal, projectId) {
      authorize(principal, 'model.read', { projectId });
      return stored(principal, projectId);
    },

    async set(principal, projectId, input) {
      authorize(principal, 'model.manage', { projectId });
      const before = await stored(principal, projectId);
      const selection = parseSelection(input);
      await db
        .updateTable('projects')
        .set({
          table_selection: selection.type === 'ALL_TABLES' ? null : JSON.stringify(selection),
          updated_at: nowIso(),
        })
        .where('id', '=', projectId)
        .execute();
      await recordAudit(db, principal, {
        action: 'project.tableSelection',
        target: { type: 'project', id: projectId },
        details: { before, after: selection },
      });
      return selection;
    },
  };
}
