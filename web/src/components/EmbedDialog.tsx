import { type FormEvent, useId, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import type { Dashboard, DashboardVariable } from '../types.ts';
import { CopyField } from './CopyField.tsx';
import { EmbedList } from './EmbedList.tsx';
import { Modal } from './Modal.tsx';
import { RemoveButton } from './RemoveButton.tsx';

/*
 * Creates an embed URL for the dashboard (`POST /dashboards/:id/embeds`; the server decides who
 * may) and lists the existing ones, revocable. The link's `variables` object carries both the
 * dashboard's variables and the attributes that row policies read, so both are collected here
 * into one object; the server refuses attribute values beyond the creator's own (admins aside).
 */

const EXPIRY_PRESETS = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '5 days', seconds: 432_000 },
];

interface Created {
  url: string;
  expiresAt: string;
}

type EmbedValue = string | number | boolean | string[];

interface AttributeRow {
  key: number;
  name: string;
  values: string;
}

const textOf = (value: DashboardVariable['default']) => (value === null ? '' : String(value));

/** A variable's text typed for the server; blank means "not set". */
function typedValue(variable: DashboardVariable, text: string): string | number | boolean | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (variable.type === 'number') return Number(trimmed);
  if (variable.type === 'boolean') return trimmed === 'true';
  return trimmed;
}

export function EmbedDialog(props: { dashboard: Dashboard; onClose: () => void }) {
  const { dashboard } = props;
  const [preset, setPreset] = useState('86400');
  const [customSeconds, setCustomSeconds] = useState('');
  const [maxUses, setMaxUses] = useState('');
  const [variables, setVariables] = useState<Record<string, string>>(() =>
    Object.fromEntries(dashboard.variables.map((v) => [v.name, textOf(v.default)])),
  );
  const [attributes, setAttributes] = useState<AttributeRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  const embedVariables = (): Record<string, EmbedValue> => {
    const body: Record<string, EmbedValue> = {};
    for (const row of attributes) {
      const values = row.values
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      if (row.name.trim() && values.length > 0) body[row.name.trim()] = values;
    }
    for (const variable of dashboard.variables) {
      const value = typedValue(variable, variables[variable.name] ?? '');
      if (value !== undefined) body[variable.name] = value;
    }
    return body;
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const expiresInSeconds = Number(preset === 'custom' ? customSeconds : preset);
      setCreated(
        await api<Created>('POST', `/dashboards/${dashboard.id}/embeds`, {
          expiresInSeconds,
          ...(maxUses.trim() ? { maxUses: Number(maxUses) } : {}),
          variables: embedVariables(),
        }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const setAttribute = (index: number, row: AttributeRow) =>
    setAttributes(attributes.map((a, i) => (i === index ? row : a)));

  return (
    <Modal title={`Embed “${dashboard.name}”`} onClose={props.onClose} wide>
      {created ? (
        <EmbedResult created={created} onAnother={() => setCreated(null)} onClose={props.onClose} />
      ) : (
        <form className="settingsform" onSubmit={create}>
          <div className="row">
            <label>
              Expires after
              <select value={preset} onChange={(e) => setPreset(e.target.value)}>
                {EXPIRY_PRESETS.map((p) => (
                  <option key={p.seconds} value={p.seconds}>
                    {p.label}
                  </option>
                ))}
                <option value="custom">Custom…</option>
              </select>
            </label>
            {preset === 'custom' && (
              <label>
                Expiry in seconds
                <input
                  type="number"
                  min={1}
                  required
                  value={customSeconds}
                  onChange={(e) => setCustomSeconds(e.target.value)}
                />
              </label>
            )}
            <label>
              Max opens (optional)
              <input type="number" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
            </label>
          </div>
          {dashboard.variables.length > 0 && (
            <fieldset className="settingslist">
              <legend>Variables</legend>
              <p className="muted small">Fixed for the embed; leave blank to leave a variable unset.</p>
              {dashboard.variables.map((variable) => (
                <VariableField
                  key={variable.name}
                  variable={variable}
                  value={variables[variable.name] ?? ''}
                  onChange={(value) => setVariables({ ...variables, [variable.name]: value })}
                />
              ))}
            </fieldset>
          )}
          <fieldset className="settingslist">
            <legend>Attributes for row policies</legend>
            {attributes.map((row, i) => (
              <div className="row" key={row.key}>
                <input
                  aria-label={`Attribute ${i + 1} name`}
                  placeholder="attribute"
                  value={row.name}
                  onChange={(e) => setAttribute(i, { ...row, name: e.target.value })}
                />
                <input
                  aria-label={`Attribute ${i + 1} values`}
                  placeholder="values, separated by commas"
                  value={row.values}
                  onChange={(e) => setAttribute(i, { ...row, values: e.target.value })}
                />
                <RemoveButton
                  label={`Remove attribute ${i + 1}`}
                  onClick={() => setAttributes(attributes.filter((_, j) => j !== i))}
                />
              </div>
            ))}
            <button
              type="button"
              className="link"
              onClick={() => setAttributes([...attributes, { key: Date.now(), name: '', values: '' }])}
            >
              + Add attribute
            </button>
          </fieldset>
          <ErrorNote error={error} />
          <div className="dialogactions">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create embed URL'}
            </button>
          </div>
        </form>
      )}
      <EmbedList dashboard={dashboard} refreshKey={created ? 1 : 0} />
    </Modal>
  );
}

function VariableField(props: {
  variable: DashboardVariable;
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const { variable } = props;
  return (
    <div className="stack">
      <label htmlFor={id}>{variable.name}</label>
      {variable.type === 'boolean' ? (
        <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">not set</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          id={id}
          type={variable.type === 'date' ? 'date' : 'text'}
          inputMode={variable.type === 'number' ? 'decimal' : undefined}
          placeholder={variable.type}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </div>
  );
}

function EmbedResult(props: { created: Created; onAnother: () => void; onClose: () => void }) {
  const { url, expiresAt } = props.created;
  const snippet = `<iframe src="${url}" width="100%" height="600" style="border:0" loading="lazy"></iframe>`;
  return (
    <div className="settingsform">
      <CopyField label="Embed URL" text={url} />
      <CopyField label="HTML snippet" text={snippet} multiline />
      <p className="muted">Expires {new Date(expiresAt).toLocaleString()}.</p>
      <div className="dialogactions">
        <button type="button" onClick={props.onAnother}>
          Create another
        </button>
        <button type="button" className="primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
