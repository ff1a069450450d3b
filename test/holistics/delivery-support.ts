import type { DashboardItemKind } from '../../src/core/content/index.ts';
import { ADMIN_KEY, type TestApp } from '../support/app.ts';

/** Shared steps of the data schedule and data alert tests: the demo dashboard and its items' integer ids. */

export interface DemoDashboard {
  id: number;
  organizationId: number;
  name: string;
}

export async function demoDashboard(app: TestApp): Promise<DemoDashboard> {
  const list = await app.request('GET', '/api/dashboards');
  const { id } = list.body.items.find((item: { name: string }) => item.name === 'Demo sales');
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  return { id, organizationId: admin.organizationId, name: 'Demo sales' };
}

/** The integer id the face names a dashboard widget or filter by (the content module's item ids). */
export async function itemId(
  app: TestApp,
  dashboard: DemoDashboard,
  kind: DashboardItemKind,
  key: string,
): Promise<number> {
  const ids = await app.rosetta.services.content.itemIds.idsOf(dashboard, kind, [key]);
  return ids.get(key) as number;
}

/** The emails the outbox holds (no SMTP in tests), newest last. */
export async function outbox(app: TestApp): Promise<Array<{ to: string[]; subject: string; text: string }>> {
  const { body } = await app.request('GET', '/api/outbox');
  return [...body.items].sort((a: { id: number }, b: { id: number }) => a.id - b.id);
}
