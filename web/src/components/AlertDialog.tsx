import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import type { Dashboard, Me, QueryResult, Widget } from '../types.ts';
import {
  AlertConditions,
  type AlertScope,
  type ConditionRow,
  conditionOf,
  newCondition,
  rowOf,
} from './AlertConditions.tsx';
import { type FilterValue, requestFilters } from './filters.ts';
import { Modal } from './Modal.tsx';
import { type Schedule, schedulePath } from './schedule-api.ts';
import { scheduleFilterValues } from './schedule-filters.ts';
import { useScheduleForm } from './schedule-form.tsx';

type FilterValues = Record<string, FilterValue | undefined>;

/**
 * "Alert when…" on a widget (`POST /alerts`, or `PATCH` to change one): conditions on the widget's
 * metric columns, the dashboard's filter values it is checked with (a new alert starts from those
 * on screen), how often it is checked, and who is emailed when the conditions hold.
 */
export function AlertDialog(props: {
  dashboard: Dashboard;
  widget: Widget;
  me: Me;
  values: FilterValues;
  /** The alert to change; absent for a new one. */
  alert?: Schedule;
  onSaved: (alert: Schedule) => void;
  onClose: () => void;
}) {
  const { dashboard, widget, alert } = props;
  const title = widget.title || widget.id;
  const form = useScheduleForm({ ...props, schedule: alert, defaultCron: '0 * * * *' });
  const [name, setName] = useState(alert?.name ?? `Alert: ${title}`);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [rows, setRows] = useState<ConditionRow[] | null>(() => alert?.conditions?.map(rowOf) ?? null);
  const [loadError, setLoadError] = useState<string | null>(null);

  // The widget's rows with the dialog's filter values: the columns to watch, and how they compare now.
  const request = JSON.stringify(requestFilters(form.values));
  useEffect(() => {
    const abort = new AbortController();
    api<QueryResult>(
      'POST',
      `/dashboards/${dashboard.id}/widgets/${encodeURIComponent(widget.id)}/results`,
      { filters: JSON.parse(request) },
      { signal: abort.signal },
    )
      .then((r) => {
        setResult(r);
        setRows((current) => current ?? [newCondition(r)]);
      })
      .catch((e) => {
        if (!abort.signal.aborted) setLoadError(errorMessage(e));
      });
    return () => abort.abort();
  }, [dashboard.id, widget.id, request]);

  // What the server checks the conditions with: the alert's own target and filter values.
  const scope: AlertScope = {
    target: { widget: { dashboard: dashboard.id, widget: widget.id } },
    filterValues: scheduleFilterValues(dashboard.filters, form.values),
    filters: alert?.filters,
    variables: alert?.variables,
  };

  const save = form.submit(async () => {
    const { recipients, ...when } = form.body();
    const { destination } = form;
    const body = {
      name: name.trim(),
      ...when,
      conditions: (rows ?? []).map(conditionOf),
      destination: {
        type: 'email',
        recipients,
        subject: destination?.subject ?? null,
        message: destination?.message ?? null,
      },
    };
    const saved = alert
      ? await api<{ alert: Schedule }>('PATCH', schedulePath(alert), body)
      : await api<{ alert: Schedule }>('POST', '/alerts', {
          ...body,
          target: scope.target,
          format: 'csv',
        });
    return saved.alert;
  }, props.onSaved);

  return (
    <Modal
      title={alert ? `Edit alert “${alert.name}”` : `Alert when… “${title}”`}
      onClose={props.onClose}
      wide
    >
      <form className="settingsform" onSubmit={save}>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {rows ? (
          <AlertConditions rows={rows} result={result} scope={scope} onChange={setRows} />
        ) : (
          <p className="muted">Loading the widget’s columns…</p>
        )}
        {form.fields('Filters the widget is checked with.', 'Next check')}
        {loadError && (
          <p className="error" role="alert">
            {loadError}
          </p>
        )}
        {form.end(alert ? 'Save alert' : 'Create alert', props.onClose, !rows)}
      </form>
    </Modal>
  );
}
