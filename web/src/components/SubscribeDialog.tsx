import { useState } from 'react';
import { api } from '../api.ts';
import type { Dashboard, Me } from '../types.ts';
import type { FilterValue } from './filters.ts';
import { Modal } from './Modal.tsx';
import { type Schedule, schedulePath } from './schedule-api.ts';
import { useScheduleForm } from './schedule-form.tsx';

const FORMATS = [
  { id: 'pdf', label: 'PDF' },
  { id: 'png', label: 'PNG image' },
  { id: 'xlsx', label: 'Excel (XLSX)' },
];

/**
 * Subscribes people to a dashboard by email (`POST /schedules`), or changes a subscription
 * (`PATCH`): the file's format, the dashboard's filter values (a new one starts from those on
 * screen), when it is sent, in which timezone, and to whom.
 */
export function SubscribeDialog(props: {
  dashboard: Dashboard;
  me: Me;
  /** The filter values on screen, which a new subscription starts from. */
  values: Record<string, FilterValue | undefined>;
  /** The subscription to change; absent for a new one. */
  schedule?: Schedule;
  onSaved: (schedule: Schedule) => void;
  onClose: () => void;
}) {
  const { dashboard, schedule } = props;
  const form = useScheduleForm({ ...props, defaultCron: '0 8 * * 1' });
  const [name, setName] = useState(schedule?.name ?? dashboard.name);
  const [format, setFormat] = useState(schedule?.format ?? 'pdf');
  const [subject, setSubject] = useState(form.destination?.subject ?? '');
  const [message, setMessage] = useState(form.destination?.message ?? '');

  const save = form.submit(async () => {
    const { recipients, ...when } = form.body();
    const body = {
      name: name.trim(),
      format,
      ...when,
      destination: {
        type: 'email',
        recipients,
        subject: subject.trim() || null,
        message: message.trim() || null,
      },
    };
    const saved = schedule
      ? await api<{ schedule: Schedule }>('PATCH', schedulePath(schedule), body)
      : await api<{ schedule: Schedule }>('POST', '/schedules', {
          ...body,
          target: { dashboard: dashboard.id },
        });
    return saved.schedule;
  }, props.onSaved);

  // A subscription made through the API may send another format (a widget's CSV): it stays offered.
  const formats = FORMATS.some((f) => f.id === format)
    ? FORMATS
    : [...FORMATS, { id: format, label: format }];
  return (
    <Modal
      title={schedule ? `Edit subscription “${schedule.name}”` : `Subscribe to “${dashboard.name}”`}
      onClose={props.onClose}
      wide
    >
      <form className="settingsform" onSubmit={save}>
        <div className="row">
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value)}>
              {formats.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {form.fields(
          "Filters of the file. Those left at the dashboard's default follow it if it changes.",
          'Next delivery',
        )}
        <label>
          Subject (optional)
          <input
            value={subject}
            placeholder="{{$dashboard}} – {{$today}}"
            onChange={(e) => setSubject(e.target.value)}
          />
        </label>
        <label>
          Message (optional)
          <textarea rows={2} value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        {form.end(schedule ? 'Save subscription' : 'Subscribe', props.onClose)}
      </form>
    </Modal>
  );
}
