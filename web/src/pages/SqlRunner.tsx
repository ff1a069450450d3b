import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { type ConnectionSchema, SchemaTree } from '../components/SchemaTree.tsx';
import { clearSqlDraft, readSqlDraft } from '../components/sql-draft.ts';
import type { Me, Scalar } from '../types.ts';

interface Connection {
  id: number;
  name: string;
  type: string;
  builtin: boolean;
}

/** POST /api/connections/:id/sql */
interface SqlResult {
  columns: { name: string; type: string }[];
  rows: Scalar[][];
  truncated: boolean;
  durationMs: number;
}

const ROW_LIMITS = [100, 1000, 10_000];

/**
 * The developers' SQL runner: pick a connection, browse its schema, run one SELECT at a time.
 * Another page may hand it SQL to start from (Explore's "Open in SQL runner").
 */
export function SqlRunnerPage(props: { me: Me }) {
  const allowed = props.me.role === 'developer' || props.me.role === 'admin';
  const [handedOver] = useState(readSqlDraft);
  const [connections, setConnections] = useState<Connection[]>([]);
  const [connectionId, setConnectionId] = useState<number | null>(null);
  const [schema, setSchema] = useState<ConnectionSchema | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [sql, setSql] = useState(handedOver?.sql ?? '');
  const [limit, setLimit] = useState(1000);
  const [result, setResult] = useState<{ run: number; answer: SqlResult } | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const [running, setRunning] = useState<AbortController | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  const [caretAfterInsert, setCaretAfterInsert] = useState<number | null>(null);

  useEffect(clearSqlDraft, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the handed-over SQL is read once
  useEffect(() => {
    if (!allowed) return;
    api<{ items: Connection[] }>('GET', '/connections').then((answer) => {
      setConnections(answer.items);
      const start =
        answer.items.find((c) => c.id === handedOver?.connectionId) ??
        answer.items.find((c) => c.builtin) ??
        answer.items[0];
      setConnectionId(start?.id ?? null);
    }, setLoadError);
  }, [allowed]);

  useEffect(() => {
    if (connectionId === null) return;
    const abort = new AbortController();
    setSchema(null);
    setLoadError(null);
    api<ConnectionSchema>('GET', `/connections/${connectionId}/schema`, undefined, {
      signal: abort.signal,
    }).then(setSchema, (error) => {
      if (!abort.signal.aborted) setLoadError(error);
    });
    return () => abort.abort();
  }, [connectionId]);

  // After an insertion the caret goes right behind the inserted text, so typing carries on.
  useLayoutEffect(() => {
    if (caretAfterInsert === null || !editor.current) return;
    editor.current.focus();
    editor.current.setSelectionRange(caretAfterInsert, caretAfterInsert);
    setCaretAfterInsert(null);
  }, [caretAfterInsert]);

  if (!allowed) {
    return (
      <section className="empty">
        <h1>SQL</h1>
        <p className="muted">The SQL runner is for developers and admins.</p>
      </section>
    );
  }

  const insert = (text: string) => {
    const start = editor.current?.selectionStart ?? sql.length;
    const end = editor.current?.selectionEnd ?? sql.length;
    setCaretAfterInsert(start + text.length);
    setSql(sql.slice(0, start) + text + sql.slice(end));
  };

  const run = async () => {
    if (connectionId === null || !sql.trim() || running) return;
    const abort = new AbortController();
    setRunning(abort);
    setRunError(null);
    try {
      const answer = await api<SqlResult>(
        'POST',
        `/connections/${connectionId}/sql`,
        { sql, limit },
        { signal: abort.signal },
      );
      setResult({ run: (result?.run ?? 0) + 1, answer });
    } catch (error) {
      if (!abort.signal.aborted) setRunError(error);
    } finally {
      setRunning(null);
    }
  };

  const onEditorKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  };

  const answer = result?.answer;
  return (
    <section className="sqlrunner">
      <aside className="sidebar sqlschema" aria-label="Schema browser">
        <label>
          Connection
          <select
            value={connectionId ?? ''}
            onChange={(event) => setConnectionId(Number(event.target.value))}
            disabled={connections.length === 0}
          >
            {connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name} ({connection.type})
              </option>
            ))}
          </select>
        </label>
        <ErrorNote error={loadError} />
        {schema ? (
          <SchemaTree key={connectionId} schema={schema} onInsert={insert} />
        ) : (
          !loadError && <p className="muted small">Loading schema…</p>
        )}
      </aside>
      <div className="sqlmain">
        <h1>SQL</h1>
        <label>
          Query
          <textarea
            ref={editor}
            className="sqleditor"
            value={sql}
            onChange={(event) => setSql(event.target.value)}
            onKeyDown={onEditorKey}
            spellCheck={false}
            rows={10}
            placeholder="SELECT … (Ctrl+Enter runs)"
            aria-describedby="sql-help"
          />
        </label>
        <div className="toolbar sqlbar">
          <p id="sql-help" className="muted small">
            One SELECT statement. Ctrl+Enter (⌘+Enter) runs it; click a table to insert its name.
          </p>
          <div className="actions">
            <label className="inline">
              Rows
              <select value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
                {ROW_LIMITS.map((rows) => (
                  <option key={rows} value={rows}>
                    {rows.toLocaleString()}
                  </option>
                ))}
              </select>
            </label>
            {running && (
              <button type="button" onClick={() => running.abort()}>
                Cancel
              </button>
            )}
            <button
              type="button"
              className="primary"
              onClick={run}
              disabled={connectionId === null || !sql.trim() || Boolean(running)}
            >
              {running ? 'Running…' : 'Run'}
            </button>
          </div>
        </div>
        {runError ? (
          <pre className="error sqlerror" role="alert">
            {errorMessage(runError).replace(/^sql: /, '')}
          </pre>
        ) : null}
        {answer && !runError && (
          <div className="card sqlresult">
            <p role="status" className="small">
              {answer.rows.length.toLocaleString()} {answer.rows.length === 1 ? 'row' : 'rows'} in{' '}
              {answer.durationMs.toLocaleString()} ms
              {answer.truncated && (
                <strong className="sqltruncated">
                  {' '}
                  · truncated to the first {answer.rows.length.toLocaleString()} rows
                </strong>
              )}
            </p>
            <DataTable
              key={result.run}
              result={{ ...answer, cached: false }}
              pageSize={50}
              rawNames
              caption="Query results"
            />
          </div>
        )}
      </div>
    </section>
  );
}
