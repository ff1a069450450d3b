import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { hx } from './support.ts';

/** A user of that role and an API key of theirs, as a Holistics client would hold it. */
export async function keyOfNewUser(app: TestApp, role: string, email: string): Promise<string> {
  const password = 'a long enough password 123';
  const created = await app.request('POST', '/api/users', { email, role, password });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { auth } = app.rosetta.services;
  const session = await auth.login(email, password);
  return (await auth.createApiKey(await auth.authenticate(session.token), { name: email })).key;
}

/** The demo dashboard's integer id (Holistics' id is the native one). */
export async function demoDashboardId(app: TestApp): Promise<number> {
  const listed = await app.request('GET', '/api/dashboards');
  const items = (listed.body.items ?? listed.body) as { id: number; name: string }[];
  const demo = items.find((dashboard) => dashboard.name.toLowerCase().includes('demo'));
  if (!demo) throw new Error(`no demo dashboard: ${JSON.stringify(listed.body).slice(0, 300)}`);
  return demo.id;
}

/** The Holistics dashboard, with its widgets and dynamic filters. */
export async function holisticsDashboard(app: TestApp, id: number) {
  const answer = await hx(app, 'GET', `/dashboards/${id}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.dashboard;
}

/** The integer id of the widget whose title is `title`. */
export async function widgetIdOf(app: TestApp, dashboardId: number, title: string): Promise<number> {
  const dashboard = await holisticsDashboard(app, dashboardId);
  const widget = dashboard.widgets.find((w: { source_title: string }) => w.source_title === title);
  if (!widget) throw new Error(`no widget ${title}`);
  return widget.id;
}
