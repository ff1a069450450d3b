import { useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import type { Dashboard, Scalar } from '../types.ts';
import { FilterBar } from './FilterBar.tsx';
import type { FilterValue } from './filters.ts';
import {
  FREQUENCIES,
  type Frequency,
  type HumanSchedule,
  timezones,
  toCron,
  WEEKDAYS,
  zonedTime,
} from './schedule-text.ts';

/**
 * When a subscription is sent or an alert checked: a schedule people say ("Every Monday at 08:00")
 * or a cron expression, a timezone, and the next time it fires as the server computes it
 * (`GET /schedules/next-runs`), on the schedule's own clock.
 */
export function WhenFields(props: {
  value: HumanSchedule;
  timezone: string;
  onChange: (value: HumanSchedule) => void;
  onTimezone: (timezone: string) => void;
  /** "Next delivery", "Next check". */
  nextLabel: string;
}) {
  const { value, timezone } = props;
  const zones = useMemo(() => {
    const all = timezones();
    return all.includes(timezone) ? all : [timezone, ...all];
  }, [timezone]);
  const next = useNextRun(toCron(value), timezone);
  const set = (change: Partial<HumanSchedule>) => props.onChange({ ...value, ...change });
  return (
    <fieldset className="bare">
      <legend className="sr-only">Schedule</legend>
      <div className="row">
        <label>
          Repeat
          <select value={value.frequency} onChange={(e) => set({ frequency: e.target.value as Frequency })}>
            {FREQUENCIES.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        {value.frequency === 'weekly' && (
          <label>
            On
            <select
              aria-label="On"
              value={value.weekday}
              onChange={(e) => set({ weekday: Number(e.target.value) })}
            >
              {WEEKDAYS.map((day, i) => (
                <option key={day} value={i}>
                  {day}
                </option>
              ))}
            </select>
          </label>
        )}
        {value.frequency === 'monthly' && (
          <label>
            On day
            <select
              aria-label="On day"
              value={value.day}
              onChange={(e) => set({ day: Number(e.target.value) })}
            >
              {Array.from({ length: 28 }, (_, i) => i + 1).map((day) => (
                <option key={day} value={day}>
                  {day === 1 ? '1 (first day)' : day}
                </option>
              ))}
            </select>
          </label>
        )}
        {value.frequency === 'hourly' && (
          <label>
            At minute
            <input
              aria-label="At minute"
              type="number"
              className="narrow"
              min={0}
              max={59}
              value={Number(value.time.slice(3))}
              onChange={(e) => set({ time: `00:${String(e.target.value).padStart(2, '0')}` })}
            />
          </label>
        )}
        {value.frequency !== 'hourly' && value.frequency !== 'custom' && (
          <label>
            At
            <input
              aria-label="At"
              type="time"
              required
              value={value.time}
              onChange={(e) => set({ time: e.target.value })}
            />
          </label>
        )}
        {value.frequency === 'custom' && (
          <label>
            Cron expression
            <input
              value={value.cron}
              placeholder="minute hour day month weekday, e.g. 0 8 * * 1"
              onChange={(e) => set({ cron: e.target.value })}
            />
          </label>
        )}
        <label>
          Timezone
          <select value={timezone} onChange={(e) => props.onTimezone(e.target.value)}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className={next.error ? 'error' : 'muted'} role="status" data-testid="next-run">
        {next.error ?? (next.at ? `${props.nextLabel}: ${zonedTime(next.at, timezone)}` : '…')}
      </p>
    </fieldset>
  );
}

/** The next fire time of `cron` in `timezone`, asked of the server once typing pauses. */
function useNextRun(cron: string, timezone: string): { at?: string; error?: string } {
  const [next, setNext] = useState<{ at?: string; error?: string }>({});
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      const query = new URLSearchParams({ cron, timezone, count: '1' });
      api<{ runs: string[] }>('GET', `/schedules/next-runs?${query}`, undefined, { signal: abort.signal })
        .then((r) => setNext(r.runs[0] ? { at: r.runs[0] } : { error: 'This schedule never fires again.' }))
        .catch((e) => {
          if (!abort.signal.aborted) setNext({ error: errorMessage(e) });
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [cron, timezone]);
  return next;
}

export function RecipientsField(props: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Recipients
      <textarea
        rows={2}
        required
        value={props.value}
        placeholder="name@example.com, other@example.com"
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

type FilterValues = Record<string, FilterValue | undefined>;

/** The dashboard filter values a subscription or an alert applies, on the dashboard's filter bar. */
export function ScheduleFilterBar(props: {
  dashboard: Dashboard;
  values: FilterValues;
  onChange: (values: FilterValues) => void;
  /** What the values are for. */
  note: string;
}) {
  const { dashboard, values } = props;
  if (dashboard.filters.length === 0) return null;
  return (
    <div className="settingsrow">
      <p className="muted">{props.note}</p>
      <FilterBar
        filters={dashboard.filters}
        values={values}
        onChange={(id, value) => props.onChange({ ...values, [id]: value })}
        choicesOf={(filter) =>
          api<{ values: Scalar[] }>('GET', `/dashboards/${dashboard.id}/filters/${filter.id}/values`).then(
            (r) => r.values,
          )
        }
      />
    </div>
  );
}

/** The end of a schedule form: why saving failed, Cancel, and the button that saves. */
export function ScheduleFormEnd(props: {
  error: string | null;
  busy: boolean;
  submit: string;
  onCancel: () => void;
}) {
  return (
    <>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
      <div className="dialogactions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={props.busy}>
          {props.submit}
        </button>
      </div>
    </>
  );
}
