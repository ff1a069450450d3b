import { navigate } from '../router.tsx';
import type { Me } from '../types.ts';
import { ApiKeys } from './AdminApiKeys.tsx';
import { UserAttributes } from './AdminAttributes.tsx';
import { AuditLog } from './AdminAudit.tsx';
import { Groups } from './AdminGroups.tsx';
import { Jobs } from './AdminJobs.tsx';
import { Outbox } from './AdminOutbox.tsx';
import { Projects } from './AdminProjects.tsx';
import { OrganizationSettings } from './AdminSettings.tsx';
import { SubscriptionsPage } from './AdminSubscriptions.tsx';
import { Users } from './AdminUsers.tsx';

interface AdminProps {
  me: Me;
  tab: string;
  onMeChange: (me: Me) => void;
}

export function AdminPage(props: AdminProps) {
  const tabs = [
    { id: 'users', label: 'Users' },
    { id: 'groups', label: 'Groups' },
    { id: 'projects', label: 'Projects' },
    { id: 'keys', label: 'API keys' },
    { id: 'attributes', label: 'User attributes' },
    { id: 'subscriptions', label: 'Subscriptions & alerts' },
    { id: 'outbox', label: 'Outbox' },
    { id: 'jobs', label: 'Jobs' },
    { id: 'audit', label: 'Audit log' },
    { id: 'settings', label: 'Settings' },
  ];
  return (
    <div>
      <h1>Administration</h1>
      <div className="tabs" role="tablist" aria-label="Administration">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={props.tab === t.id}
            onClick={() => navigate(`/admin?tab=${t.id}`)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        <AdminTab {...props} />
      </div>
    </div>
  );
}

function AdminTab(props: AdminProps) {
  if (props.tab === 'groups') return <Groups />;
  if (props.tab === 'projects') return <Projects />;
  if (props.tab === 'keys') return <ApiKeys />;
  if (props.tab === 'attributes') return <UserAttributes />;
  if (props.tab === 'subscriptions') return <SubscriptionsPage me={props.me} />;
  if (props.tab === 'outbox') return <Outbox />;
  if (props.tab === 'jobs') return <Jobs />;
  if (props.tab === 'audit') return <AuditLog />;
  if (props.tab === 'settings') return <OrganizationSettings me={props.me} onMeChange={props.onMeChange} />;
  return <Users me={props.me} />;
}
