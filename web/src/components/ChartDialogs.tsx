import { type FormEvent, type ReactNode, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { addChartToDashboard, type DashboardTarget, type SavedChart } from '../charts.ts';
import { newInProject, useProjectList } from '../project.ts';
import { navigate } from '../router.tsx';
import type { Folder, Query, Visualization } from '../types.ts';
import { DashboardPicker } from './DashboardPicker.tsx';
import { Modal } from './Modal.tsx';

/** A form in a dialog that stays open with its input and shows the refusal when `run` fails. */
function DialogForm(props: {
  title: string;
  submitLabel: string;
  ready: boolean;
  run: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.run();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form className="stack" onSubmit={submit} aria-label={props.title}>
        {props.children}
        <ErrorNote error={error} />
        <div className="dialogactions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !props.ready}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Puts a saved chart on a dashboard (an existing one or a new one) and opens that dashboard. */
export function AddToDashboardDialog(props: {
  chart: Pick<SavedChart, 'uuid' | 'name'>;
  onClose: () => void;
}) {
  const [target, setTarget] = useState<DashboardTarget | null>(null);
  const run = async () => {
    if (!target) return;
    navigate(`/dashboards/${await addChartToDashboard(props.chart.uuid, target)}`);
  };
  return (
    <DialogForm
      title={`Add “${props.chart.name}” to a dashboard`}
      submitLabel="Add to dashboard"
      ready={target !== null}
      run={run}
      onClose={props.onClose}
    >
      <DashboardPicker onChange={setTarget} />
    </DialogForm>
  );
}

/**
 * Saves Explore's query and visualization as a new chart (name, folder), then opens it, or, with
 * `toDashboard`, adds it to a dashboard and opens that.
 */
export function SaveChartDialog(props: {
  name: string;
  query: Query;
  visualization: Visualization;
  toDashboard: boolean;
  onClose: () => void;
}) {
  const [name, setName] = useState(props.name);
  const [folderId, setFolderId] = useState('');
  const [target, setTarget] = useState<DashboardTarget | null>(null);
  // Saved once: when adding it to the dashboard fails, a retry does not save a second chart.
  const [saved, setSaved] = useState<SavedChart | null>(null);

  const folders = useProjectList<Folder>('/folders?kind=dashboard') ?? [];

  const run = async () => {
    const chart =
      saved ??
      (await api<SavedChart>('POST', '/charts', {
        name: name.trim(),
        // No folder chosen: the creator's personal space (My space).
        ...(folderId ? { folderId: Number(folderId) } : { personal: true }),
        ...newInProject(),
        query: props.query,
        visualization: props.visualization,
      }));
    setSaved(chart);
    if (!props.toDashboard) return navigate(`/charts/${chart.id}`);
    if (target) navigate(`/dashboards/${await addChartToDashboard(chart.uuid, target)}`);
  };
  return (
    <DialogForm
      title={props.toDashboard ? 'Save chart to a dashboard' : 'Save chart'}
      submitLabel={props.toDashboard ? 'Save and add' : 'Save chart'}
      ready={Boolean(name.trim()) && (!props.toDashboard || target !== null)}
      run={run}
      onClose={props.onClose}
    >
      <label>
        Chart name
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Folder
        <select value={folderId} onChange={(e) => setFolderId(e.target.value)}>
          <option value="">My space</option>
          {folders.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      {props.toDashboard && <DashboardPicker onChange={setTarget} />}
    </DialogForm>
  );
}
