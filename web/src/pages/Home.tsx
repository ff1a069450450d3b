import { useEffect, useMemo, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { AccessDialog } from '../components/AccessDialog.tsx';
import { ChartList } from '../components/ChartList.tsx';
import { ContentActions } from '../components/ContentActions.tsx';
import { loadFavourites } from '../components/FavouriteButton.tsx';
import { NameDialog } from '../components/NameDialog.tsx';
import { inProject, newInProject, useProjectId } from '../project.ts';
import { recentDashboards } from '../recent.ts';
import { Link, navigate } from '../router.tsx';
import type { DashboardSummary, Folder, Me } from '../types.ts';

export function HomePage(props: { me: Me }) {
  const [folders, setFolders] = useState<Folder[]>([]);
  const [dashboards, setDashboards] = useState<DashboardSummary[] | null>(null);
  const [favourites, setFavourites] = useState<DashboardSummary[]>([]);
  const [folder, setFolder] = useState<number | 'all' | 'none' | 'mine' | 'shared'>('all');
  const [search, setSearch] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState<'dashboard' | 'folder' | null>(null);
  const [accessOf, setAccessOf] = useState<Folder | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const projectId = useProjectId();
  // A folder of the project left behind is not in the new list: start from all dashboards.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the project changes
  useEffect(() => setFolder('all'), [projectId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for a fresh list
  useEffect(() => {
    // An answer for a project left meanwhile (or asked before the projects arrived) is dropped.
    let live = true;
    Promise.all([
      api<{ items: Folder[] }>('GET', inProject('/folders?kind=dashboard', projectId)),
      api<{ items: DashboardSummary[] }>('GET', inProject('/dashboards', projectId)),
    ])
      .then(([f, d]) => {
        if (!live) return;
        setFolders(f.items);
        setDashboards(d.items);
      })
      .catch(setError);
    loadFavourites().then(setFavourites).catch(setError);
    return () => {
      live = false;
    };
  }, [reloads, projectId]);

  const meId = props.me.id;
  const isAdmin = props.me.role === 'admin';
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    // My space holds the caller's personal dashboards; "Shared with me" others' personal ones the
    // caller sees (for anyone but an admin, only because they were shared); the other places, the
    // dashboards filed for the organization.
    const othersPersonal = (d: DashboardSummary) => d.personal && d.ownerId !== meId;
    const inPlace = (d: DashboardSummary) =>
      folder === 'mine'
        ? d.personal && d.ownerId === meId
        : folder === 'shared'
          ? othersPersonal(d)
          : folder === 'all'
            ? !d.personal || (othersPersonal(d) && !isAdmin)
            : !d.personal && (folder === 'none' ? d.folderId === null : d.folderId === folder);
    return (dashboards ?? []).filter(
      (d) =>
        inPlace(d) &&
        (!needle ||
          d.name.toLowerCase().includes(needle) ||
          (d.description ?? '').toLowerCase().includes(needle) ||
          d.tags.some((t) => t.toLowerCase().includes(needle))),
    );
  }, [dashboards, folder, search, meId, isAdmin]);

  const recent = useMemo(() => {
    const byId = new Map((dashboards ?? []).map((d) => [d.id, d]));
    return recentDashboards().flatMap((id) => byId.get(id) ?? []);
  }, [dashboards]);

  const canEdit = props.me.role !== 'viewer' && props.me.role !== 'interactive_viewer';
  // Refusals show in the dialog (NameDialog), which stays open with the name typed. New
  // dashboards land in My space unless a folder is open.
  const createDashboard = async (name: string) => {
    const created = await api<{ id: number }>('POST', '/dashboards', {
      name,
      ...(typeof folder === 'number' ? { folderId: folder } : { personal: true }),
      ...newInProject(),
    });
    navigate(`/dashboards/${created.id}`);
  };
  const createFolder = async (name: string) => {
    const created = await api<Folder>('POST', '/folders', { name, ...newInProject() });
    setFolders([...folders, created]);
    setCreating(null);
  };

  return (
    <div className="home">
      <aside className="sidebar" aria-label="Folders">
        <h2>Folders</h2>
        <ul className="folderlist">
          {canEdit && (
            <li>
              <button type="button" aria-pressed={folder === 'mine'} onClick={() => setFolder('mine')}>
                🔒 My space
              </button>
            </li>
          )}
          <li>
            <button type="button" aria-pressed={folder === 'all'} onClick={() => setFolder('all')}>
              All shared dashboards
            </button>
          </li>
          <li>
            <button type="button" aria-pressed={folder === 'shared'} onClick={() => setFolder('shared')}>
              {isAdmin ? 'Other people’s spaces' : 'Shared with me'}
            </button>
          </li>
          <li>
            <button type="button" aria-pressed={folder === 'none'} onClick={() => setFolder('none')}>
              Not in a folder
            </button>
          </li>
          {folders.map((f) => (
            <li key={f.id} className="folderrow">
              <button type="button" aria-pressed={folder === f.id} onClick={() => setFolder(f.id)}>
                📁 {f.name}
              </button>
              {(props.me.role === 'admin' || f.createdBy === props.me.id) && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Access of ${f.name}`}
                  onClick={() => setAccessOf(f)}
                >
                  Access…
                </button>
              )}
            </li>
          ))}
        </ul>
        {canEdit && (
          <button type="button" className="link" onClick={() => setCreating('folder')}>
            + New folder
          </button>
        )}
        {canEdit && (
          <p>
            <Link to="/trash">🗑 Trash</Link>
          </p>
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
            <button type="button" className="primary" onClick={() => setCreating('dashboard')}>
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
                {canEdit && (
                  <ContentActions
                    what="dashboard"
                    name={d.name}
                    url={`/dashboards/${d.id}`}
                    folders={folders}
                    personal
                    onChanged={reload}
                    onError={setError}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        {/* Charts have no share list of their own: "Shared with me" lists dashboards only. */}
        {folder !== 'mine' && folder !== 'shared' && (
          <ChartList folder={folder} search={search} folders={folders} canEdit={canEdit} onError={setError} />
        )}
      </section>
      {creating && (
        <NameDialog
          key={creating}
          title={`New ${creating}`}
          label={`${creating === 'folder' ? 'Folder' : 'Dashboard'} name`}
          submitLabel={`Create ${creating}`}
          onSubmit={creating === 'folder' ? createFolder : createDashboard}
          onClose={() => setCreating(null)}
        />
      )}
      {accessOf && (
        <AccessDialog
          title={`Access to “${accessOf.name}”`}
          entries={accessOf.access ?? []}
          emptyNote="No list of its own: it inherits its parent’s, or is open to everyone by role."
          save={async (access) => {
            const saved = await api<Folder>('PUT', `/folders/${accessOf.id}/access`, { access });
            setAccessOf(saved);
            setFolders(folders.map((f) => (f.id === saved.id ? saved : f)));
          }}
          onClose={() => setAccessOf(null)}
        />
      )}
    </div>
  );
}
