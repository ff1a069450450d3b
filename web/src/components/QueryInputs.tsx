import '../query-builder.css';
import { type ReactNode, useEffect, useState } from 'react';
import type { Column, DashboardVariable } from '../types.ts';
import { FilterValueInput } from './FilterValueInput.tsx';
import type { QueryDraft } from './query-draft.ts';
import { type FilterRow, OPERATORS } from './query-filter-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

/** The inputs the query builder's sections share. */
/** What every section of the query builder gets: the draft, its fields and the way to change it. */
export interface SectionProps {
  draft: QueryDraft;
  /** The source's fields, then the custom columns. */
  fields: Column[];
  custom: Column[];
  onChange: (draft: QueryDraft) => void;
}

export const typeIn = (props: Pick<SectionProps, 'fields' | 'custom'>, field: string) =>
  [...props.fields, ...props.custom].find((c) => c.name === field)?.type;

export function FieldSelect(props: {
  label: string;
  value: string;
  fields: Column[];
  custom: Column[];
  onChange: (value: string) => void;
  empty?: string;
  /** Result columns (metrics, calculations) a rule may also name. */
  results?: string[];
}) {
  const option = (c: Column) => (
    <option key={c.name} value={c.name}>
      {c.name} ({c.type})
    </option>
  );
  const results = props.results ?? [];
  const known =
    [...props.fields, ...props.custom].some((c) => c.name === props.value) || results.includes(props.value);
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{props.empty ?? 'Choose a field'}</option>
      {props.fields.map(option)}
      {props.custom.length > 0 && <optgroup label="Custom columns">{props.custom.map(option)}</optgroup>}
      {results.length > 0 && (
        <optgroup label="Metrics and calculations">
          {results.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </optgroup>
      )}
      {/* A saved query may name what the source no longer has: shown, so the row says what it holds. */}
      {props.value && !known && <option value={props.value}>{props.value} (missing)</option>}
    </select>
  );
}

/** The server's message about one input, under it. */
export function FieldError(props: { id?: string; message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p className="error small" id={props.id} role="alert">
      {props.message}
    </p>
  );
}

/** "+ Add …" under a list of the builder. */
export function AddButton(props: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="link" onClick={props.onClick}>
      {props.label}
    </button>
  );
}

/**
 * One filter rule: field, operator, values. `label` names the row for the labels of its inputs
 * (`Filter 2`, `Metric 1 rule 1`).
 */
export function RuleRow(props: {
  label: string;
  row: FilterRow;
  fields: Column[];
  custom: Column[];
  results?: string[];
  variables: DashboardVariable[];
  onChange: (row: FilterRow) => void;
  onRemove: () => void;
}) {
  const { row, label } = props;
  return (
    <div className="row">
      <FieldSelect
        label={`${label} field`}
        value={row.field}
        fields={props.fields}
        custom={props.custom}
        results={props.results}
        onChange={(field) => props.onChange({ ...row, field })}
      />
      <select
        aria-label={`${label} operator`}
        value={row.operator}
        onChange={(e) => props.onChange({ ...row, operator: e.target.value })}
      >
        {OPERATORS.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <FilterValueInput
        label={label}
        row={row}
        variables={props.variables}
        onChange={(change) => props.onChange({ ...row, ...change })}
      />
      <RemoveButton label={`Remove ${label.toLowerCase()}`} onClick={props.onRemove} />
    </div>
  );
}

/**
 * A section shown on demand (progressive disclosure): closed until opened, and opened by itself
 * when the query uses it or the server finds a problem in it.
 */
export function Disclosure(props: { summary: string; count?: number; open: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(props.open);
  useEffect(() => {
    if (props.open) setOpen(true);
  }, [props.open]);
  return (
    <details className="disclosure" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {props.summary}
        {props.count ? <span className="tag count">{props.count}</span> : null}
      </summary>
      <div className="disclosurebody">{props.children}</div>
    </details>
  );
}
