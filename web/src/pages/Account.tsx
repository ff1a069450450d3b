import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { NameForm } from '../components/NameForm.tsx';
import { PasswordField } from '../components/PasswordField.tsx';
import type { Me, User } from '../types.ts';

/** "My account": who the user is, their name, and a change of password (which needs the current one). */
export function AccountPage(props: { me: Me; onMeChange: (me: Me) => void }) {
  const { me } = props;
  const saveName = async (name: string) => {
    const user = await api<User>('PATCH', `/users/${me.id}`, { name });
    props.onMeChange({ ...me, name: user.name });
    return user.name;
  };
  return (
    <div className="account">
      <h1>My account</h1>
      <dl className="card facts">
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>{me.role}</dd>
        <dt>Organization</dt>
        <dd>{me.organizationName}</dd>
      </dl>
      <NameForm title="Profile" label="Name" initial={me.name} save={saveName} />
      <PasswordForm me={me} />
    </div>
  );
}

function PasswordForm(props: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const change = async (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    if (password !== again) {
      setError('The two new passwords differ.');
      return;
    }
    setBusy(true);
    try {
      await api('PATCH', `/users/${props.me.id}`, { password, currentPassword: current });
      setCurrent('');
      setPassword('');
      setAgain('');
      setError(null);
      setDone('Password changed. Your other sessions were signed out.');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card stack" onSubmit={change} aria-label="Change password">
      <h2 className="formtitle">Change password</h2>
      {/* Lets password managers file the new password under the right account. */}
      <input type="hidden" autoComplete="username" value={props.me.email} readOnly />
      <PasswordField label="Current password" value={current} onChange={setCurrent} />
      <PasswordField label="New password" value={password} onChange={setPassword} isNew />
      <PasswordField label="Repeat the new password" value={again} onChange={setAgain} isNew />
      <p className="muted small">At least 8 characters. Your other sessions will be signed out.</p>
      <ErrorNote error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Change password
        </button>
        <span className="ok" role="status">
          {done}
        </span>
      </div>
    </form>
  );
}
