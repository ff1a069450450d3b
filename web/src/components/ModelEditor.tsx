import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { newInProject } from '../project.ts';
import type { DataSource, Model } from '../types.ts';
import { useConfirm } from './ConfirmDialog.tsx';
import { definitionOf, draftOf, emptyDraft, fieldsOf } from './ModelDraft.ts';
import { ModelDimensionsSection, ModelMetricsSection, ModelPoliciesSection } from './ModelFields.tsx';
import { ModelTablesSection } from './ModelTables.tsx';

/**
 * Creates or changes one model. The server checks every reference against the warehouse, so
 * the form sends what the user built and shows the 400 (it names the field) beside the buttons.
 * Without `canEdit` the same form is shown disabled.
 */
export function ModelEditor(props: {
  model: Model | null;
  sources: DataSource[];
  attributes: string[];
  canEdit: boolean;
  onSaved: (model: Model) => void;
  onDeleted: () => void;
}) {
  const { model, sources } = props;
  const [draft, setDraft] = useState(() => (model ? draftOf(model) : emptyDraft()));
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  const fields = fieldsOf(draft, sources);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (draft.tables.length === 0) {
      setError(new Error('tables: add at least one data source'));
      return;
    }
    setSaving(true);
    try {
      const body = definitionOf(draft, sources);
      const saved = model
        ? await api<Model>('PATCH', `/models/${model.uuid}`, body)
        : await api<Model>('POST', '/models', { ...body, ...newInProject() });
      props.onSaved(saved);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!model) return;
    const sure = await confirm({
      title: 'Delete model',
      message: `Delete the model “${model.name}”?`,
      confirmLabel: 'Delete model',
    });
    if (!sure) return;
    try {
      await api('DELETE', `/models/${model.uuid}`);
      props.onDeleted();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <form className="card modelform" onSubmit={save} aria-label={model ? `Model ${model.name}` : 'New model'}>
      <h2>{model ? model.name : 'New model'}</h2>
      <fieldset className="bare" disabled={!props.canEdit}>
        <label>
          Model name
          <input
            name="modelName"
            required
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </label>
        <ModelTablesSection draft={draft} sources={sources} fields={fields} onChange={setDraft} />
        <ModelDimensionsSection draft={draft} fields={fields} onChange={setDraft} />
        <ModelMetricsSection draft={draft} fields={fields} onChange={setDraft} />
        <ModelPoliciesSection draft={draft} attributes={props.attributes} onChange={setDraft} />
      </fieldset>
      <ErrorNote error={error} />
      {props.canEdit && (
        <div className="row">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save model'}
          </button>
          {model && (
            <button type="button" onClick={remove}>
              Delete model
            </button>
          )}
        </div>
      )}
      {confirmDialog}
    </form>
  );
}
