import { useMemo, useState } from 'react';
import type { ChartSummary } from '../charts.ts';
import { useProjectList } from '../project.ts';
import { Link } from '../router.tsx';
import type { Folder } from '../types.ts';
import { ContentActions } from './ContentActions.tsx';
import '../charts.css';

/**
 * The saved charts the caller can see, on Home beside the dashboards: same folder and search;
 * editors rename, move and delete (to the trash) them as they do dashboards.
 */
export function ChartList(props: {
  folder: number | 'all' | 'none';
  search: string;
  folders: Folder[];
  canEdit: boolean;
  onError: (error: unknown) => void;
}) {
  const [reloads, setReloads] = useState(0);
  const { folder, search } = props;
  const charts = useProjectList<ChartSummary>('/charts', reloads);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (charts ?? []).filter(
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
            {props.canEdit && (
              <ContentActions
                what="chart"
                name={c.name}
                url={`/charts/${c.id}`}
                folders={props.folders}
                personal
                forceable
                onChanged={() => setReloads((n) => n + 1)}
                onError={props.onError}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
