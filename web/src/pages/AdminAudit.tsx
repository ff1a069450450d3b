import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { TableHead } from '../components/TableHead.tsx';

interface AuditEvent {
  id: number;
  at: string;
  action: string;
  actor: { id: number | null; email: string | null; credential: string | null; address: string | null };
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
}

/** The families of events the log keeps, as `action` prefixes the server filters by. */
const FAMILIES = [
  { prefix: '', label: 'Everything' },
  { prefix: 'auth.', label: 'Sign-ins' },
  { prefix: 'apikey.', label: 'API keys' },
  { prefix: 'embed.', label: 'Embed links' },
  { prefix: 'user.', label: 'Users' },
  { prefix: 'group.', label: 'Groups' },
  { prefix: 'attribute.', label: 'Attributes' },
  { prefix: 'folder.', label: 'Folders' },
  { prefix: 'dashboard.', label: 'Dashboards' },
  { prefix: 'source.', label: 'Data sources' },
  { prefix: 'model.', label: 'Models' },
  { prefix: 'connection.', label: 'Connections' },
];

const PAGE = 50;

/** Admin → Audit log: who signed in, minted or revoked credentials, changed rights or deleted things. */
export function AuditLog() {
  const [family, setFamily] = useState('');
  const [since, setSince] = useState('');
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const query = useCallback(
    (before?: number) => {
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (family) params.set('action', family);
      if (since) params.set('since', since);
      if (before) params.set('before', String(before));
      return api<{ items: AuditEvent[]; next: number | null }>('GET', `/audit?${params}`);
    },
    [family, since],
  );

  useEffect(() => {
    query()
      .then((page) => {
        setEvents(page.items);
        setNext(page.next);
        setError(null);
      })
      .catch(setError);
  }, [query]);

  const older = () =>
    next &&
    query(next)
      .then((page) => {
        setEvents([...events, ...page.items]);
        setNext(page.next);
      })
      .catch(setError);

  return (
    <section>
      <div className="row">
        <label>
          Events
          <select value={family} onChange={(e) => setFamily(e.target.value)}>
            {FAMILIES.map((f) => (
              <option key={f.prefix} value={f.prefix}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Since
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={error} />
      {events.length === 0 ? (
        <p className="muted">No event matches.</p>
      ) : (
        <table className="audit">
          <TableHead columns={['When', 'Event', 'Who', 'From', 'On', 'Details']} />
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>{new Date(event.at).toLocaleString()}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>
                  {event.actor.email ?? '—'}
                  {event.actor.credential && <span className="muted small"> ({event.actor.credential})</span>}
                </td>
                <td className="small">{event.actor.address ?? '—'}</td>
                <td className="small">{event.target ? `${event.target.type} ${event.target.id}` : '—'}</td>
                <td className="small details">
                  {Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={older}>
          Older events
        </button>
      )}
    </section>
  );
}
