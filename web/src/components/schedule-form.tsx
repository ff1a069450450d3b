import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api.ts';
import type { Dashboard, Me } from '../types.ts';
import type { FilterValue } from './filters.ts';
import { RecipientsField, ScheduleFilterBar, ScheduleFormEnd, WhenFields } from './ScheduleFields.tsx';
import { recipientList, type Schedule } from './schedule-api.ts';
import { scheduleFilterState, scheduleFilterValues } from './schedule-filters.ts';
import { browserTimezone, fromCron, toCron } from './schedule-text.ts';

type FilterValues = Record<string, FilterValue | undefined>;

/**
 * What the subscription and alert dialogs share: the dashboard's filter values (a new one starts
 * from those on screen, a saved one from its own), when it runs and in which timezone, who is
 * emailed, and saving with the server's refusal shown in the form.
 */
export function useScheduleForm(options: {
  dashboard: Dashboard;
  me: Me;
  /** The filter values on screen. */
  values: FilterValues;
  /** The subscription or alert to change; absent for a new one. */
  schedule?: Schedule;
  defaultCron: string;
}) {
  const { dashboard, schedule } = options;
  const destination = schedule?.destination.type === 'email' ? schedule.destination : undefined;
  const [values, setValues] = useState<FilterValues>(() =>
    schedule ? scheduleFilterState(dashboard.filters, schedule.filterValues) : options.values,
  );
  const [when, setWhen] = useState(() => fromCron(schedule?.cron ?? options.defaultCron));
  const [timezone, setTimezone] = useState(schedule?.timezone ?? browserTimezone());
  const [recipients, setRecipients] = useState((destination?.recipients ?? [options.me.email]).join(', '));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return {
    values,
    /** The email destination being changed, if any. */
    destination,
    /** The body fields both kinds send. */
    body: () => ({
      cron: toCron(when),
      timezone,
      filterValues: scheduleFilterValues(dashboard.filters, values),
      recipients: recipientList(recipients),
    }),
    /** A submit handler: runs `request`, hands its answer to `onSaved`, or shows why it failed. */
    submit:
      (request: () => Promise<Schedule>, onSaved: (saved: Schedule) => void) => async (event: FormEvent) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          onSaved(await request());
        } catch (caught) {
          setError(errorMessage(caught));
          setBusy(false);
        }
      },
    fields: (note: string, nextLabel: string) => (
      <>
        <ScheduleFilterBar dashboard={dashboard} values={values} onChange={setValues} note={note} />
        <WhenFields
          value={when}
          timezone={timezone}
          onChange={setWhen}
          onTimezone={setTimezone}
          nextLabel={nextLabel}
        />
        <RecipientsField value={recipients} onChange={setRecipients} />
      </>
    ),
    end: (submitLabel: string, onCancel: () => void, disabled = false) => (
      <ScheduleFormEnd error={error} busy={busy || disabled} submit={submitLabel} onCancel={onCancel} />
    ),
  };
}
