import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import type { Column, Dashboard, DashboardVariable, DataSource } from '../types.ts';
import { FilterSettings, type FilterTile, filterBody, filterRow } from './FilterSettings.tsx';
import { Modal } from './Modal.tsx';
import { RemoveButton } from './RemoveButton.tsx';

interface VariableRow {
  key: number;
  name: string;
  type: DashboardVariable['type'];
  /** As typed; converted to the variable's type on save. */
  value: string;
}

const VARIABLE_TYPES: DashboardVariable['type'][] = ['string', 'number', 'boolean', 'date'];
let lastKey = 0;
const variableRow = (variable?: DashboardVariable): VariableRow => ({
  key: ++lastKey,
  name: variable?.name ?? '',
  type: variable?.type ?? 'string',
  value: variable?.default === null || variable?.default === undefined ? '' : String(variable.default),
});

/** The PATCH body entry of a variable; a number that does not parse goes as typed, for the server to name. */
function variableBody(row: VariableRow): DashboardVariable {
  const raw = row.value.trim();
  const value =
    raw === ''
      ? null
      : row.type === 'number' && Number.isFinite(Number(raw))
        ? Number(raw)
        : row.type === 'boolean'
          ? raw === 'true'
          : raw;
  return { name: row.name, type: row.type, default: value };
}

/** The columns a filter can name: those of the sources the widgets query (all sources when none do). */
function filterFields(dashboard: Dashboard, sources: DataSource[]): Column[] {
  const used = new Set(dashboard.widgets.flatMap((w) => (w.query ? [w.query.source] : [])));
  const relevant = sources.filter((s) => used.has(s.uuid) || used.has(String(s.id)));
  const byName = new Map<string, Column>();
  for (const source of relevant.length ? relevant : sources)
    for (const column of source.columns) if (!byName.has(column.name)) byName.set(column.name, column);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The data widgets a filter may target, with the fields of their source when it is a data source. */
function filterTiles(dashboard: Dashboard, sources: DataSource[]): FilterTile[] {
  return dashboard.widgets.flatMap((widget) => {
    if (!widget.query) return [];
    const ref = widget.query.source;
    const source = sources.find((s) => s.uuid === ref || String(s.id) === ref);
    return [{ id: widget.id, title: widget.title || widget.id, fields: source?.columns ?? [] }];
  });
}

/**
 * The dashboard's settings: name, description, filters, variables, header HTML and custom CSS,
 * saved with one PATCH. A refused save keeps the dialog open with the server's message.
 */
export function DashboardSettings(props: {
  dashboard: Dashboard;
  onSaved: (dashboard: Dashboard) => void;
  onClose: () => void;
}) {
  const { dashboard } = props;
  const [name, setName] = useState(dashboard.name);
  const [description, setDescription] = useState(dashboard.description ?? '');
  const [filters, setFilters] = useState(() => dashboard.filters.map(filterRow));
  const [variables, setVariables] = useState(() => dashboard.variables.map(variableRow));
  const [headerHtml, setHeaderHtml] = useState(dashboard.headerHtml ?? '');
  const [customCss, setCustomCss] = useState(dashboard.customCss ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [sources, setSources] = useState<DataSource[]>([]);
  const fields = useMemo(() => filterFields(dashboard, sources), [dashboard, sources]);
  const tiles = useMemo(() => filterTiles(dashboard, sources), [dashboard, sources]);
  // A values filter previews its choices from the first widget source that has the field.
  const sourceFor = (field: string) => {
    for (const widget of dashboard.widgets) {
      const source =
        widget.query && sources.find((s) => [s.uuid, String(s.id)].includes(widget.query?.source ?? ''));
      if (source?.columns.some((c) => c.name === field)) return source.uuid;
    }
    return undefined;
  };

  useEffect(() => {
    api<{ items: DataSource[] }>('GET', '/data-sources')
      .then((r) => setSources(r.items))
      .catch((e) => setError(`The filter fields could not be loaded: ${errorMessage(e)}`));
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const saved = await api<Dashboard>('PATCH', `/dashboards/${dashboard.id}`, {
        name,
        description: description.trim() || null,
        filters: filters.map(filterBody),
        variables: variables.map(variableBody),
        headerHtml: headerHtml.trim() || null,
        customCss: customCss.trim() || null,
      });
      props.onSaved(saved);
    } catch (caught) {
      setError(errorMessage(caught));
      setSaving(false);
    }
  };

  const setVariable = (index: number, row: VariableRow) =>
    setVariables(variables.map((v, i) => (i === index ? row : v)));

  return (
    <Modal title="Dashboard settings" onClose={props.onClose} wide>
      <form className="settingsform" onSubmit={save}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
        </label>
        <label>
          Description
          <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <FilterSettings
          rows={filters}
          onChange={setFilters}
          fields={fields}
          sourceFor={sourceFor}
          tiles={tiles}
        />
        <fieldset className="settingslist">
          <legend>Variables</legend>
          {variables.map((row, i) => (
            <div className="row" key={row.key}>
              <input
                aria-label={`Variable ${i + 1} name`}
                placeholder="name"
                value={row.name}
                onChange={(e) => setVariable(i, { ...row, name: e.target.value })}
              />
              <select
                aria-label={`Variable ${i + 1} type`}
                value={row.type}
                onChange={(e) =>
                  setVariable(i, { ...row, type: e.target.value as VariableRow['type'], value: '' })
                }
              >
                {VARIABLE_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
              {row.type === 'boolean' ? (
                <select
                  aria-label={`Variable ${i + 1} default`}
                  value={row.value}
                  onChange={(e) => setVariable(i, { ...row, value: e.target.value })}
                >
                  <option value="">no default</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <input
                  aria-label={`Variable ${i + 1} default`}
                  placeholder="default value"
                  type={row.type === 'date' ? 'date' : 'text'}
                  inputMode={row.type === 'number' ? 'decimal' : undefined}
                  value={row.value}
                  onChange={(e) => setVariable(i, { ...row, value: e.target.value })}
                />
              )}
              <RemoveButton
                label={`Remove variable ${i + 1}`}
                onClick={() => setVariables(variables.filter((_, j) => j !== i))}
              />
            </div>
          ))}
          <button type="button" className="link" onClick={() => setVariables([...variables, variableRow()])}>
            + Add variable
          </button>
        </fieldset>
        <label>
          Header HTML
          <textarea
            className="code"
            rows={4}
            value={headerHtml}
            onChange={(e) => setHeaderHtml(e.target.value)}
            placeholder="<b>Quarterly review</b> — shown above the widgets"
          />
          <span className="muted small">
            Text formatting, http(s) links and images; scripts, event handlers and unsafe styles are removed.
          </span>
        </label>
        <label>
          Custom CSS
          <textarea
            className="code"
            rows={5}
            value={customCss}
            onChange={(e) => setCustomCss(e.target.value)}
            placeholder=".widget h2 { color: #7a271a; }"
          />
          <span className="muted small">Applies inside this dashboard only; @import is ignored.</span>
        </label>
        <ErrorNote error={error} />
        <div className="dialogactions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
