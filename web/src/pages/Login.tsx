import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage, setToken } from '../api.ts';
import type { Me } from '../types.ts';

export function LoginPage(props: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ token: string }>('POST', '/auth/login', { email, password });
      setToken(answer.token);
      props.onSignedIn(await api<Me>('GET', '/me'));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card loginform" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand big">
          <span className="logo" aria-hidden="true" />
          Rosetta
        </div>
        <h1 id="login-title">Sign in</h1>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
