import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { TableHead } from '../components/TableHead.tsx';

interface Job {
  id: number;
  uuid: string;
  type: string;
  status: string;
  progress: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface Schedule {
  id: number;
  kind: string;
  name: string;
  cron: string;
  timezone: string;
  paused: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
}

interface OutboxMessage {
  id: number;
  to: string[];
  subject: string;
  status: string;
  error: string | null;
  createdAt: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const CANCELLABLE = new Set(['created', 'queued', 'running']);

/** Admin → Jobs & schedules: recent jobs, schedules and alerts, and the email outbox. */
export function JobsAndSchedules() {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  const [outbox, setOutbox] = useState<OutboxMessage[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const load = useCallback(async () => {
    try {
      const [j, s, a, o] = await Promise.all([
        api<{ items: Job[] }>('GET', '/jobs?limit=50'),
        api<{ items: Schedule[] }>('GET', '/schedules'),
        api<{ items: Schedule[] }>('GET', '/alerts'),
        api<{ items: OutboxMessage[] }>('GET', '/outbox?limit=50'),
      ]);
      setJobs(j.items);
      setSchedules([...s.items, ...a.items]);
      setOutbox(o.items);
    } catch (caught) {
      setError(caught);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const act = (work: Promise<unknown>, done?: string) =>
    work.then(() => {
      setError(null);
      if (done) setNotice(done);
      return load();
    }, setError);
  return (
    <section>
      <ErrorNote error={error} />
      <p>
        <button type="button" onClick={() => load()}>
          Refresh
        </button>{' '}
        <span role="status">{notice}</span>
      </p>
      <SchedulesTable schedules={schedules} act={act} />
      <JobsTable jobs={jobs} act={act} />
      <OutboxTable messages={outbox} />
    </section>
  );
}

type Act = (work: Promise<unknown>, done?: string) => Promise<unknown>;

function SchedulesTable(props: { schedules: Schedule[]; act: Act }) {
  const path = (s: Schedule) => `/${s.kind === 'alert' ? 'alerts' : 'schedules'}/${s.id}`;
  return (
    <div className="card tablescroll">
      <h2>Schedules and alerts</h2>
      {props.schedules.length === 0 ? (
        <p>No schedules or alerts.</p>
      ) : (
        <table aria-label="Schedules and alerts">
          <TableHead columns={['Name', 'Kind', 'Cron', 'Next run', 'Last run', 'Status']} actions />
          <tbody>
            {props.schedules.map((s) => (
              <tr key={`${s.kind}-${s.id}`}>
                <td>{s.name}</td>
                <td>{s.kind === 'alert' ? 'alert' : 'schedule'}</td>
                <td>
                  <code>{s.cron}</code> {s.timezone}
                </td>
                <td>{s.paused ? '—' : when(s.nextRunAt)}</td>
                <td>
                  <LastRun schedule={s} />
                </td>
                <td>{s.paused ? 'paused' : 'active'}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`${s.paused ? 'Resume' : 'Pause'} ${s.name}`}
                    onClick={() => props.act(api('POST', `${path(s)}/${s.paused ? 'resume' : 'pause'}`))}
                  >
                    {s.paused ? 'Resume' : 'Pause'}
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Run ${s.name} now`}
                    onClick={() => props.act(api('POST', `${path(s)}/run`), `Started a run of ${s.name}`)}
                  >
                    Run now
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function LastRun(props: { schedule: Schedule }) {
  const { lastRunAt, lastStatus } = props.schedule;
  if (!lastRunAt) return <>{lastStatus ?? '—'}</>;
  return <>{lastStatus ? `${when(lastRunAt)} (${lastStatus})` : when(lastRunAt)}</>;
}

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
                <td>{j.status}</td>
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

function OutboxTable(props: { messages: OutboxMessage[] }) {
  return (
    <div className="card tablescroll">
      <h2>Outbox</h2>
      {props.messages.length === 0 ? (
        <p>No emails yet.</p>
      ) : (
        <table aria-label="Outbox">
          <TableHead columns={['To', 'Subject', 'Status', 'Attachments', 'Created']} />
          <tbody>
            {props.messages.map((m) => (
              <tr key={m.id}>
                <td>{m.to.join(', ')}</td>
                <td>{m.subject}</td>
                <td title={m.error ?? undefined}>{m.status}</td>
                <td>
                  {m.attachments.map((a) => `${a.filename} (${Math.ceil(a.size / 1024)} KB)`).join(', ') ||
                    '—'}
                </td>
                <td>{when(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
