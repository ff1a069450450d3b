import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { TableHead } from '../components/TableHead.tsx';
import { ROLES } from '../roles.ts';
import type { Me, User } from '../types.ts';
import { type PasswordLink, UserPasswordDialog } from './AdminUserPassword.tsx';
import { changeThenReload } from './admin-actions.ts';

/**
 * Admin → Users. Adding a user with a password creates them active; without one, invites them:
 * the user is created pending and the admin gets a link to hand over, where the user chooses
 * their password. A refused form keeps what was typed; a success clears the form and the error.
 */
export function Users(props: { me: Me }) {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [showDeleted, setShowDeleted] = useState(false);
  const [invited, setInvited] = useState<{ email: string; link: PasswordLink } | null>(null);
  const [passwordOf, setPasswordOf] = useState<User | null>(null);
  const [confirmDialog, confirm] = useConfirm();
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
  const act = changeThenReload(setError, load);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const body = { email, name: name || undefined, role };
    try {
      if (password) {
        await api('POST', '/users', { ...body, password });
        setInvited(null);
      } else {
        const answer = await api<{ user: User; link: PasswordLink }>('POST', '/invitations', body);
        setInvited({ email: answer.user.email, link: answer.link });
      }
      setEmail('');
      setName('');
      setPassword('');
      setError(null);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const deactivate = async (user: User) => {
    const sure = await confirm({
      title: 'Deactivate user',
      message: `Deactivate ${user.email}? Their sessions and API keys stop at once; you can restore the account later.`,
      confirmLabel: 'Deactivate',
    });
    if (sure) act(api('DELETE', `/users/${user.id}`));
  };
  return (
    <section>
      <ErrorNote error={error} />
      <form className="card inlineform" onSubmit={create} aria-label="Add user">
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
            placeholder="empty: send an invitation"
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
          {password ? 'Create user' : 'Invite user'}
        </button>
      </form>
      {invited && (
        <div className="card secret" data-testid="invitation">
          <p>
            <strong>{invited.email} is invited.</strong> Send them this link: it works once, until{' '}
            {new Date(invited.link.expiresAt).toLocaleString()}.
          </p>
          <CopyField label="Invitation link" text={invited.link.url} />
          <button type="button" onClick={() => setInvited(null)}>
            Done
          </button>
        </div>
      )}
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
                <td id={`user-email-${u.id}`}>{u.email}</td>
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
                    <>
                      {/* Described by the email cell, not named after it: the row stays findable by email. */}
                      <button
                        type="button"
                        aria-describedby={`user-email-${u.id}`}
                        onClick={() => setPasswordOf(u)}
                      >
                        Password…
                      </button>{' '}
                      {u.id !== props.me.id && (
                        <button type="button" onClick={() => deactivate(u)}>
                          Deactivate
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {passwordOf && (
        <UserPasswordDialog user={passwordOf} onChanged={load} onClose={() => setPasswordOf(null)} />
      )}
      {confirmDialog}
    </section>
  );
}
