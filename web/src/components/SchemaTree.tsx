import { type KeyboardEvent, useMemo, useRef, useState } from 'react';

/** GET /api/connections/:id/schema */
export interface ConnectionSchema {
  dialect: string;
  schemas: { name: string; tables: BrowsedTable[] }[];
  truncated: boolean;
  maxTables: number;
}

export interface BrowsedTable {
  name: string;
  kind: 'table' | 'view';
  sqlName: string;
  dataSources: string[];
  columns: { name: string; type: string; nativeType: string; nullable: boolean }[];
}

/** One visible row of the flattened tree. */
interface Item {
  key: string;
  level: 1 | 2 | 3;
  label: string;
  /** Text beside the label: data sources of a table, type of a column. */
  note: string;
  expanded?: boolean;
  parent?: string;
  table?: BrowsedTable;
}

const keyOf = (...parts: string[]) => JSON.stringify(parts);
/** Tables in a catalog whose schemas all start open. */
const OPEN_AT_MOST = 50;

/**
 * Schemas → tables and views → columns as an ARIA tree (one tab stop, arrow keys move, Right and
 * Left open and close, Enter on a table inserts its quoted name). The filter matches table names
 * and the names of the data sources reading them, and opens the schemas holding a match.
 */
export function SchemaTree(props: { schema: ConnectionSchema; onInsert: (text: string) => void }) {
  const { schema, onInsert } = props;
  const [filter, setFilter] = useState('');
  // A small catalog opens whole; a large one shows its schemas first.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => {
    const tables = schema.schemas.reduce((sum, { tables }) => sum + tables.length, 0);
    const open = schema.schemas.length === 1 || tables <= OPEN_AT_MOST ? schema.schemas : [];
    return new Set(open.map(({ name }) => keyOf(name)));
  });
  const [active, setActive] = useState<string | null>(null);
  const tree = useRef<HTMLDivElement>(null);

  const items = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const matches = (table: BrowsedTable) =>
      !needle || [table.name, ...table.dataSources].some((name) => name.toLowerCase().includes(needle));
    const list: Item[] = [];
    for (const { name, tables } of schema.schemas) {
      const shown = tables.filter(matches);
      if (shown.length === 0 && needle) continue;
      const schemaKey = keyOf(name);
      const open = Boolean(needle) || expanded.has(schemaKey);
      list.push({ key: schemaKey, level: 1, label: name, note: `${shown.length}`, expanded: open });
      if (!open) continue;
      for (const table of shown) {
        const tableKey = keyOf(name, table.name);
        const tableOpen = expanded.has(tableKey);
        const note = [table.kind === 'view' ? 'view' : '', ...table.dataSources].filter(Boolean).join(' · ');
        list.push({
          key: tableKey,
          level: 2,
          label: table.name,
          note,
          expanded: tableOpen,
          parent: schemaKey,
          table,
        });
        if (!tableOpen) continue;
        for (const column of table.columns) {
          list.push({
            key: keyOf(name, table.name, column.name),
            level: 3,
            label: column.name,
            note: column.nativeType.toLowerCase(),
            parent: tableKey,
          });
        }
      }
    }
    return list;
  }, [schema, filter, expanded]);

  const current = items.find((item) => item.key === active) ?? items[0];

  const toggle = (key: string, open: boolean) => {
    const next = new Set(expanded);
    if (open) next.add(key);
    else next.delete(key);
    setExpanded(next);
  };

  const focus = (key: string) => {
    setActive(key);
    tree.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  };

  const activate = (item: Item) => {
    if (item.table) onInsert(item.table.sqlName);
    else if (item.level === 1) toggle(item.key, !item.expanded);
  };

  const onKeyDown = (event: KeyboardEvent, item: Item) => {
    const index = items.indexOf(item);
    const next = items[index + 1];
    switch (event.key) {
      case 'ArrowDown':
        if (next) focus(next.key);
        break;
      case 'ArrowUp':
        if (index > 0) focus(items[index - 1].key);
        break;
      case 'Home':
        focus(items[0].key);
        break;
      case 'End':
        focus(items[items.length - 1].key);
        break;
      case 'ArrowRight':
        if (item.expanded === false) toggle(item.key, true);
        else if (item.expanded && next?.parent === item.key) focus(next.key);
        break;
      case 'ArrowLeft':
        if (item.expanded) toggle(item.key, false);
        else if (item.parent) focus(item.parent);
        break;
      case 'Enter':
      case ' ':
        activate(item);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div className="schematree">
      <input
        type="search"
        aria-label="Filter tables"
        placeholder="Filter tables"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      {schema.truncated && (
        <p className="muted small">Showing the first {schema.maxTables} tables by schema and name.</p>
      )}
      {items.length === 0 ? (
        <p className="muted small">{filter ? 'No table matches.' : 'No tables.'}</p>
      ) : (
        <div className="tree" role="tree" aria-label="Schema" ref={tree}>
          {items.map((item) => (
            <div
              key={item.key}
              data-key={item.key}
              role="treeitem"
              aria-level={item.level}
              aria-expanded={item.expanded}
              aria-selected={item.key === current?.key}
              aria-label={[item.label, item.level === 1 ? 'schema' : item.note].filter(Boolean).join(', ')}
              tabIndex={item.key === current?.key ? 0 : -1}
              className={`level${item.level}`}
              title={item.table ? `Insert ${item.table.sqlName}` : undefined}
              onFocus={() => setActive(item.key)}
              onClick={() => activate(item)}
              onKeyDown={(event) => onKeyDown(event, item)}
            >
              {item.expanded === undefined ? (
                <span className="twisty" aria-hidden="true" />
              ) : (
                <span
                  className="twisty"
                  aria-hidden="true"
                  onClick={(event) => {
                    event.stopPropagation();
                    toggle(item.key, !item.expanded);
                  }}
                >
                  {item.expanded ? '▾' : '▸'}
                </span>
              )}
              <span className="treelabel">{item.label}</span>
              {item.note && <span className="muted small treenote">{item.note}</span>}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
