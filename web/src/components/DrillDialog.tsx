import { useEffect, useState } from 'react';
import { categoryLabel } from '../../../src/core/exports/chart-labels.ts';
import { columnLabel } from '../../../src/core/exports/present.ts';
import { drillQuery } from '../../../src/core/query/drill.ts';
import { api, errorMessage } from '../api.ts';
import type { Query, QueryResult, Scalar } from '../types.ts';
import { DataTable } from './DataTable.tsx';
import { Modal } from './Modal.tsx';

/** "Showing 500 of 1,234 rows", or "12 rows" when nothing was cut. */
export function rowCount(result: Pick<QueryResult, 'rows' | 'truncated' | 'totalRows'>): string {
  const shown = result.rows.length.toLocaleString('en-US');
  if (result.totalRows !== undefined && result.totalRows > result.rows.length)
    return `Showing ${shown} of ${result.totalRows.toLocaleString('en-US')} rows`;
  if (result.truncated) return `Showing the first ${shown} rows`;
  return `${shown} ${result.rows.length === 1 ? 'row' : 'rows'}`;
}

/**
 * The rows behind one point of a chart (drill-through): the query's filters plus each dimension
 * at the point's value (a date bucket as its range), as stored, the first 500 of them.
 */
export function DrillDialog(props: {
  query: Query;
  /** The clicked result row, by column name. */
  point: Record<string, Scalar>;
  /** The columns of the point that are dimensions (the others are metrics). */
  dimensions: string[];
  onClose: () => void;
}) {
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one query per opened dialog
  useEffect(() => {
    const abort = new AbortController();
    try {
      api<QueryResult>('POST', '/query', drillQuery(props.query, props.point), { signal: abort.signal }).then(
        setResult,
        (e) => {
          if (!abort.signal.aborted) setError(errorMessage(e));
        },
      );
    } catch (e) {
      setError(errorMessage(e)); // a point that cannot be drilled into (a weekday)
    }
    return () => abort.abort();
  }, []);

  const where = props.dimensions
    .map((name) => `${columnLabel(name)}: ${categoryLabel(props.point[name] ?? null, name)}`)
    .join(' · ');
  return (
    <Modal title="Underlying rows" onClose={props.onClose} wide>
      <div className="drill" data-state={error ? 'error' : result ? 'ready' : 'loading'}>
        <p className="muted small">{where || 'Every row of the query'}</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!result && !error && <p className="muted">Loading…</p>}
        {result && (
          <>
            <p role="status" className="small">
              {rowCount(result)}
            </p>
            <DataTable result={result} pageSize={15} caption="Underlying rows" />
          </>
        )}
      </div>
    </Modal>
  );
}
