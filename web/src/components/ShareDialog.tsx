import { api } from '../api.ts';
import type { Dashboard } from '../types.ts';
import { AccessDialog } from './AccessDialog.tsx';

/** The dashboard's shares (`PUT /dashboards/:id/shares`): a non-empty list decides alone who sees it. */
export function ShareDialog(props: {
  dashboard: Dashboard;
  onChanged: (dashboard: Dashboard) => void;
  onClose: () => void;
}) {
  const { dashboard } = props;
  return (
    <AccessDialog
      title={`Share “${dashboard.name}”`}
      entries={dashboard.shares}
      emptyNote="Not shared yet: the folder’s access decides who sees it."
      save={async (shares) =>
        props.onChanged(await api<Dashboard>('PUT', `/dashboards/${dashboard.id}/shares`, { shares }))
      }
      onClose={props.onClose}
    />
  );
}
