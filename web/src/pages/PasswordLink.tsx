import { type FormEvent, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { ApiError, api, errorMessage } from '../api.ts';
import { PasswordField } from '../components/PasswordField.tsx';
import { Link } from '../router.tsx';

interface OpenedLink {
  purpose: 'invitation' | 'reset';
  email: string;
  name: string;
  organizationName: string;
  expiresAt: string;
}

/** An unknown token is a 401; say what to do about it rather than "unknown link". */
const refusalOf = (error: unknown) =>
  error instanceof ApiError && error.status === 401
    ? 'This link is not valid: check that it was copied whole, or ask an admin for a new one.'
    : errorMessage(error);

/**
 * `/invite/<token>` and `/reset-password/<token>`: the page of an invitation or password-reset
 * link, outside the signed-in shell. The user chooses a password (and, invited, their name); the
 * link is then used up and the user signed in. A used, expired or unknown link says so.
 */
export function PasswordLinkPage(props: { token: string; onSignedIn: (sessionToken: string) => void }) {
  const [link, setLink] = useState<OpenedLink | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<OpenedLink>('POST', '/password-links/open', { token: props.token })
      .then((opened) => {
        setLink(opened);
        setName(opened.name);
        document.title = `${opened.purpose === 'invitation' ? 'Join' : 'New password'} · ${opened.organizationName}`;
      })
      .catch((caught) => setRefusal(refusalOf(caught)));
  }, [props.token]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== again) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ token: string }>('POST', '/password-links/accept', {
        token: props.token,
        password,
        ...(link?.purpose === 'invitation' && { name }),
      });
      props.onSignedIn(answer.token);
    } catch (caught) {
      setError(refusalOf(caught));
    } finally {
      setBusy(false);
    }
  };

  if (refusal)
    return (
      <main className="login">
        <section className="card loginform" role="alert">
          <h1>This link cannot be used</h1>
          <p>{refusal}</p>
          <Link to="/login">Go to sign-in</Link>
        </section>
      </main>
    );
  if (!link) return <div className="boot" aria-busy="true" />;
  const invited = link.purpose === 'invitation';
  return (
    <main className="login">
      <form className="card loginform" onSubmit={submit} aria-labelledby="link-title">
        <div className="brand big">
          <span className="logo" aria-hidden="true" />
          Rosetta
        </div>
        <h1 id="link-title">{invited ? `Join ${link.organizationName}` : 'Choose a new password'}</h1>
        <p className="muted">
          {invited ? 'Your account' : 'For'}: <strong>{link.email}</strong>
        </p>
        {invited && (
          <label>
            Your name
            <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <PasswordField label="New password" value={password} onChange={setPassword} isNew />
        <PasswordField label="Repeat the password" value={again} onChange={setAgain} isNew />
        <p className="muted small">At least 8 characters. This link works once.</p>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : invited ? 'Join and sign in' : 'Save and sign in'}
        </button>
      </form>
    </main>
  );
}
