import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useAdminList } from '../components/AdminList.tsx';
import { AlertDialog } from '../components/AlertDialog.tsx';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { ScheduleHistory } from '../components/ScheduleHistory.tsx';
import { SubscribeDialog } from '../components/SubscribeDialog.tsx';
import { dashboardOf, type Schedule, schedulePath } from '../components/schedule-api.ts';
import { describeSchedule, zonedTime } from '../components/schedule-text.ts';
import { TableHead } from '../components/TableHead.tsx';
import type { Dashboard, DashboardSummary, Me, User } from '../types.ts';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

type Editing = { schedule: Schedule; dashboard: Dashboard };

/** Schedules and alerts, with the names of the dashboards they show. */
async function fetchSubscriptions() {
  const [s, a, d] = await Promise.all([
    api<{ items: Schedule[] }>('GET', '/schedules'),
    api<{ items: Schedule[] }>('GET', '/alerts'),
    api<{ items: DashboardSummary[] }>('GET', '/dashboards'),
  ]);
  return {
    items: [...s.items, ...a.items],
    dashboards: new Map(d.items.map((item) => [item.id, item.name])),
  };
}

/**
 * Subscriptions and alerts (admins: everyone's; others: their own, as the API answers): what
 * each sends or watches, when, the next and last run; edit, pause or resume, run now, see the
 * runs, delete.
 */
export function SubscriptionsPage(props: { me: Me }) {
  const { data, setError, setNotice, load, act, bar } = useAdminList(fetchSubscriptions);
  const [owners, setOwners] = useState<Map<number, string>>(new Map());
  const [editing, setEditing] = useState<Editing | null>(null);
  const [history, setHistory] = useState<Schedule | null>(null);
  const [confirmDialog, ask] = useConfirm();
  useEffect(() => {
    // Names of the owners, for admins who see everyone's (others see only their own).
    api<{ items: User[] }>('GET', '/users')
      .then((r) => setOwners(new Map(r.items.map((u) => [u.id, u.name || u.email]))))
      .catch(() => setOwners(new Map()));
  }, []);
  const items = data?.items ?? null;
  const dashboards = data?.dashboards ?? new Map<number, string>();

  const edit = async (schedule: Schedule) => {
    try {
      const dashboard = await api<Dashboard>('GET', `/dashboards/${dashboardOf(schedule)}`);
      setEditing({ schedule, dashboard });
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (schedule: Schedule) => {
    const what = schedule.kind === 'alert' ? 'alert' : 'subscription';
    const ok = await ask({
      title: `Delete ${what}`,
      message: `Delete the ${what} “${schedule.name}”? Nothing more will be sent.`,
      confirmLabel: 'Delete',
    });
    if (ok) await act(api('DELETE', schedulePath(schedule)), `Deleted “${schedule.name}”`);
  };
  const saved = (schedule: Schedule) => {
    setEditing(null);
    setNotice(`Saved “${schedule.name}”`);
    load();
  };

  const targetText = (s: Schedule) => {
    const id = dashboardOf(s);
    if (id === null) return 'a query';
    const name = dashboards.get(id) ?? `dashboard ${id}`;
    return 'widget' in s.target ? `${name} · ${s.target.widget.widget}` : name;
  };
  return (
    <section>
      {bar}
      <div className="card tablescroll">
        {items === null ? (
          <p className="muted">Loading…</p>
        ) : items.length === 0 ? (
          <p>No subscriptions or alerts yet. Subscribe from a dashboard, or set an alert on a widget.</p>
        ) : (
          <table aria-label="Subscriptions and alerts">
            <TableHead columns={['Name', 'Sends', 'Owner', 'When', 'Last run']} actions />
            <tbody>
              {items.map((s) => (
                <tr key={`${s.kind}-${s.id}`} data-paused={s.paused}>
                  <td>
                    {s.name} <span className="tag">{s.kind === 'alert' ? 'alert' : 'subscription'}</span>
                  </td>
                  <td>
                    {targetText(s)}
                    {s.kind === 'delivery' && <span className="muted"> ({s.format.toUpperCase()})</span>}
                  </td>
                  <td>
                    {owners.get(s.ownerId) ?? (s.ownerId === props.me.id ? 'you' : `user ${s.ownerId}`)}
                  </td>
                  <td>
                    {describeSchedule(s.cron)}
                    <br />
                    <span className="muted">
                      {s.paused
                        ? 'paused'
                        : s.nextRunAt
                          ? `next ${zonedTime(s.nextRunAt, s.timezone, 'short')}`
                          : 'no next run'}
                    </span>
                  </td>
                  <td>{s.lastStatus ? `${when(s.lastRunAt)} · ${s.lastStatus}` : when(s.lastRunAt)}</td>
                  <td>
                    <RowActions
                      schedule={s}
                      onEdit={() => edit(s)}
                      onPause={() => act(api('POST', `${schedulePath(s)}/${s.paused ? 'resume' : 'pause'}`))}
                      onRun={() => act(api('POST', `${schedulePath(s)}/run`), `Started a run of ${s.name}`)}
                      onHistory={() => setHistory(s)}
                      onDelete={() => remove(s)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing && (
        <EditDialog editing={editing} me={props.me} onSaved={saved} onClose={() => setEditing(null)} />
      )}
      {history && <ScheduleHistory schedule={history} onClose={() => setHistory(null)} />}
      {confirmDialog}
    </section>
  );
}

/** Only email subscriptions of a dashboard and alerts on a widget have a form; others are API-made. */
const editable = (s: Schedule) =>
  s.destination.type === 'email' && (s.kind === 'alert' ? 'widget' in s.target : 'dashboard' in s.target);

function RowActions(props: {
  schedule: Schedule;
  onEdit: () => void;
  onPause: () => void;
  onRun: () => void;
  onHistory: () => void;
  onDelete: () => void;
}) {
  const { name, paused } = props.schedule;
  const canEdit = editable(props.schedule);
  return (
    <>
      <button
        type="button"
        aria-label={`Edit ${name}`}
        disabled={!canEdit}
        title={canEdit ? undefined : 'A webhook, Slack or query schedule: change it through the API'}
        onClick={props.onEdit}
      >
        Edit
      </button>{' '}
      <button type="button" aria-label={`${paused ? 'Resume' : 'Pause'} ${name}`} onClick={props.onPause}>
        {paused ? 'Resume' : 'Pause'}
      </button>{' '}
      <button type="button" aria-label={`Run ${name} now`} onClick={props.onRun}>
        Run now
      </button>{' '}
      <button type="button" aria-label={`Runs of ${name}`} onClick={props.onHistory}>
        Runs
      </button>{' '}
      <button type="button" className="danger" aria-label={`Delete ${name}`} onClick={props.onDelete}>
        Delete
      </button>
    </>
  );
}

function EditDialog(props: {
  editing: Editing;
  me: Me;
  onSaved: (s: Schedule) => void;
  onClose: () => void;
}) {
  const { schedule, dashboard } = props.editing;
  if ('widget' in schedule.target) {
    const { widget: id } = schedule.target.widget;
    const widget = dashboard.widgets.find((w) => w.id === id);
    if (!widget) return <ErrorNote error={`The widget “${id}” is no longer on “${dashboard.name}”.`} />;
    return (
      <AlertDialog
        dashboard={dashboard}
        widget={widget}
        me={props.me}
        values={{}}
        alert={schedule}
        onSaved={props.onSaved}
        onClose={props.onClose}
      />
    );
  }
  return (
    <SubscribeDialog
      dashboard={dashboard}
      me={props.me}
      values={{}}
      schedule={schedule}
      onSaved={props.onSaved}
      onClose={props.onClose}
    />
  );
}
