import { lazy, Suspense, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { DashboardHeader, DashboardStyle, dashboardScope } from '../components/DashboardDecor.tsx';
import { DashboardGrid, useDashboardFilters, WidgetPreview } from '../components/DashboardGrid.tsx';
import { DashboardSettings } from '../components/DashboardSettings.tsx';
import { useSubscriptionDialogs } from '../components/DashboardSubscriptions.tsx';
import { EmbedDialog } from '../components/EmbedDialog.tsx';
import { downloadExport } from '../components/export-file.ts';
import { FavouriteButton } from '../components/FavouriteButton.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { ShareDialog } from '../components/ShareDialog.tsx';
import { useDashboardVariables, VariableBar } from '../components/VariableBar.tsx';
import { VersionHistory } from '../components/VersionHistory.tsx';
import { rememberDashboard } from '../recent.ts';
import { Link, navigate } from '../router.tsx';
import type { Cell, Dashboard, Me, Widget } from '../types.ts';

const LayoutEditor = lazy(() =>
  import('../components/LayoutEditor.tsx').then((m) => ({ default: m.LayoutEditor })),
);

let exportsAvailable: Promise<boolean> | undefined;
/** Whether the server has the exports route (it is optional); asked once per page load. */
function hasExports(): Promise<boolean> {
  exportsAvailable ??= fetch('/api/openapi.json')
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc: { paths?: Record<string, unknown> }) =>
      Object.keys(doc.paths ?? {}).some((p) => /^\/api\/exports\/?$/.test(p)),
    )
    .catch(() => false);
  return exportsAvailable;
}

export function DashboardPage(props: { id: string; me: Me }) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { filters, filterBar, crossFilter } = useDashboardFilters(dashboard);
  const variables = useDashboardVariables(dashboard);
  const [refreshKey, setRefreshKey] = useState(0);
  const [editingLayout, setEditingLayout] = useState(false);
  const [exportsOn, setExportsOn] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const [autoRefresh, setAutoRefresh] = useState(0);
  const [dialog, setDialog] = useState<'settings' | 'share' | 'embed' | null>(null);
  // The server says whether this user may edit this dashboard (role and the dashboard's access).
  const [canEdit, setCanEdit] = useState(false);
  const [confirmDialog, ask] = useConfirm();
  const subscriptions = useSubscriptionDialogs(dashboard, props.me, filterBar.values);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = setInterval(() => setRefreshKey((k) => k + 1), autoRefresh * 1000);
    return () => clearInterval(timer);
  }, [autoRefresh]);

  useEffect(() => {
    api<Dashboard>('GET', `/dashboards/${props.id}`)
      .then((d) => {
        setDashboard(d);
        setCanEdit(d.canEdit === true);
        rememberDashboard(d.id);
        document.title = `${d.name} · Rosetta`;
      })
      .catch(setError);
    hasExports().then(setExportsOn);
    return () => {
      document.title = 'Rosetta';
    };
  }, [props.id]);

  if (error) return <ErrorNote error={error} />;
  if (!dashboard) return <p className="muted">Loading dashboard…</p>;

  const deleteWidget = async (widget: Widget) => {
    const ok = await ask({
      title: 'Delete widget',
      message: `Delete the widget “${widget.title || widget.id}”? The dashboard's history keeps it.`,
      confirmLabel: 'Delete',
    });
    if (!ok) return;
    try {
      await api('DELETE', `/dashboards/${dashboard.id}/widgets/${widget.id}`);
      setDashboard(await api<Dashboard>('GET', `/dashboards/${dashboard.id}`));
    } catch (caught) {
      setError(caught);
    }
  };

  const saveLayout = async (layout: Cell[]) => {
    try {
      setDashboard(await api<Dashboard>('PATCH', `/dashboards/${dashboard.id}`, { layout }));
      setEditingLayout(false);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  const clone = async () => {
    try {
      const copy = await api<{ id: number }>('POST', `/dashboards/${dashboard.id}/clone`, {
        name: `${dashboard.name} (copy)`,
      });
      navigate(`/dashboards/${copy.id}`);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  const exportAs = async (format: string, widget?: Widget) => {
    try {
      const target = widget
        ? { widget: { dashboard: dashboard.id, widget: widget.id } }
        : { dashboard: dashboard.id };
      const body = { ...target, format, filters, variables: variables.requested };
      const name = await downloadExport(body, `${widget?.title || dashboard.name}.${format}`, setNotice);
      setNotice(`Exported ${name}`);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  return (
    <div className="dashboard" {...dashboardScope(dashboard.id)}>
      {confirmDialog}
      <DashboardStyle id={dashboard.id} css={dashboard.customCss} />
      <div className="toolbar">
        <div>
          <p className="crumbs">
            <Link to="/">Dashboards</Link> /
          </p>
          <h1>{dashboard.name}</h1>
          {dashboard.description && <p className="muted">{dashboard.description}</p>}
        </div>
        <div className="actions">
          <FavouriteButton dashboardId={dashboard.id} onError={setNotice} />
          <button type="button" onClick={() => setRefreshKey(refreshKey + 1)} title="Run every widget again">
            Refresh
          </button>
          <select
            aria-label="Auto-refresh"
            value={autoRefresh}
            onChange={(e) => setAutoRefresh(Number(e.target.value))}
          >
            <option value={0}>Auto-refresh off</option>
            <option value={30}>Every 30 s</option>
            <option value={60}>Every minute</option>
            <option value={300}>Every 5 minutes</option>
          </select>
          {exportsOn &&
            ['xlsx', 'pdf', 'png'].map((format) => (
              <button
                key={format}
                type="button"
                onClick={() => exportAs(format)}
                aria-label={`Export as ${format.toUpperCase()}`}
              >
                {format.toUpperCase()}
              </button>
            ))}
          {subscriptions.button}
          {canEdit && (
            <>
              <button type="button" onClick={() => setShowHistory(!showHistory)} aria-pressed={showHistory}>
                History
              </button>
              <button type="button" onClick={clone}>
                Clone
              </button>
              <button type="button" onClick={() => setDialog('share')} aria-haspopup="dialog">
                Share
              </button>
              <button type="button" onClick={() => setDialog('embed')} aria-haspopup="dialog">
                Embed
              </button>
              <button type="button" onClick={() => setDialog('settings')} aria-haspopup="dialog">
                Settings
              </button>
              <button
                type="button"
                onClick={() => setEditingLayout(!editingLayout)}
                aria-pressed={editingLayout}
              >
                {editingLayout ? 'Cancel layout' : 'Edit layout'}
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => navigate(`/dashboards/${dashboard.id}/widgets/new`)}
              >
                Add widget
              </button>
            </>
          )}
        </div>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {showHistory && (
        <VersionHistory
          path={`/dashboards/${dashboard.id}`}
          current={dashboard.version}
          canRestore
          restoreNote="The current state stays in the history."
          onRestore={async (version) => {
            await api('POST', `/dashboards/${dashboard.id}/versions/${version}/restore`);
            const restored = await api<Dashboard>('GET', `/dashboards/${dashboard.id}`);
            setDashboard(restored);
            setShowHistory(false);
            setNotice(`Restored an earlier version; this is now version ${restored.version}.`);
          }}
          onClose={() => setShowHistory(false)}
        />
      )}
      {dialog === 'settings' && (
        <DashboardSettings
          dashboard={dashboard}
          onSaved={(saved) => {
            setDashboard(saved);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'share' && (
        <ShareDialog dashboard={dashboard} onChanged={setDashboard} onClose={() => setDialog(null)} />
      )}
      {dialog === 'embed' && <EmbedDialog dashboard={dashboard} onClose={() => setDialog(null)} />}
      {subscriptions.dialog}
      <DashboardHeader html={dashboard.headerHtml} />
      <FilterBar {...filterBar} />
      <VariableBar {...variables.bar} />
      {editingLayout ? (
        <Suspense fallback={<p className="muted">Loading the layout editor…</p>}>
          <LayoutEditor
            dashboard={dashboard}
            onSave={saveLayout}
            onCancel={() => setEditingLayout(false)}
            renderBody={(widget) => (
              <WidgetPreview
                dashboard={dashboard}
                widget={widget}
                filters={filters}
                variables={variables.values}
                refreshKey={refreshKey}
              />
            )}
          />
        </Suspense>
      ) : (
        <DashboardGrid
          dashboard={dashboard}
          filters={filters}
          variables={variables.values}
          refreshKey={refreshKey}
          onSelect={crossFilter}
          onEdit={
            canEdit ? (widget) => navigate(`/dashboards/${dashboard.id}/widgets/${widget.id}`) : undefined
          }
          onDelete={canEdit ? deleteWidget : undefined}
          onExport={exportsOn ? (widget) => exportAs('csv', widget) : undefined}
          onAlert={subscriptions.onAlert}
        />
      )}
    </div>
  );
}
