import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { TableHead } from '../components/TableHead.tsx';
import { navigate } from '../router.tsx';

interface Connection {
  id: number;
  name: string;
  type: 'duckdb' | 'postgres' | 'mysql' | 'clickhouse';
  host?: string | null;
  port?: number | null;
  database?: string | null;
  user?: string | null;
  hasPassword?: boolean;
  embedded?: boolean;
}

/** Warehouse connections and new table/SQL data sources on them (developer+; creating connections is admin). */
export function ConnectionsPanel(props: { isAdmin: boolean; onSourceCreated: () => void }) {
  const [connections, setConnections] = useState<Connection[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState({
    name: '',
    type: 'postgres',
    host: '127.0.0.1',
    port: '',
    database: '',
    user: '',
    password: '',
  });
  const [source, setSource] = useState({
    connectionId: '',
    name: '',
    kind: 'sql',
    schema: '',
    table: '',
    sql: 'SELECT 1 AS one',
  });
  const load = useCallback(
    () => api<{ items: Connection[] }>('GET', '/connections').then((r) => setConnections(r.items), setError),
    [],
  );
  useEffect(() => {
    load();
  }, [load]);

  const createConnection = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/connections', {
        name: form.name,
        type: form.type,
        host: form.host || undefined,
        port: form.port ? Number(form.port) : undefined,
        database: form.database || undefined,
        user: form.user || undefined,
        password: form.password || undefined,
      });
      setForm({ ...form, name: '', password: '' });
      load();
    } catch (caught) {
      setError(caught);
    }
  };

  const createSource = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const body =
        source.kind === 'sql'
          ? { name: source.name, type: 'sql', connectionId: Number(source.connectionId), sql: source.sql }
          : {
              name: source.name,
              type: 'table',
              connectionId: Number(source.connectionId),
              schema: source.schema || undefined,
              table: source.table,
            };
      const created = await api<{ uuid: string }>('POST', '/data-sources', body);
      props.onSourceCreated();
      navigate(`/data?source=${created.uuid}`);
    } catch (caught) {
      setError(caught);
    }
  };

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  return (
    <div>
      <h1>Connections</h1>
      <ErrorNote error={error} />
      <div className="card tablescroll">
        <table>
          <TableHead columns={['Name', 'Type', 'Host', 'Database', 'User', 'Test']} />
          <tbody>
            {connections.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>
                  <span className="tag">{c.type}</span>
                </td>
                <td>{c.host ? `${c.host}${c.port ? `:${c.port}` : ''}` : '—'}</td>
                <td>{c.database ?? '—'}</td>
                <td>{c.user ?? '—'}</td>
                <td>
                  <TestConnection connection={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="card inlineform" onSubmit={createSource} aria-label="New data source on a connection">
        <h2 className="fullrow">New data source on a connection</h2>
        <label>
          Connection
          <select
            required
            value={source.connectionId}
            onChange={(e) => setSource({ ...source, connectionId: e.target.value })}
          >
            <option value="">Choose…</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input
            required
            value={source.name}
            onChange={(e) => setSource({ ...source, name: e.target.value })}
          />
        </label>
        <label>
          Kind
          <select value={source.kind} onChange={(e) => setSource({ ...source, kind: e.target.value })}>
            <option value="sql">SQL query</option>
            <option value="table">Table</option>
          </select>
        </label>
        {source.kind === 'table' ? (
          <>
            <label>
              Schema
              <input
                value={source.schema}
                onChange={(e) => setSource({ ...source, schema: e.target.value })}
              />
            </label>
            <label>
              Table
              <input
                required
                value={source.table}
                onChange={(e) => setSource({ ...source, table: e.target.value })}
              />
            </label>
          </>
        ) : (
          <label className="fullrow">
            SQL
            <textarea
              rows={4}
              className="code"
              value={source.sql}
              onChange={(e) => setSource({ ...source, sql: e.target.value })}
            />
          </label>
        )}
        <button type="submit" className="primary">
          Create data source
        </button>
      </form>
      {props.isAdmin && (
        <form className="card inlineform" onSubmit={createConnection} aria-label="New connection">
          <h2 className="fullrow">New connection</h2>
          <label>
            Name
            <input required value={form.name} onChange={set('name')} />
          </label>
          <label>
            Type
            <select value={form.type} onChange={set('type')}>
              <option value="postgres">PostgreSQL</option>
              <option value="mysql">MySQL / MariaDB</option>
              <option value="clickhouse">ClickHouse (HTTP port)</option>
              <option value="duckdb">DuckDB file</option>
            </select>
          </label>
          <label>
            Host
            <input value={form.host} onChange={set('host')} />
          </label>
          <label>
            Port
            <input type="number" className="narrow" value={form.port} onChange={set('port')} />
          </label>
          <label>
            Database
            <input value={form.database} onChange={set('database')} />
          </label>
          <label>
            User
            <input value={form.user} onChange={set('user')} />
          </label>
          <label>
            Password
            <input
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={set('password')}
            />
          </label>
          <button type="submit" className="primary">
            Create connection
          </button>
        </form>
      )}
    </div>
  );
}

type TestState = { state: 'idle' | 'testing' | 'ok' } | { state: 'failed'; message: string };

/** "Test" opens a connection on the server and reports success or the driver's error. */
function TestConnection(props: { connection: Connection }) {
  const [result, setResult] = useState<TestState>({ state: 'idle' });
  const test = () => {
    setResult({ state: 'testing' });
    api('POST', `/connections/${props.connection.id}/test`).then(
      () => setResult({ state: 'ok' }),
      (caught) => setResult({ state: 'failed', message: errorMessage(caught) }),
    );
  };
  return (
    <span className="connectiontest">
      <button
        type="button"
        aria-label={`Test ${props.connection.name}`}
        disabled={result.state === 'testing'}
        onClick={test}
      >
        Test
      </button>{' '}
      <span role="status" data-test-state={result.state}>
        {result.state === 'testing'
          ? 'Testing…'
          : result.state === 'ok'
            ? '✓ Connected'
            : result.state === 'failed'
              ? `✗ ${result.message}`
              : ''}
      </span>
    </span>
  );
}
