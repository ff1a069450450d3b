import { type ReactNode, useState } from 'react';
import { atLeast } from '../roles.ts';
import { Link } from '../router.tsx';
import type { Dashboard, Me, Widget } from '../types.ts';
import { AlertDialog } from './AlertDialog.tsx';
import type { FilterValue } from './filters.ts';
import { SubscribeDialog } from './SubscribeDialog.tsx';
import type { Schedule } from './schedule-api.ts';
import { zonedTime } from './schedule-text.ts';

/** Where a user manages the subscriptions and alerts they made (admins: everyone's). */
export const subscriptionsPage = (me: Me) =>
  atLeast(me, 'admin') ? '/admin?tab=subscriptions' : '/subscriptions';

/**
 * A dashboard's "Subscribe…" button and each widget's "Alert when…", for those who may schedule
 * (editors and up): the page places `button`, passes `onAlert` to the grid and renders `dialog`
 * (the open dialog, or the confirmation of the last one saved).
 */
export function useSubscriptionDialogs(
  dashboard: Dashboard | null,
  me: Me,
  /** The filter values on screen, which a new subscription or alert starts from. */
  values: Record<string, FilterValue | undefined>,
): { button: ReactNode; onAlert?: (widget: Widget) => void; dialog: ReactNode } {
  const [open, setOpen] = useState<{ widget?: Widget } | null>(null);
  const [saved, setSaved] = useState<Schedule | null>(null);
  if (!dashboard || !atLeast(me, 'editor')) return { button: null, dialog: null };

  const done = (schedule: Schedule) => {
    setOpen(null);
    setSaved(schedule);
  };
  const close = () => setOpen(null);
  const start = (widget?: Widget) => {
    setSaved(null);
    setOpen({ widget });
  };
  const dialog = open ? (
    open.widget ? (
      <AlertDialog
        dashboard={dashboard}
        widget={open.widget}
        me={me}
        values={values}
        onSaved={done}
        onClose={close}
      />
    ) : (
      <SubscribeDialog dashboard={dashboard} me={me} values={values} onSaved={done} onClose={close} />
    )
  ) : (
    saved && (
      <p className="notice" role="status">
        {saved.kind === 'alert' ? `Alert “${saved.name}” created` : `Subscribed: “${saved.name}”`}
        {saved.nextRunAt &&
          `. ${saved.kind === 'alert' ? 'First check' : 'Next delivery'}: ${zonedTime(saved.nextRunAt, saved.timezone)}`}
        . <Link to={subscriptionsPage(me)}>Manage subscriptions and alerts</Link>
      </p>
    )
  );
  const button = (
    <button type="button" onClick={() => start()} aria-haspopup="dialog">
      Subscribe…
    </button>
  );
  return { button, onAlert: (widget) => start(widget), dialog };
}
