import { useState } from 'react';
import type { Column, DataSource, ModelJoin, ModelTable } from '../types.ts';
import {
  addSourceTable,
  type JoinDraft,
  type Keyed,
  keyed,
  type ModelDraft,
  removeAt,
  removeTable,
  renameTable,
  replaceAt,
} from './ModelDraft.ts';
import { ModelFieldSelect } from './ModelFieldSelect.tsx';
import { RemoveButton } from './RemoveButton.tsx';

const JOIN_TYPES: ModelJoin['type'][] = ['left', 'inner', 'right', 'full'];

const describe = (table: ModelTable, sources: DataSource[]) =>
  'dataSource' in table
    ? `data source ${sources.find((s) => s.uuid === table.dataSource)?.name ?? table.dataSource}`
    : 'sql' in table
      ? 'SQL query'
      : `warehouse table ${table.schema ? `${table.schema}.` : ''}${table.table}`;

/** The model's tables (data sources under an alias), its base table, and how the others join it. */
export function ModelTablesSection(props: {
  draft: ModelDraft;
  sources: DataSource[];
  fields: Column[];
  onChange: (draft: ModelDraft) => void;
}) {
  const { draft, sources, onChange } = props;
  const [adding, setAdding] = useState('');
  const add = () => {
    const source = sources.find((s) => s.uuid === adding);
    if (source) onChange(addSourceTable(draft, source));
    setAdding('');
  };
  return (
    <>
      <fieldset>
        <legend>Tables</legend>
        {draft.tables.map((table, i) => (
          <div className="row" key={table.key}>
            <label>
              Table {i + 1} alias
              <input
                value={table.name}
                onChange={(e) => onChange(renameTable(draft, table.name, e.target.value))}
              />
            </label>
            <span className="muted">{describe(table, sources)}</span>
            <RemoveButton
              label={`Remove table ${table.name}`}
              onClick={() => onChange(removeTable(draft, table.name))}
            />
          </div>
        ))}
        <div className="row">
          <label>
            Add a data source
            <select value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Choose a data source</option>
              {sources.map((s) => (
                <option key={s.uuid} value={s.uuid}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={add} disabled={!adding}>
            Add table
          </button>
        </div>
        {draft.tables.length > 1 && (
          <label>
            Base table
            <select
              value={draft.baseTable}
              onChange={(e) => onChange({ ...draft, baseTable: e.target.value })}
            >
              {draft.tables.map((t) => (
                <option key={t.key} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </fieldset>
      {(draft.tables.length > 1 || draft.joins.length > 0) && (
        <JoinsFieldset draft={draft} fields={props.fields} onChange={onChange} />
      )}
    </>
  );
}

function JoinsFieldset(props: {
  draft: ModelDraft;
  fields: Column[];
  onChange: (draft: ModelDraft) => void;
}) {
  const { draft, fields } = props;
  const setJoins = (joins: Keyed<JoinDraft>[]) => props.onChange({ ...draft, joins });
  const joinable = draft.tables.filter((t) => t.name !== draft.baseTable);
  return (
    <fieldset>
      <legend>Joins</legend>
      {draft.joins.map((join, i) => {
        const n = i + 1;
        const setJoin = (next: Partial<JoinDraft>) =>
          setJoins(replaceAt(draft.joins, i, { ...join, ...next }));
        return (
          <div className="stack" key={join.key}>
            <div className="row">
              <label>
                Join {n} table
                <select value={join.table} onChange={(e) => setJoin({ table: e.target.value })}>
                  <option value="">Choose a table</option>
                  {joinable.map((t) => (
                    <option key={t.key} value={t.name}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Join {n} type
                <select
                  value={join.type}
                  onChange={(e) => setJoin({ type: e.target.value as ModelJoin['type'] })}
                >
                  {JOIN_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t} join
                    </option>
                  ))}
                </select>
              </label>
              <RemoveButton label={`Remove join ${n}`} onClick={() => setJoins(removeAt(draft.joins, i))} />
            </div>
            {join.on.map((condition, k) => {
              const setSide = (side: 'left' | 'right') => (address: string) =>
                setJoin({ on: replaceAt(join.on, k, { ...condition, [side]: address }) });
              return (
                <div className="row" key={condition.key}>
                  <ModelFieldSelect
                    label={`Join ${n} condition ${k + 1} left field`}
                    value={condition.left}
                    fields={fields}
                    onChange={setSide('left')}
                  />
                  <span aria-hidden="true">=</span>
                  <ModelFieldSelect
                    label={`Join ${n} condition ${k + 1} right field`}
                    value={condition.right}
                    fields={fields}
                    onChange={setSide('right')}
                  />
                  {join.on.length > 1 && (
                    <RemoveButton
                      label={`Remove join ${n} condition ${k + 1}`}
                      onClick={() => setJoin({ on: removeAt(join.on, k) })}
                    />
                  )}
                </div>
              );
            })}
            <button
              type="button"
              className="link"
              onClick={() => setJoin({ on: [...join.on, keyed({ left: '', right: '' })] })}
            >
              + Add join {n} condition
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="link"
        onClick={() =>
          setJoins([...draft.joins, keyed({ table: '', type: 'left', on: [keyed({ left: '', right: '' })] })])
        }
      >
        + Add join
      </button>
    </fieldset>
  );
}
