import { useMemo } from 'react';
import { sanitizeHtml, scopeCss } from './safe-content.ts';

/** The attribute that marks a dashboard's root element; its custom CSS is confined below it. */
export const dashboardScope = (id: number) => ({ 'data-dashboard-id': String(id) });
const scopeSelector = (id: number) => `[data-dashboard-id="${id}"]`;

/** The dashboard's header HTML, sanitized (see safe-content.ts), above its grid. */
export function DashboardHeader(props: { html: string | null }) {
  const clean = useMemo(() => (props.html ? sanitizeHtml(props.html) : ''), [props.html]);
  if (!clean) return null;
  return (
    <div
      className="dashboardheader"
      data-testid="dashboard-header"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML went through the allow-list sanitizer
      dangerouslySetInnerHTML={{ __html: clean }}
    />
  );
}

/** The dashboard's custom CSS, each rule prefixed with the dashboard's root selector. */
export function DashboardStyle(props: { id: number; css: string | null }) {
  const scoped = useMemo(
    () => (props.css ? scopeCss(props.css, scopeSelector(props.id)) : ''),
    [props.css, props.id],
  );
  if (!scoped) return null;
  return <style data-testid="dashboard-style">{scoped}</style>;
}
