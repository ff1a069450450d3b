import { useEffect, useState } from 'react';
import type { DashboardTarget } from '../charts.ts';
import { useProjectList } from '../project.ts';
import type { DashboardSummary } from '../types.ts';

const NEW = 'new';

/**
 * Picks the dashboard a chart goes onto: one the caller sees, or a new one named here. Reports
 * null while nothing usable is chosen (no dashboard, or a new one without a name).
 */
export function DashboardPicker(props: { onChange: (target: DashboardTarget | null) => void }) {
  const [choice, setChoice] = useState('');
  const [name, setName] = useState('');
  const { onChange } = props;
  const dashboards = useProjectList<DashboardSummary>('/dashboards');

  useEffect(() => {
    if (choice === NEW) onChange(name.trim() ? { newDashboard: name.trim() } : null);
    else onChange(choice ? { dashboardId: Number(choice) } : null);
  }, [choice, name, onChange]);

  return (
    <>
      <label>
        Dashboard
        <select value={choice} onChange={(e) => setChoice(e.target.value)} disabled={!dashboards}>
          <option value="">{dashboards ? 'Choose a dashboard' : 'Loading…'}</option>
          {(dashboards ?? []).map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
          <option value={NEW}>New dashboard…</option>
        </select>
      </label>
      {choice === NEW && (
        <label>
          New dashboard name
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      )}
    </>
  );
}
