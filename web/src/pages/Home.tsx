import { useEffect, useMemo, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { loadFavourites } from '../components/FavouriteButton.tsx';
import { recentDashboards } from '../recent.ts';
import { Link, navigate } from '../router.tsx';
import type { DashboardSummary, Folder, Me } from '../types.ts';

export function HomePage(props: { me: Me }) {
  const [folders, setFolders] = useState<Folder[]>([]);
  const [dashboards, setDashboards] = useState<DashboardSummary[] | null>(null);
  const [favourites, setFavourites] = useState<DashboardSummary[]>([]);
  const [folder, setFolder] = useState<number | 'all' | 'none'>('all');
  const [search, setSearch] = useState('');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    Promise.all([
      api<{ items: Folder[] }>('GET', '/folders?kind=dashboard'),
      api<{ items: DashboardSummary[] }>('GET', '/dashboards'),
    ])
      .then(([f, d]) => {
        setFolders(f.items);
        setDashboards(d.items);
      })
      .catch(setError);
    loadFavourites().then(setFavourites).catch(setError);
  }, []);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (dashboards ?? []).filter(
      (d) =>
        (folder === 'all' || (folder === 'none' ? d.folderId === null : d.folderId === folder)) &&
        (!needle ||
          d.name.toLowerCase().includes(needle) ||
          (d.description ?? '').toLowerCase().includes(needle) ||
          d.tags.some((t) => t.toLowerCase().includes(needle))),
    );
  }, [dashboards, folder, search]);

  const recent = useMemo(() => {
    const byId = new Map((dashboards ?? []).map((d) => [d.id, d]));
    return recentDashboards().flatMap((id) => byId.get(id) ?? []);
  }, [dashboards]);

  const canEdit = props.me.role !== 'viewer' && props.me.role !== 'interactive_viewer';
  const createDashboard = async () => {
    const name = prompt('Name of the new dashboard');
    if (!name) return;
    try {
      const created = await api<{ id: number }>('POST', '/dashboards', {
        name,
        folderId: typeof folder === 'number' ? folder : undefined,
      });
      navigate(`/dashboards/${created.id}`);
    } catch (caught) {
      setError(caught);
    }
  };
  const createFolder = async () => {
    const name = prompt('Name of the new folder');
    if (!name) return;
    try {
      const created = await api<Folder>('POST', '/folders', { name });
      setFolders([...folders, created]);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="home">
      <aside className="sidebar" aria-label="Folders">
        <h2>Folders</h2>
        <ul className="folderlist">
          <li>
            <button type="button" aria-pressed={folder === 'all'} onClick={() => setFolder('all')}>
              All dashboards
            </button>
          </li>
          <li>
            <button type="button" aria-pressed={folder === 'none'} onClick={() => setFolder('none')}>
              Not in a folder
            </button>
          </li>
          {folders.map((f) => (
            <li key={f.id}>
              <button type="button" aria-pressed={folder === f.id} onClick={() => setFolder(f.id)}>
                📁 {f.name}
              </button>
            </li>
          ))}
        </ul>
        {canEdit && (
          <button type="button" className="link" onClick={createFolder}>
            + New folder
          </button>
        )}
      </aside>
      <section className="content">
        <div className="toolbar">
          <h1>Dashboards</h1>
          <input
            type="search"
            className="search"
            placeholder="Search dashboards"
            aria-label="Search dashboards"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          {canEdit && (
            <button type="button" className="primary" onClick={createDashboard}>
              New dashboard
            </button>
          )}
        </div>
        <ErrorNote error={error} />
        {favourites.length > 0 && !search && folder === 'all' && (
          <nav aria-label="Favourites" className="recent favourites">
            <span className="muted">★ Favourites:</span>
            {favourites.map((d) => (
              <Link key={d.id} to={`/dashboards/${d.id}`}>
                {d.name}
              </Link>
            ))}
          </nav>
        )}
        {recent.length > 0 && !search && folder === 'all' && (
          <nav aria-label="Recently viewed" className="recent">
            <span className="muted">Recently viewed:</span>
            {recent.map((d) => (
              <Link key={d.id} to={`/dashboards/${d.id}`}>
                {d.name}
              </Link>
            ))}
          </nav>
        )}
        {dashboards === null ? (
          <p className="muted">Loading…</p>
        ) : shown.length === 0 ? (
          <p className="muted">No dashboards{search ? ` match “${search}”` : ''}.</p>
        ) : (
          <ul className="cards">
            {shown.map((d) => (
              <li key={d.id} className="card dashcard">
                <Link to={`/dashboards/${d.id}`}>
                  <span className="dashname">{d.name}</span>
                </Link>
                {d.description && <p className="muted">{d.description}</p>}
                <p className="meta">
                  {d.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                  <span className="muted">Updated {new Date(d.updatedAt).toLocaleDateString()}</span>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
