import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import type { DashboardFilter, QueryResult, Scalar } from '../types.ts';

/** A values filter's choices as an ad-hoc distinct query (editors, in the settings preview). */
export const distinctValues = (source: string | undefined, field: string): Promise<Scalar[]> =>
  source
    ? api<QueryResult>('POST', '/query', { source, dimensions: [field], sorts: [field], limit: 1000 }).then(
        (r) => r.rows.map((row) => row[0]),
      )
    : Promise.resolve([]);

import { DATE_PRESETS, type FilterValue } from './filters.ts';

export function FilterBar(props: {
  filters: DashboardFilter[];
  values: Record<string, FilterValue | undefined>;
  onChange: (id: string, value: FilterValue | undefined) => void;
  /** The values a values filter offers. */
  choicesOf: (filter: DashboardFilter) => Promise<Scalar[]>;
}) {
  if (props.filters.length === 0) return null;
  return (
    <fieldset className="filterbar">
      <legend className="sr-only">Dashboard filters</legend>
      {props.filters.map((filter) => {
        const label = filter.label || filter.field;
        const value = props.values[filter.id];
        const set = (next: FilterValue | undefined) => props.onChange(filter.id, next);
        if (filter.type === 'date_range')
          return <DateRangeFilter key={filter.id} label={label} value={value} onChange={set} />;
        if (filter.type === 'values')
          return (
            <ValuesFilter
              key={filter.id}
              label={label}
              load={() => props.choicesOf(filter)}
              value={value}
              onChange={set}
            />
          );
        return <NumberRangeFilter key={filter.id} label={label} value={value} onChange={set} />;
      })}
    </fieldset>
  );
}

function DateRangeFilter(props: {
  label: string;
  value: FilterValue | undefined;
  onChange: (v: FilterValue | undefined) => void;
}) {
  const id = useId();
  const { value } = props;
  const selected = !value
    ? ''
    : value.kind === 'relative'
      ? value.preset
      : value.kind === 'between'
        ? 'custom'
        : '';
  return (
    <div className="filter">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={selected}
        onChange={(e) => {
          const v = e.target.value;
          props.onChange(
            v === ''
              ? undefined
              : v === 'custom'
                ? { kind: 'between', from: '', to: '' }
                : { kind: 'relative', preset: v },
          );
        }}
      >
        <option value="">All time</option>
        {DATE_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
        <option value="custom">Custom range…</option>
      </select>
      {value?.kind === 'between' && (
        <span className="daterange">
          <input
            type="date"
            aria-label={`${props.label} from`}
            value={value.from}
            onChange={(e) => props.onChange({ ...value, from: e.target.value })}
          />
          <span aria-hidden="true">–</span>
          <input
            type="date"
            aria-label={`${props.label} to`}
            value={value.to}
            onChange={(e) => props.onChange({ ...value, to: e.target.value })}
          />
        </span>
      )}
    </div>
  );
}

function NumberRangeFilter(props: {
  label: string;
  value: FilterValue | undefined;
  onChange: (v: FilterValue | undefined) => void;
}) {
  const value = props.value?.kind === 'range' ? props.value : { kind: 'range' as const, min: '', max: '' };
  const set = (next: typeof value) => props.onChange(next.min === '' && next.max === '' ? undefined : next);
  return (
    <div className="filter">
      <span className="filterlabel">{props.label}</span>
      <input
        type="number"
        className="narrow"
        aria-label={`${props.label} minimum`}
        placeholder="min"
        value={value.min}
        onChange={(e) => set({ ...value, min: e.target.value })}
      />
      <input
        type="number"
        className="narrow"
        aria-label={`${props.label} maximum`}
        placeholder="max"
        value={value.max}
        onChange={(e) => set({ ...value, max: e.target.value })}
      />
    </div>
  );
}

/** Multi-select with search; the choices are loaded on first open. */
function ValuesFilter(props: {
  label: string;
  load: () => Promise<Scalar[]>;
  value: FilterValue | undefined;
  onChange: (v: FilterValue | undefined) => void;
}) {
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<Scalar[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const listId = useId();
  const selected = props.value?.kind === 'values' ? props.value.values : [];

  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once, on the first opening
  useEffect(() => {
    if (!open || choices) return;
    props
      .load()
      .then(setChoices)
      .catch((e) => setError(errorMessage(e)));
  }, [open, choices]);

  useEffect(() => {
    if (!open) return;
    searchBox.current?.focus();
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent ? event.key === 'Escape' : !box.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    return (choices ?? []).filter((c) => String(c).toLowerCase().includes(needle));
  }, [choices, search]);

  const toggle = (choice: Scalar) => {
    const next = selected.includes(choice) ? selected.filter((s) => s !== choice) : [...selected, choice];
    props.onChange(next.length ? { kind: 'values', values: next } : undefined);
  };

  const summary =
    selected.length === 0
      ? 'All'
      : selected.length <= 2
        ? selected.map(String).join(', ')
        : `${selected.length} selected`;
  return (
    <div className="filter valuesfilter" ref={box}>
      <span className="filterlabel" id={`${listId}-label`}>
        {props.label}
      </span>
      <button
        type="button"
        className="select"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-labelledby={`${listId}-label ${listId}-value`}
        onClick={() => setOpen(!open)}
      >
        <span id={`${listId}-value`}>{summary}</span> ▾
      </button>
      {open && (
        <div className="popover">
          <input
            type="search"
            placeholder={`Search ${props.label.toLowerCase()}`}
            aria-label={`Search ${props.label}`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            ref={searchBox}
          />
          {error && <p className="error">{error}</p>}
          {!choices && !error && <p className="muted">Loading…</p>}
          <fieldset className="choices">
            <legend className="sr-only">{props.label}</legend>
            {shown.map((choice) => (
              <div key={String(choice)}>
                <label>
                  <input
                    type="checkbox"
                    checked={selected.includes(choice)}
                    onChange={() => toggle(choice)}
                  />
                  {choice === null ? '∅ (empty)' : String(choice)}
                </label>
              </div>
            ))}
          </fieldset>
          <div className="popoverfoot">
            <button type="button" className="link" onClick={() => props.onChange(undefined)}>
              Clear
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
