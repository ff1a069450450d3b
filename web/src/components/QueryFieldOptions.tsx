import type { Column, FilterNode } from '../types.ts';
import { keyed } from './ModelDraft.ts';
import { AddButton, RuleRow } from './QueryInputs.tsx';
import { type BinDraft, DATE_PARTS, type MetricRow, PERIODS, type RangeDraft } from './query-draft.ts';
import { describeFilter, type FilterRow } from './query-filter-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

/** The options of one dimension or metric row: granularity, bins, percentile, own filter. */

export function GranularitySelect(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const known =
    props.value === '' || PERIODS.includes(props.value) || DATE_PARTS.some(([v]) => v === props.value);
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">exact time</option>
      <optgroup label="By period">
        {PERIODS.map((g) => (
          <option key={g} value={g}>
            by {g}
          </option>
        ))}
      </optgroup>
      <optgroup label="Across periods">
        {DATE_PARTS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </optgroup>
      {!known && <option value={props.value}>{props.value.replace(/_/g, ' ')}</option>}
    </select>
  );
}

/** Fixed-width bins (width, where the first starts) or custom ranges, each `from ≤ value < to`. */
export function BinEditor(props: { label: string; bin: BinDraft; onChange: (bin: BinDraft) => void }) {
  const { bin, label } = props;
  if (bin.kind === 'width')
    return (
      <div className="row suboptions">
        <label className="inline">
          Width
          <input
            type="number"
            className="narrow"
            aria-label={`${label} bin width`}
            min={0}
            step="any"
            placeholder="10"
            value={bin.width}
            onChange={(e) => props.onChange({ ...bin, width: e.target.value })}
          />
        </label>
        <label className="inline">
          from
          <input
            type="number"
            className="narrow"
            aria-label={`${label} bin start`}
            step="any"
            placeholder="0"
            value={bin.offset}
            onChange={(e) => props.onChange({ ...bin, offset: e.target.value })}
          />
        </label>
      </div>
    );
  const set = (index: number, range: RangeDraft) =>
    props.onChange({ ...bin, ranges: bin.ranges.map((r, i) => (i === index ? range : r)) });
  return (
    <div className="suboptions">
      {bin.ranges.map((range, i) => {
        const at = `${label} range ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a range is its place in the list
          <div className="row rangerow" key={i}>
            <input
              type="number"
              step="any"
              aria-label={`${at} from`}
              placeholder="from"
              value={range.from}
              onChange={(e) => set(i, { ...range, from: e.target.value })}
            />
            <input
              type="number"
              step="any"
              aria-label={`${at} to`}
              placeholder="below"
              value={range.to}
              onChange={(e) => set(i, { ...range, to: e.target.value })}
            />
            <input
              className="rangelabel"
              aria-label={`${at} label`}
              placeholder="label"
              value={range.label}
              onChange={(e) => set(i, { ...range, label: e.target.value })}
            />
            <RemoveButton
              label={`Remove ${at.toLowerCase()}`}
              onClick={() => props.onChange({ ...bin, ranges: bin.ranges.filter((_, j) => j !== i) })}
            />
          </div>
        );
      })}
      <p className="muted small">Each range takes values from “from” up to, not including, “below”.</p>
      <AddButton
        label="+ Range"
        onClick={() => {
          // The next range starts where the last one stops.
          const from = bin.ranges.at(-1)?.to ?? '';
          props.onChange({ ...bin, ranges: [...bin.ranges, { from, to: '', label: '' }] });
        }}
      />
    </div>
  );
}

export function PercentileInput(props: { label: string; value: string; onChange: (value: string) => void }) {
  const value = Number(props.value);
  const invalid = props.value.trim() === '' || !(value >= 0 && value <= 100);
  return (
    <div className="row suboptions">
      <label className="inline percentile" title="The value below which this share of the values falls">
        <input
          type="number"
          className="narrow"
          aria-label={props.label}
          aria-invalid={invalid || undefined}
          min={0}
          max={100}
          step="any"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
        th percentile (50 = median)
      </label>
    </div>
  );
}

export const emptyRule = (): Omit<FilterRow, 'key'> => ({
  field: '',
  operator: '=',
  value: '',
  variable: '',
});

/** A filtered metric: its rules (and-ed), what was saved beyond them, and its column's name. */
export function MetricFilter(props: {
  label: string;
  row: MetricRow;
  fields: Column[];
  custom: Column[];
  onChange: (row: MetricRow) => void;
}) {
  const { row, label } = props;
  const filter = row.filter ?? { rows: [], kept: [] };
  const setRules = (rows: FilterRow[]) => props.onChange({ ...row, filter: { ...filter, rows } });
  return (
    <fieldset className="bare suboptions metricfilter" aria-label={`${label} filter`}>
      <legend className="muted small">Only rows where</legend>
      {filter.rows.map((rule, j) => (
        <RuleRow
          key={rule.key}
          label={`${label} rule ${j + 1}`}
          row={rule}
          fields={props.fields}
          custom={props.custom}
          variables={[]}
          onChange={(next) => setRules(filter.rows.map((r) => (r.key === rule.key ? next : r)))}
          onRemove={() => setRules(filter.rows.filter((r) => r.key !== rule.key))}
        />
      ))}
      <KeptFilters
        nodes={filter.kept}
        onChange={(kept) => props.onChange({ ...row, filter: { ...filter, kept } })}
      />
      <AddButton label="+ Condition" onClick={() => setRules([...filter.rows, keyed(emptyRule())])} />
      <div className="row">
        <label className="inline">
          Named
          <input
            aria-label={`${label} name`}
            value={row.alias ?? ''}
            placeholder="fr_quantity"
            onChange={(e) => props.onChange({ ...row, alias: e.target.value.trim() || undefined })}
          />
        </label>
        <button
          type="button"
          className="link small"
          onClick={() => {
            const { filter: _filter, ...unfiltered } = row;
            props.onChange({ ...unfiltered, alias: undefined });
          }}
        >
          Remove filter
        </button>
      </div>
    </fieldset>
  );
}

/** Saved conditions the rows cannot show (an `or`, a relative date…): listed, removable, kept. */
export function KeptFilters(props: { nodes: FilterNode[]; onChange: (nodes: FilterNode[]) => void }) {
  return props.nodes.map((node, i) => {
    const text = describeFilter(node);
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: a kept condition is its place in the list
      <div className="row keptfilter" key={i}>
        <span className="small" title="Set outside this editor; kept as it is">
          {text}
        </span>
        <RemoveButton
          label={`Remove condition ${text}`}
          onClick={() => props.onChange(props.nodes.filter((_, j) => j !== i))}
        />
      </div>
    );
  });
}
