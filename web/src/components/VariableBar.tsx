import { useId, useState } from 'react';
import { dashboardVariableValues } from '../../../src/core/content/variables.ts';
import { type VariableValues, variablesUsed, withVariables } from '../../../src/core/query/variables.ts';
import type { Dashboard, DashboardVariable, Query, Scalar } from '../types.ts';

/*
 * The dashboard's variables in the view: their values (the viewer's choices over the
 * dashboard's defaults, by the server's own rule in core/content/variables.ts) and the bar that
 * changes them. A widget query carries only the variables it uses, so changing one re-runs just
 * the widgets that use it.
 */

type Choices = Record<string, Scalar>;

/**
 * `given` are an embed token's values: they replace the defaults and cannot be changed here.
 * Choices hold until the dashboard's variable definitions change.
 */
export function useDashboardVariables(dashboard: Dashboard | null, given: VariableValues = {}) {
  const definitions = dashboard?.variables ?? [];
  const key = dashboard ? `${dashboard.id}:${JSON.stringify(definitions)}` : '';
  const [chosen, setChosen] = useState<{ key: string; values: Choices }>({ key: '', values: {} });
  const choices = chosen.key === key ? chosen.values : {};
  const values = dashboardVariableValues(definitions, { ...choices, ...given });
  const bar = {
    variables: definitions,
    values,
    locked: new Set(Object.keys(given)),
    onChange: (name: string, value: Scalar) => setChosen({ key, values: { ...choices, [name]: value } }),
  };
  /** What an export asks for: the choices made here (null = cleared) and the fixed values. */
  const requested: Record<string, unknown> = { ...choices, ...given };
  return { values, requested, bar };
}

/** A widget's query with the values of the variables its filters use. */
export function queryWithVariables(query: Query, values: VariableValues): Query {
  const used = variablesUsed(query.filters).filter((name) => Object.hasOwn(values, name));
  return withVariables(
    query as unknown as Record<string, unknown>,
    Object.fromEntries(used.map((name) => [name, values[name]])),
  ) as unknown as Query;
}

export function VariableBar(props: {
  variables: DashboardVariable[];
  values: VariableValues;
  locked: Set<string>;
  onChange: (name: string, value: Scalar) => void;
}) {
  if (props.variables.length === 0) return null;
  return (
    <fieldset className="filterbar variablebar">
      <legend className="sr-only">Variables</legend>
      <span className="filterlabel muted" aria-hidden="true">
        Variables
      </span>
      {props.variables.map((variable) => (
        <VariableInput
          key={variable.name}
          variable={variable}
          value={props.values[variable.name] ?? null}
          readOnly={props.locked.has(variable.name)}
          onChange={(value) => props.onChange(variable.name, value)}
        />
      ))}
    </fieldset>
  );
}

/** Text and numbers apply on Enter or when the field is left, not on every keystroke. */
function VariableInput(props: {
  variable: DashboardVariable;
  value: Scalar | Scalar[];
  readOnly: boolean;
  onChange: (value: Scalar) => void;
}) {
  const id = useId();
  const { variable, value } = props;
  const shown = Array.isArray(value) ? value.join(', ') : value === null ? '' : String(value);
  const [draft, setDraft] = useState<{ from: string; text: string } | null>(null);
  const text = draft && draft.from === shown ? draft.text : shown;
  const commit = () => {
    if (!draft || draft.text === shown) return setDraft(null);
    const typed = draft.text.trim();
    if (variable.type === 'number' && typed !== '' && !Number.isFinite(Number(typed))) return;
    props.onChange(typed === '' ? null : variable.type === 'number' ? Number(typed) : draft.text);
    setDraft(null);
  };
  return (
    <div className="filter">
      <label htmlFor={id}>{variable.name}</label>
      {variable.type === 'boolean' ? (
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          disabled={props.readOnly}
          onChange={(e) => props.onChange(e.target.checked)}
        />
      ) : variable.type === 'date' ? (
        <input
          id={id}
          type="date"
          value={shown}
          readOnly={props.readOnly}
          onChange={(e) => props.onChange(e.target.value === '' ? null : e.target.value)}
        />
      ) : (
        <input
          id={id}
          type={variable.type === 'number' ? 'number' : 'text'}
          className={variable.type === 'number' ? 'narrow' : undefined}
          value={text}
          readOnly={props.readOnly}
          onChange={(e) => setDraft({ from: shown, text: e.target.value })}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      )}
    </div>
  );
}
