import { lazy, type ReactNode, Suspense, useCallback, useEffect, useState } from 'react';
import { api, errorMessage, getToken, setToken, setUnauthorizedHandler } from './api.ts';
import { Header } from './components/Header.tsx';
import { DashboardPage } from './pages/Dashboard.tsx';
import { EmbedPage } from './pages/Embed.tsx';
import { HomePage } from './pages/Home.tsx';
import { LoginPage } from './pages/Login.tsx';
import { PasswordLinkPage } from './pages/PasswordLink.tsx';
import { clearProjects, loadProjects } from './project.ts';

// Pages off the dashboard path load on demand, so opening a dashboard fetches less.
const AccountPage = lazy(() => import('./pages/Account.tsx').then((m) => ({ default: m.AccountPage })));
const AdminPage = lazy(() => import('./pages/Admin.tsx').then((m) => ({ default: m.AdminPage })));
const SubscriptionsPage = lazy(() =>
  import('./pages/AdminSubscriptions.tsx').then((m) => ({ default: m.SubscriptionsPage })),
);
const ChartPage = lazy(() => import('./pages/Chart.tsx').then((m) => ({ default: m.ChartPage })));
const DataPage = lazy(() => import('./pages/Data.tsx').then((m) => ({ default: m.DataPage })));
const TrashPage = lazy(() => import('./pages/Trash.tsx').then((m) => ({ default: m.TrashPage })));
const SqlRunnerPage = lazy(() => import('./pages/SqlRunner.tsx').then((m) => ({ default: m.SqlRunnerPage })));
const WidgetEditorPage = lazy(() =>
  import('./pages/WidgetEditor.tsx').then((m) => ({ default: m.WidgetEditorPage })),
);

import { atLeast, ROLE_LABELS, type Role } from './roles.ts';
import { Link, match, navigate, usePath } from './router.tsx';
import type { Me } from './types.ts';

export function App() {
  const { path } = usePath();
  const embed = match('/embed/:token', path);
  // An embed is anonymous: it renders outside the signed-in shell and never touches the session.
  if (embed) return <EmbedPage key={embed.token} token={embed.token} />;
  const link = match('/invite/:token', path) ?? match('/reset-password/:token', path);
  if (link) return <PasswordLinkPage key={link.token} token={link.token} onSignedIn={signInWith} />;
  return <SignedInApp />;
}

/** Signs in with a session token handed out outside the login form (a password link). */
function signInWith(token: string): void {
  setToken(token);
  cacheMe(null);
  navigate('/', { replace: true });
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

  const userId = me?.id;
  useEffect(() => {
    if (userId === undefined) return clearProjects();
    // Without the list (a refusal, a network error) the app works unfiltered, in the default project.
    loadProjects().catch(clearProjects);
  }, [userId]);

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

  const updateMe = (fresh: Me) => {
    setMe(fresh);
    cacheMe(fresh);
  };
  const page = routePage(path, search, me, updateMe);

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

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p className="error" role="alert">
      {errorMessage(props.error)}
    </p>
  );
}

/** A page the user's role may not use: said plainly rather than shown with buttons that fail. */
function NotAllowed(props: { what: string; role: Role; me: Me }) {
  return (
    <section className="empty">
      <h1>Not available</h1>
      <p>
        {props.what} is for {ROLE_LABELS[props.role]} and up; your role is {props.me.role}.
      </p>
      <Link to="/">Back to dashboards</Link>
    </section>
  );
}

/** The page for a path: a handful of fixed routes, no nesting. */
function routePage(path: string, search: URLSearchParams, me: Me, onMeChange: (me: Me) => void): ReactNode {
  const only = (role: Role, what: string, page: ReactNode) =>
    atLeast(me, role) ? page : <NotAllowed what={what} role={role} me={me} />;
  const dashboard = match('/dashboards/:id', path);
  if (dashboard) return <DashboardPage key={dashboard.id} id={dashboard.id} me={me} />;
  const chart = match('/charts/:id', path);
  if (chart) return <ChartPage key={chart.id} id={chart.id} me={me} />;
  const chartEdit = match('/charts/:id/edit', path);
  if (chartEdit)
    return only('editor', 'Editing charts', <WidgetEditorPage key={chartEdit.id} chartId={chartEdit.id} />);
  const newWidget = match('/dashboards/:id/widgets/new', path);
  if (newWidget) return only('editor', 'Editing widgets', <WidgetEditorPage dashboardId={newWidget.id} />);
  const widget = match('/dashboards/:id/widgets/:widgetId', path);
  if (widget)
    return only(
      'editor',
      'Editing widgets',
      <WidgetEditorPage dashboardId={widget.id} widgetId={widget.widgetId} />,
    );
  if (path === '/explore')
    return only(
      'interactive_viewer',
      'Explore',
      <WidgetEditorPage source={search.get('source') ?? undefined} />,
    );
  if (path === '/data')
    return only(
      'interactive_viewer',
      'The data page',
      <DataPage
        me={me}
        selected={search.get('source') ?? undefined}
        view={search.get('view') ?? undefined}
      />,
    );
  if (path === '/admin')
    return only(
      'admin',
      'Administration',
      <AdminPage me={me} tab={search.get('tab') ?? 'users'} onMeChange={onMeChange} />,
    );
  if (path === '/subscriptions')
    return only('editor', 'Subscriptions and alerts', <SubscriptionsPage me={me} />);
  if (path === '/trash') return only('editor', 'The trash', <TrashPage />);
  if (path === '/sql') return <SqlRunnerPage me={me} />;
  if (path === '/account') return <AccountPage me={me} onMeChange={onMeChange} />;
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
