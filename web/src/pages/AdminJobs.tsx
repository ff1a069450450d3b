import { api } from '../api.ts';
import { useAdminList } from '../components/AdminList.tsx';
import { runOutcome } from '../components/ScheduleHistory.tsx';
import { TableHead } from '../components/TableHead.tsx';

interface Job {
  id: number;
  uuid: string;
  type: string;
  status: string;
  progress: number;
  error: string | null;
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const CANCELLABLE = new Set(['created', 'queued', 'running']);

const fetchJobs = () => api<{ items: Job[] }>('GET', '/jobs?limit=50').then((r) => r.items);

/** Admin → Jobs: recent jobs of every kind, cancellable while they wait or run. */
export function Jobs() {
  const { data, act, bar } = useAdminList(fetchJobs);
  return (
    <section>
      {bar}
      <JobsTable jobs={data ?? []} act={act} />
    </section>
  );
}

type Act = (work: Promise<unknown>, done?: string) => Promise<unknown>;

/** An alert's run succeeds whether or not its conditions held; its result says which. */
const outcome = (job: Job) =>
  runOutcome({
    status: job.status,
    triggered:
      job.type === 'schedule.alert'
        ? ((job.result as { triggered?: boolean } | null)?.triggered ?? null)
        : null,
  });

function JobsTable(props: { jobs: Job[]; act: Act }) {
  return (
    <div className="card tablescroll">
      <h2>Jobs</h2>
      {props.jobs.length === 0 ? (
        <p>No jobs yet.</p>
      ) : (
        <table aria-label="Jobs">
          <TableHead columns={['Id', 'Type', 'Status', 'Progress', 'Created', 'Finished', 'Error']} actions />
          <tbody>
            {props.jobs.map((j) => (
              <tr key={j.id} data-job-status={j.status}>
                <td>{j.id}</td>
                <td>{j.type}</td>
                <td>{outcome(j)}</td>
                <td className="progresscell">
                  <progress max={100} value={j.progress} aria-label={`Progress of job ${j.id}`} />{' '}
                  {j.progress}%
                </td>
                <td>{when(j.createdAt)}</td>
                <td>{when(j.finishedAt)}</td>
                <td>{j.error ?? ''}</td>
                <td>
                  {CANCELLABLE.has(j.status) && (
                    <button
                      type="button"
                      aria-label={`Cancel job ${j.id}`}
                      onClick={() => props.act(api('POST', `/jobs/${j.id}/cancel`), `Cancelled job ${j.id}`)}
                    >
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
