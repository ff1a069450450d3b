import { useEffect, useState } from 'react';
import { api, errorMessage, setEmbedCredential, setUnauthorizedHandler } from '../api.ts';
import { DashboardHeader, DashboardStyle, dashboardScope } from '../components/DashboardDecor.tsx';
import { DashboardGrid, useDashboardFilters } from '../components/DashboardGrid.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { useDashboardVariables, VariableBar } from '../components/VariableBar.tsx';
import type { Dashboard, Scalar } from '../types.ts';

interface Opened {
  dashboard: Dashboard;
  /** The link's values of the dashboard's variables. */
  variables: Record<string, Scalar | Scalar[]>;
  expiresAt: string;
  /** The credential of this page's requests: the link itself only opens. */
  session: string;
}

/** Opening counts one use of the link, so a remount of the page must not open it again. */
const openings = new Map<string, Promise<Opened>>();

function openEmbed(token: string): Promise<Opened> {
  let opening = openings.get(token);
  if (!opening) {
    opening = api<Opened>('POST', '/embed/open', { token });
    openings.set(token, opening);
  }
  return opening;
}

/**
 * `/embed/<token>`: a dashboard embedded in another site. No header, no navigation, no editing
 * or exports; every request carries the embed token, whose variables filter the data on the
 * server. An expired or used-up token replaces the page with a message.
 */
export function EmbedPage(props: { token: string }) {
  const [opened, setOpened] = useState<Opened | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    setEmbedCredential(null);
    // A later 401 means the link expired or was revoked while the page was open.
    setUnauthorizedHandler(() => setRefusal('this embed URL has expired or was revoked'));
    openEmbed(props.token)
      .then((answer) => {
        setEmbedCredential(answer.session);
        setOpened(answer);
        document.title = answer.dashboard.name;
      })
      .catch((error) => setRefusal(errorMessage(error)));
  }, [props.token]);

  if (refusal) {
    return (
      <main className="page embed">
        <section className="empty" role="alert">
          <h1>This dashboard is not available</h1>
          <p className="muted">{sentence(refusal)}</p>
        </section>
      </main>
    );
  }
  if (!opened) return <div className="boot" aria-busy="true" />;
  return <EmbeddedDashboard dashboard={opened.dashboard} variables={opened.variables} />;
}

/** Mounted once the token is open, so its first requests already carry the embed credential. */
function EmbeddedDashboard(props: { dashboard: Dashboard; variables: Opened['variables'] }) {
  const { dashboard } = props;
  const { filters, filterBar, crossFilter } = useDashboardFilters(dashboard);
  const variables = useDashboardVariables(dashboard, props.variables);
  return (
    <main className="page embed dashboard" {...dashboardScope(dashboard.id)}>
      <DashboardStyle id={dashboard.id} css={dashboard.customCss} />
      <h1>{dashboard.name}</h1>
      {dashboard.description && <p className="muted">{dashboard.description}</p>}
      <DashboardHeader html={dashboard.headerHtml} />
      <FilterBar {...filterBar} />
      <VariableBar {...variables.bar} />
      <DashboardGrid
        dashboard={dashboard}
        filters={filters}
        variables={variables.values}
        refreshKey={0}
        onSelect={crossFilter}
      />
    </main>
  );
}

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
