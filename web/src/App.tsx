import { lazy, type ReactNode, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, getToken, setToken, setUnauthorizedHandler } from './api.ts';
import { DashboardPage } from './pages/Dashboard.tsx';
import { EmbedPage } from './pages/Embed.tsx';
import { HomePage } from './pages/Home.tsx';
import { LoginPage } from './pages/Login.tsx';

// Pages off the dashboard path load on demand, so opening a dashboard fetches less.
const AdminPage = lazy(() => import('./pages/Admin.tsx').then((m) => ({ default: m.AdminPage })));
const DataPage = lazy(() => import('./pages/Data.tsx').then((m) => ({ default: m.DataPage })));
const SqlRunnerPage = lazy(() => import('./pages/SqlRunner.tsx').then((m) => ({ default: m.SqlRunnerPage })));
const WidgetEditorPage = lazy(() =>
  import('./pages/WidgetEditor.tsx').then((m) => ({ default: m.WidgetEditorPage })),
);

import { Link, match, navigate, usePath } from './router.tsx';
import type { Me } from './types.ts';

export function App() {
  const { path } = usePath();
  const embed = match('/embed/:token', path);
  // An embed is anonymous: it renders outside the signed-in shell and never touches the session.
  return embed ? <EmbedPage key={embed.token} token={embed.token} /> : <SignedInApp />;
}

function SignedInApp() {
  const { path, search } = usePath();
  // The last known user renders the page at once; GET /me confirms (or ends) the session meanwhile.
  const [me, setMe] = useState<Me | null>(() => (getToken() ? cachedMe() : null));
  const [checking, setChecking] = useState(Boolean(getToken()) && !me);

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/auth/logout');
    } catch {
      // the session may already be gone
    }
    setToken(null);
    cacheMe(null);
    setMe(null);
    navigate('/login');
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      cacheMe(null);
      setMe(null);
      if (location.pathname !== '/login') navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
    });
    if (!getToken()) return;
    api<Me>('GET', '/me')
      .then((fresh) => {
        setMe(fresh);
        cacheMe(fresh);
      })
      .catch(() => {
        setToken(null);
        setMe(null);
      })
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    if (me && path === '/login') navigate('/', { replace: true });
  }, [me, path]);

  if (checking) return <div className="boot" aria-busy="true" />;
  if (!me) {
    return (
      <LoginPage
        onSignedIn={(user) => {
          setMe(user);
          cacheMe(user);
          const next = search.get('next');
          navigate(next?.startsWith('/') && next !== '/login' ? next : path === '/login' ? '/' : path, {
            replace: true,
          });
        }}
      />
    );
  }

  const page = routePage(path, search, me);

  return (
    <div className="shell">
      <Header me={me} path={path} onSignOut={signOut} />
      <main className="page" id="main">
        <Suspense fallback={<p className="muted">Loading…</p>}>{page}</Suspense>
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <section className="empty">
      <h1>Page not found</h1>
      <Link to="/">Back to dashboards</Link>
    </section>
  );
}

function Header(props: { me: Me; path: string; onSignOut: () => void }) {
  const { me, path } = props;
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !menu.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const section = path.startsWith('/data')
    ? 'data'
    : path.startsWith('/admin')
      ? 'admin'
      : path.startsWith('/explore')
        ? 'explore'
        : path === '/sql'
          ? 'sql'
          : 'home';
  const canDevelop = me.role === 'developer' || me.role === 'admin';
  // Viewers see dashboards; exploring and previewing data are ad-hoc queries (interactive viewers up).
  const canExplore = me.role !== 'viewer';
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        <span className="logo" aria-hidden="true" />
        Rosetta
      </Link>
      <nav aria-label="Main" className="mainnav">
        <Link to="/" aria-current={section === 'home' ? 'page' : undefined}>
          Dashboards
        </Link>
        {canExplore && (
          <>
            <Link to="/explore" aria-current={section === 'explore' ? 'page' : undefined}>
              Explore
            </Link>
            <Link to="/data" aria-current={section === 'data' ? 'page' : undefined}>
              Data
            </Link>
          </>
        )}
        {canDevelop && (
          <Link to="/sql" aria-current={section === 'sql' ? 'page' : undefined}>
            SQL
          </Link>
        )}
        {me.role === 'admin' && (
          <Link to="/admin" aria-current={section === 'admin' ? 'page' : undefined}>
            Admin
          </Link>
        )}
      </nav>
      <div className="usermenu" ref={menu}>
        <button
          type="button"
          className="userbutton"
          aria-haspopup="menu"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          <span className="avatar" aria-hidden="true">
            {(me.name || me.email).slice(0, 1).toUpperCase()}
          </span>
          <span className="who">
            <span className="username">{me.name || me.email}</span>
            <span className="org">Organization {me.organizationId}</span>
          </span>
        </button>
        {open && (
          <div className="menu" role="menu">
            <div className="menuhead">
              <strong>{me.email}</strong>
              <span className="muted">Role: {me.role}</span>
            </div>
            {me.role === 'admin' && (
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  navigate('/admin?tab=keys');
                }}
              >
                API keys
              </button>
            )}
            <button type="button" role="menuitem" onClick={props.onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p className="error" role="alert">
      {errorMessage(props.error)}
    </p>
  );
}

/** The page for a path: a handful of fixed routes, no nesting. */
function routePage(path: string, search: URLSearchParams, me: Me): ReactNode {
  const dashboard = match('/dashboards/:id', path);
  if (dashboard) return <DashboardPage key={dashboard.id} id={dashboard.id} me={me} />;
  const newWidget = match('/dashboards/:id/widgets/new', path);
  if (newWidget) return <WidgetEditorPage dashboardId={newWidget.id} />;
  const widget = match('/dashboards/:id/widgets/:widgetId', path);
  if (widget) return <WidgetEditorPage dashboardId={widget.id} widgetId={widget.widgetId} />;
  if (path === '/explore') return <WidgetEditorPage source={search.get('source') ?? undefined} />;
  if (path === '/data')
    return (
      <DataPage me={me} selected={search.get('source') ?? undefined} view={search.get('view') ?? undefined} />
    );
  if (path === '/admin') return <AdminPage me={me} tab={search.get('tab') ?? 'users'} />;
  if (path === '/sql') return <SqlRunnerPage me={me} />;
  if (path === '/' || path === '/login') return <HomePage me={me} />;
  return <NotFound />;
}

const ME_KEY = 'rosetta.me';

function cachedMe(): Me | null {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Me | null;
  } catch {
    return null;
  }
}

function cacheMe(me: Me | null): void {
  if (me) localStorage.setItem(ME_KEY, JSON.stringify(me));
  else localStorage.removeItem(ME_KEY);
}
