import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { Modal } from './Modal.tsx';
import { type Schedule, type ScheduleRun, schedulePath } from './schedule-api.ts';
import { TableHead } from './TableHead.tsx';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** What an alert run found: whether its conditions held, so "success" is not read as "it fired". */
export function runOutcome(run: Pick<ScheduleRun, 'status' | 'triggered'>): string {
  if (run.triggered === true) return `${run.status} · triggered`;
  if (run.triggered === false) return `${run.status} · not triggered`;
  return run.status;
}

/** The last runs of a schedule or an alert (`GET /…/:id/runs`). */
export function ScheduleHistory(props: { schedule: Schedule; onClose: () => void }) {
  const { schedule } = props;
  const [runs, setRuns] = useState<ScheduleRun[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ items: ScheduleRun[] }>('GET', `${schedulePath(schedule)}/runs?limit=20`)
      .then((r) => setRuns(r.items))
      .catch(setError);
  }, [schedule]);
  return (
    <Modal title={`Runs of “${schedule.name}”`} onClose={props.onClose} wide>
      <ErrorNote error={error} />
      {runs === null ? (
        <p className="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <table aria-label="Runs">
          <TableHead columns={['Fire time', 'Trigger', 'Outcome', 'Finished', 'Error']} />
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td>{when(run.fireTime)}</td>
                <td>{run.trigger === 'manual' ? 'run now' : 'schedule'}</td>
                <td>{runOutcome(run)}</td>
                <td>{when(run.finishedAt)}</td>
                <td>{run.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
