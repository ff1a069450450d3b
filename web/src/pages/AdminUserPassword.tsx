import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { CopyField } from '../components/CopyField.tsx';
import { Modal } from '../components/Modal.tsx';
import { PasswordField } from '../components/PasswordField.tsx';
import type { User } from '../types.ts';

/** An invitation or password-reset link as the server hands it out (once). */
export interface PasswordLink {
  purpose: 'invitation' | 'reset';
  url: string;
  expiresAt: string;
}

/**
 * An admin's help with a user's password: set one (which signs the user out everywhere), or make
 * a link with which the user chooses their own — an invitation while they are pending, a reset
 * link once active. A new link replaces any earlier one.
 */
export function UserPasswordDialog(props: { user: User; onChanged: () => void; onClose: () => void }) {
  const { user } = props;
  const pending = user.status === 'pending';
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [link, setLink] = useState<PasswordLink | null>(null);

  const setNew = async (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    try {
      await api('PATCH', `/users/${user.id}`, { password });
      setPassword('');
      setError(null);
      setDone(
        pending
          ? 'Password set: the account is active. Tell them the password.'
          : 'Password set. Their sessions were signed out.',
      );
      props.onChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const makeLink = async () => {
    try {
      setLink(await api<PasswordLink>('POST', `/users/${user.id}/password-link`));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Modal title={`Password of ${user.email}`} onClose={props.onClose}>
      <ErrorNote error={error} />
      <form className="stack" onSubmit={setNew} aria-label="Set a password">
        <input type="hidden" autoComplete="username" value={user.email} readOnly />
        <PasswordField label="New password" value={password} onChange={setPassword} isNew />
        <div className="row">
          <button type="submit" className="primary">
            Set password
          </button>
          <span className="ok" role="status">
            {done}
          </span>
        </div>
      </form>
      <div className="stack">
        <h3>Or let them choose it</h3>
        {link ? (
          <>
            <CopyField label={pending ? 'Invitation link' : 'Reset link'} text={link.url} />
            <p className="muted small">
              Works once, until {new Date(link.expiresAt).toLocaleString()}. Earlier links no longer work.
            </p>
          </>
        ) : (
          <p>
            <button type="button" onClick={makeLink}>
              {pending ? 'Create an invitation link' : 'Create a reset link'}
            </button>
          </p>
        )}
      </div>
      <div className="dialogactions">
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
