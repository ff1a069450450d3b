import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { RemoveButton } from '../components/RemoveButton.tsx';
import { TableHead } from '../components/TableHead.tsx';
import { navigate } from '../router.tsx';
import type { Group, Me, User } from '../types.ts';
import { ApiKeys } from './AdminApiKeys.tsx';
import { UserAttributes } from './AdminAttributes.tsx';
import { AuditLog } from './AdminAudit.tsx';
import { JobsAndSchedules } from './AdminJobs.tsx';

const ROLES = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'] as const;

export function AdminPage(props: { me: Me; tab: string }) {
  const tabs = [
    { id: 'users', label: 'Users' },
    { id: 'groups', label: 'Groups' },
    { id: 'keys', label: 'API keys' },
    { id: 'attributes', label: 'User attributes' },
    { id: 'jobs', label: 'Jobs & schedules' },
    { id: 'audit', label: 'Audit log' },
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
        <AdminTab tab={props.tab} me={props.me} />
      </div>
    </div>
  );
}

function AdminTab(props: { tab: string; me: Me }) {
  if (props.tab === 'groups') return <Groups />;
  if (props.tab === 'keys') return <ApiKeys />;
  if (props.tab === 'attributes') return <UserAttributes />;
  if (props.tab === 'jobs') return <JobsAndSchedules />;
  if (props.tab === 'audit') return <AuditLog />;
  return <Users me={props.me} />;
}

function Users(props: { me: Me }) {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [showDeleted, setShowDeleted] = useState(false);
  const load = useCallback(
    () =>
      Promise.all([
        api<{ items: User[] }>('GET', '/users'),
        showDeleted ? api<{ items: User[] }>('GET', '/users?status=deleted') : { items: [] },
      ])
        .then(([a, b]) => setUsers([...a.items.filter((u) => u.status !== 'deleted'), ...b.items]))
        .catch(setError),
    [showDeleted],
  );
  useEffect(() => {
    load();
  }, [load]);
  const act = (work: Promise<unknown>) => work.then(load, setError);
  const create = (event: FormEvent) => {
    event.preventDefault();
    act(
      api('POST', '/users', { email, name: name || undefined, role, password: password || undefined }),
    ).then(() => {
      setEmail('');
      setName('');
      setPassword('');
    });
  };
  return (
    <section>
      <ErrorNote error={error} />
      <form className="card inlineform" onSubmit={create} aria-label="Create user">
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
      <label className="inline">
        <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted(e.target.checked)} />{' '}
        Show deactivated users
      </label>
      <div className="card tablescroll">
        <table>
          <TableHead columns={['Email', 'Name', 'Role', 'Status', 'Last sign-in']} actions />
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className={u.status === 'deleted' ? 'muted' : undefined}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={u.id === props.me.id || u.status === 'deleted'}
                    onChange={(e) => act(api('PATCH', `/users/${u.id}`, { role: e.target.value }))}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{u.status}</td>
                <td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : '—'}</td>
                <td>
                  {u.status === 'deleted' ? (
                    <button type="button" onClick={() => act(api('POST', `/users/${u.id}/restore`))}>
                      Restore
                    </button>
                  ) : (
                    u.id !== props.me.id && (
                      <button
                        type="button"
                        onClick={() =>
                          confirm(`Deactivate ${u.email}?`) && act(api('DELETE', `/users/${u.id}`))
                        }
                      >
                        Deactivate
                      </button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Groups() {
  const [groups, setGroups] = useState<Group[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [members, setMembers] = useState<Record<number, User[]>>({});
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const load = useCallback(async () => {
    try {
      const [g, u] = await Promise.all([
        api<{ items: Group[] }>('GET', '/groups'),
        api<{ items: User[] }>('GET', '/users'),
      ]);
      setGroups(g.items);
      setUsers(u.items);
      const entries = await Promise.all(
        g.items.map(
          async (group) =>
            [group.id, (await api<{ items: User[] }>('GET', `/groups/${group.id}/members`)).items] as const,
        ),
      );
      setMembers(Object.fromEntries(entries));
    } catch (caught) {
      setError(caught);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const act = (work: Promise<unknown>) => work.then(load, setError);
  return (
    <section>
      <ErrorNote error={error} />
      <form
        className="card inlineform"
        aria-label="Create group"
        onSubmit={(e) => {
          e.preventDefault();
          act(api('POST', '/groups', { name })).then(() => setName(''));
        }}
      >
        <label>
          Group name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create group
        </button>
      </form>
      <ul className="cards">
        {groups.map((g) => (
          <li key={g.id} className="card">
            <h2>{g.name}</h2>
            <ul className="members">
              {(members[g.id] ?? []).map((m) => (
                <li key={m.id}>
                  {m.email}{' '}
                  <RemoveButton
                    label={`Remove ${m.email} from ${g.name}`}
                    onClick={() => act(api('DELETE', `/groups/${g.id}/members/${m.id}`))}
                  />
                </li>
              ))}
            </ul>
            <select
              aria-label={`Add a member to ${g.name}`}
              value=""
              onChange={(e) =>
                e.target.value &&
                act(api('POST', `/groups/${g.id}/members`, { userId: Number(e.target.value) }))
              }
            >
              <option value="">Add member…</option>
              {users
                .filter((u) => !(members[g.id] ?? []).some((m) => m.id === u.id))
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
            </select>{' '}
            <button
              type="button"
              className="link"
              onClick={() => confirm(`Delete group ${g.name}?`) && act(api('DELETE', `/groups/${g.id}`))}
            >
              Delete group
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
