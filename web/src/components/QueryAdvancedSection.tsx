import { useEffect, useState } from 'react';
import { columnLabel } from '../../../src/core/exports/present.ts';
import { Disclosure, FieldError, type SectionProps } from './QueryInputs.tsx';
import { dimensionColumns, type ErrorPlace, metricColumns, type QueryDraft } from './query-draft.ts';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const PLACES = ['top', 'totals', 'pivot', 'timezone', 'weekStart'];

/**
 * What most queries do without: top N with "Others", totals and subtotals, the pivot, the time
 * zone and first day of the week. Closed until opened or used.
 */
export function AdvancedSection(props: SectionProps & { errors: Map<ErrorPlace, string> }) {
  const { draft, errors } = props;
  const used = Boolean(draft.top || draft.totals || draft.pivot.length || draft.timezone || draft.weekStart);
  return (
    <Disclosure summary="Top N, totals, pivot, time zone" open={used || PLACES.some((p) => errors.has(p))}>
      <TopOptions {...props} />
      <TotalsOptions {...props} />
      <PivotOptions {...props} />
      <TimeOptions {...props} />
    </Disclosure>
  );
}

type Props = SectionProps & { errors: Map<ErrorPlace, string> };

function TopOptions(props: Props) {
  const { draft, onChange } = props;
  const dimensions = dimensionColumns(draft);
  const metrics = metricColumns(draft);
  const top = draft.top;
  const set = (change: Partial<NonNullable<QueryDraft['top']>>) =>
    top && onChange({ ...draft, top: { ...top, ...change } });
  return (
    <div className="option">
      <label className="inline">
        <input
          type="checkbox"
          checked={Boolean(top)}
          disabled={!top && (dimensions.length === 0 || metrics.length === 0)}
          onChange={(e) =>
            onChange({
              ...draft,
              top: e.target.checked
                ? { dimension: dimensions[0] ?? '', by: metrics[0] ?? '', n: 5, others: true, bottom: false }
                : null,
            })
          }
        />
        Keep only the top values
      </label>
      {top && (
        <div className="suboptions">
          <div className="row">
            <select
              className="short"
              aria-label="Top N direction"
              value={top.bottom ? 'bottom' : 'top'}
              onChange={(e) => set({ bottom: e.target.value === 'bottom' })}
            >
              <option value="top">Top</option>
              <option value="bottom">Bottom</option>
            </select>
            <input
              type="number"
              className="narrow"
              aria-label="Top N count"
              min={1}
              value={top.n}
              onChange={(e) => set({ n: Math.max(1, Math.floor(Number(e.target.value)) || 1) })}
            />
            <ColumnSelect
              label="Top N dimension"
              value={top.dimension}
              choices={dimensions}
              onChange={(dimension) => set({ dimension })}
            />
          </div>
          <div className="row">
            <ColumnSelect
              label="Top N by"
              prefix="by "
              value={top.by}
              choices={metrics}
              onChange={(by) => set({ by })}
            />
          </div>
          <label className="inline">
            <input type="checkbox" checked={top.others} onChange={(e) => set({ others: e.target.checked })} />
            Group the rest as “Others”
          </label>
        </div>
      )}
      <FieldError message={props.errors.get('top')} />
    </div>
  );
}

function TotalsOptions(props: Props) {
  const { draft, onChange } = props;
  const dimensions = dimensionColumns(draft);
  return (
    <div className="option">
      <label className="inline">
        <input
          type="checkbox"
          checked={draft.totals}
          disabled={!draft.totals && metricColumns(draft).length === 0}
          onChange={(e) => onChange({ ...draft, totals: e.target.checked, subtotals: [] })}
        />
        Totals row
      </label>
      {draft.totals && dimensions.length > 1 && (
        <Choices
          legend="Subtotals by"
          choices={dimensions}
          chosen={draft.subtotals}
          onChange={(subtotals) => onChange({ ...draft, subtotals })}
        />
      )}
      <FieldError message={props.errors.get('totals')} />
    </div>
  );
}

function PivotOptions(props: Props) {
  const { draft, onChange } = props;
  const dimensions = dimensionColumns(draft);
  return (
    <div className="option">
      <label className="inline">
        <input
          type="checkbox"
          checked={draft.pivot.length > 0}
          disabled={
            draft.pivot.length === 0 && (dimensions.length === 0 || metricColumns(draft).length === 0)
          }
          // The last dimension across, the others down: rows by country, columns by category.
          onChange={(e) => onChange({ ...draft, pivot: e.target.checked ? dimensions.slice(-1) : [] })}
        />
        Pivot: spread a dimension into columns
      </label>
      {draft.pivot.length > 0 && (
        <Choices
          legend="Columns by"
          choices={dimensions}
          chosen={draft.pivot}
          onChange={(pivot) => onChange({ ...draft, pivot })}
        />
      )}
      <FieldError message={props.errors.get('pivot')} />
    </div>
  );
}

const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The zone input only changes the query once it names a zone, not at every keystroke. */
function TimeOptions(props: Props) {
  const { draft, onChange } = props;
  const [zone, setZone] = useState(draft.timezone);
  useEffect(() => setZone(draft.timezone), [draft.timezone]);
  const invalid = zone.trim() !== '' && !validZone(zone.trim());
  return (
    <div className="option">
      <div className="row">
        <label>
          Time zone
          <input
            list="query-timezones"
            placeholder="UTC"
            value={zone}
            aria-invalid={invalid || undefined}
            onChange={(e) => {
              setZone(e.target.value);
              const next = e.target.value.trim();
              if (next === '' || validZone(next)) onChange({ ...draft, timezone: next });
            }}
          />
          <datalist id="query-timezones">
            {Intl.supportedValuesOf('timeZone').map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <label>
          Weeks start on
          <select
            value={draft.weekStart || 1}
            onChange={(e) =>
              onChange({ ...draft, weekStart: Number(e.target.value) === 1 ? 0 : Number(e.target.value) })
            }
          >
            {WEEKDAYS.map((day, i) => (
              <option key={day} value={i + 1}>
                {day}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FieldError
        message={
          invalid
            ? 'unknown time zone (try Europe/Paris)'
            : (props.errors.get('timezone') ?? props.errors.get('weekStart'))
        }
      />
    </div>
  );
}

function ColumnSelect(props: {
  label: string;
  prefix?: string;
  value: string;
  choices: string[];
  onChange: (value: string) => void;
}) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      {props.choices.map((c) => (
        <option key={c} value={c}>
          {props.prefix}
          {columnLabel(c)}
        </option>
      ))}
      {!props.choices.includes(props.value) && (
        <option value={props.value}>
          {props.prefix}
          {props.value || '…'} {props.value && '(missing)'}
        </option>
      )}
    </select>
  );
}

/** Checkboxes over the dimensions, in the query's order. */
function Choices(props: {
  legend: string;
  choices: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
}) {
  const missing = props.chosen.filter((c) => !props.choices.includes(c));
  return (
    <fieldset className="bare suboptions choicerow">
      <legend className="muted small">{props.legend}</legend>
      {[...props.choices, ...missing].map((c) => (
        <label key={c} className="inline">
          <input
            type="checkbox"
            checked={props.chosen.includes(c)}
            onChange={(e) =>
              props.onChange(
                e.target.checked
                  ? [...props.choices, ...missing].filter((x) => x === c || props.chosen.includes(x))
                  : props.chosen.filter((x) => x !== c),
              )
            }
          />
          {columnLabel(c)}
        </label>
      ))}
    </fieldset>
  );
}
