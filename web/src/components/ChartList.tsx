import { useEffect, useMemo, useState } from 'react';
import { api } from '../api.ts';
import type { ChartSummary } from '../charts.ts';
import { Link } from '../router.tsx';
import '../charts.css';

/** The saved charts the caller can see, on Home beside the dashboards: same folder and search. */
export function ChartList(props: { folder: number | 'all' | 'none'; search: string }) {
  const [charts, setCharts] = useState<ChartSummary[]>([]);
  const { folder, search } = props;

  useEffect(() => {
    api<{ items: ChartSummary[] }>('GET', '/charts')
      .then((r) => setCharts(r.items))
      .catch(() => setCharts([]));
  }, []);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return charts.filter(
      (c) =>
        (folder === 'all' || (folder === 'none' ? c.folderId === null : c.folderId === folder)) &&
        (!needle ||
          c.name.toLowerCase().includes(needle) ||
          (c.description ?? '').toLowerCase().includes(needle)),
    );
  }, [charts, folder, search]);

  if (shown.length === 0) return null;
  return (
    <section aria-label="Charts" className="chartlist">
      <h2>Charts</h2>
      <ul className="cards">
        {shown.map((c) => (
          <li key={c.id} className="card dashcard">
            <Link to={`/charts/${c.id}`}>
              <span className="dashname">{c.name}</span>
            </Link>
            {c.description && <p className="muted">{c.description}</p>}
            <p className="meta">
              <span className="tag">{c.visualizationType.replace('_', ' ')}</span>
              <span className="muted">Updated {new Date(c.updatedAt).toLocaleDateString()}</span>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
