import { useState } from 'react';
import { colorsOf, goalOf, legendPlacements } from '../../../src/core/exports/chart-display.ts';
import { cartesianFields, chartDrawing, isChartType } from '../../../src/core/exports/chart-options.ts';
import { columnLabel, MAX_DECIMALS } from '../../../src/core/exports/present.ts';
import type { QueryResult } from '../types.ts';
import { hasChartAxes } from './ChartAxes.tsx';
import './chart-settings.css';

type Options = Record<string, unknown>;
interface SectionProps {
  type: string;
  result: QueryResult;
  options: Options;
  /** Sets one option; undefined, '' or an empty list removes it (the automatic default). */
  set: (key: string, value: unknown) => void;
}

const FORMATS = [
  { id: 'number', label: 'Number' },
  { id: 'integer', label: 'Whole number' },
  { id: 'currency', label: 'Currency' },
  { id: 'percent', label: 'Percent (0.25 → 25%)' },
  { id: 'compact', label: 'Compact (12K, 3.4M)' },
];
const CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'JPY',
  'CHF',
  'CAD',
  'AUD',
  'CNY',
  'INR',
  'BRL',
  'SEK',
  'NOK',
  'DKK',
];
const ROTATIONS = [0, 30, 45, 60, 90];
const LEGEND_LABELS: Record<(typeof legendPlacements)[number], string> = {
  auto: 'Automatic',
  top: 'Top',
  bottom: 'Bottom',
  right: 'Right',
  none: 'None',
};
/** As many series as a chart draws (`MAX_SERIES`): a pie's further slices keep the palette. */
const MAX_SWATCHES = 25;

const text = (value: unknown) => (typeof value === 'string' ? value : '');
/** `#0a0` → `#00aa00`: a colour input takes 6 digits only. */
const sixDigits = (hex: string) =>
  hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}`.toLowerCase() : hex.toLowerCase();

function Choice(props: {
  label: string;
  value: unknown;
  choices: { id: string; label: string }[];
  onChange: (value: string) => void;
}) {
  const value = props.value === undefined || props.value === null ? '' : String(props.value);
  const known = value === '' || props.choices.some((c) => c.id === value);
  return (
    <label>
      {props.label}
      <select value={value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Automatic</option>
        {!known && <option value={value}>{value}</option>}
        {props.choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function TextSetting(props: {
  label: string;
  value: unknown;
  placeholder?: string;
  max: number;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        value={text(props.value)}
        placeholder={props.placeholder}
        maxLength={props.max}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

function NumberSettings({ options, set }: SectionProps) {
  return (
    <fieldset>
      <legend>Numbers</legend>
      <div className="row">
        <Choice label="Format" value={options.format} choices={FORMATS} onChange={(v) => set('format', v)} />
        {options.format === 'currency' && (
          <Choice
            label="Currency"
            value={options.currency}
            choices={CURRENCIES.map((c) => ({ id: c, label: c }))}
            onChange={(v) => set('currency', v)}
          />
        )}
        <Choice
          label="Decimals"
          value={options.decimals}
          choices={Array.from({ length: MAX_DECIMALS + 1 }, (_, i) => ({ id: String(i), label: String(i) }))}
          onChange={(v) => set('decimals', v === '' ? undefined : Number(v))}
        />
        <TextSetting label="Prefix" value={options.prefix} max={20} onChange={(v) => set('prefix', v)} />
        <TextSetting label="Suffix" value={options.suffix} max={20} onChange={(v) => set('suffix', v)} />
      </div>
    </fieldset>
  );
}

function AxisSettings({ type, result, options, set }: SectionProps) {
  const { x, ys } = cartesianFields(options, result);
  const scatter = type === 'scatter';
  const bars = type === 'bar' || type === 'stacked_bar';
  const column = (i: number | undefined) => (i === undefined ? undefined : result.columns[i]?.name);
  // Each title's default, the placeholder: the column's label where the chart names the axis so.
  const titles = [
    { key: 'xTitle', label: 'X axis title', column: scatter ? undefined : column(x) },
    { key: 'yTitle', label: 'Y axis title', column: !scatter && ys.length === 1 ? column(ys[0]) : undefined },
  ];
  return (
    <fieldset>
      <legend>Axes</legend>
      <div className="row">
        {titles.map((title) => (
          <TextSetting
            key={title.key}
            label={title.label}
            value={options[title.key]}
            placeholder={title.column ? columnLabel(title.column) : 'Automatic'}
            max={255}
            onChange={(v) => set(title.key, v)}
          />
        ))}
        {!scatter && (
          <Choice
            label="Category labels"
            value={options.labelRotation}
            choices={ROTATIONS.map((r) => ({ id: String(r), label: r === 0 ? 'Flat' : `Turned ${r}°` }))}
            onChange={(v) => set('labelRotation', v === '' ? undefined : Number(v))}
          />
        )}
        {bars && (
          <Choice
            label="Bars"
            value={options.horizontal}
            choices={[
              { id: 'false', label: 'Vertical' },
              { id: 'true', label: 'Horizontal' },
            ]}
            onChange={(v) => set('horizontal', v === '' ? undefined : v === 'true')}
          />
        )}
      </div>
    </fieldset>
  );
}

function LabelSettings({ type, options, set }: SectionProps) {
  const goal = goalOf(options);
  // The typed text, so "1." or "-" can be on their way to a number.
  const [goalText, setGoalText] = useState(goal ? String(goal.value) : '');
  const setGoal = (value: number | undefined, label: string | undefined) =>
    set('goal', value === undefined ? undefined : label ? { value, label } : { value });
  return (
    <fieldset>
      <legend>Values and goal</legend>
      <label className="inline">
        <input
          type="checkbox"
          checked={options.dataLabels === true}
          onChange={(e) => set('dataLabels', e.target.checked || undefined)}
        />
        Show values on the chart
      </label>
      {hasChartAxes(type) && (
        <div className="row">
          <label>
            Goal line
            <input
              type="number"
              step="any"
              value={goalText}
              placeholder="None"
              onChange={(e) => {
                setGoalText(e.target.value);
                const value = e.target.value.trim() === '' ? Number.NaN : Number(e.target.value);
                setGoal(Number.isFinite(value) ? value : undefined, goal?.label);
              }}
            />
          </label>
          <TextSetting
            label="Goal label"
            value={goal?.label}
            placeholder="Goal"
            max={100}
            onChange={(v) => goal && setGoal(goal.value, v)}
          />
        </div>
      )}
    </fieldset>
  );
}

function SeriesSettings({ type, result, options, set }: SectionProps) {
  const { entries } = chartDrawing({ type, options }, result, { width: 600, height: 400 });
  const hidden = Array.isArray(options.hiddenSeries) ? (options.hiddenSeries as string[]) : [];
  const colors = colorsOf(options).map(sixDigits);
  const chosen = Array.isArray(options.colors) ? options.colors.length : 0;
  const recolor = (index: number, color: string) => {
    // Colours go by position: the ones before keep theirs.
    const next = colors.slice(0, Math.max(chosen, index + 1));
    next[index] = color;
    set('colors', next);
  };
  const shown = entries.slice(0, MAX_SWATCHES);
  return (
    <fieldset>
      <legend>Legend and series</legend>
      <div className="row">
        <Choice
          label="Legend"
          value={options.legend}
          choices={legendPlacements
            .filter((p) => p !== 'auto')
            .map((p) => ({ id: p, label: LEGEND_LABELS[p] }))}
          onChange={(v) => set('legend', v)}
        />
      </div>
      {shown.length > 0 && (
        <ul className="serieslist" aria-label="Series">
          {shown.map((name, i) => (
            <li key={name}>
              <input
                type="color"
                aria-label={`Colour of ${name}`}
                value={colors[i % colors.length]}
                onChange={(e) => recolor(i, e.target.value)}
              />
              <label className="inline">
                <input
                  type="checkbox"
                  checked={!hidden.includes(name)}
                  onChange={(e) =>
                    set(
                      'hiddenSeries',
                      e.target.checked ? hidden.filter((h) => h !== name) : [...hidden, name],
                    )
                  }
                />
                {name}
              </label>
            </li>
          ))}
        </ul>
      )}
      {entries.length > shown.length && (
        <p className="muted small">
          The first {shown.length} of {entries.length} are listed.
        </p>
      )}
      {chosen > 0 && (
        <button type="button" className="link" onClick={() => set('colors', undefined)}>
          Reset colours
        </button>
      )}
    </fieldset>
  );
}

/**
 * How a widget shows its data, stored in `visualization.options`: the number format (every
 * widget but text), and for charts axis titles, label rotation, data labels, goal line, legend,
 * series colours and the series shown at first. The preview redraws from the same options.
 */
export function ChartSettings(props: {
  type: string;
  result: QueryResult;
  options: Options;
  onChange: (options: Options) => void;
}) {
  const { type, result, options, onChange } = props;
  if (type === 'text') return null;
  const set = (key: string, value: unknown) => {
    const { [key]: _, ...rest } = options;
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    onChange(empty ? rest : { ...rest, [key]: value });
  };
  const section = { type, result, options, set };
  const chart = isChartType(type);
  return (
    <details className="displaysettings">
      <summary>Display</summary>
      <NumberSettings {...section} />
      {hasChartAxes(type) && <AxisSettings {...section} />}
      {chart && <LabelSettings {...section} />}
      {chart && <SeriesSettings {...section} />}
    </details>
  );
}
