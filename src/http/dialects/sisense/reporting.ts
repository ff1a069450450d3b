import type { Dashboard } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { isJsonObject, object } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, SisenseContent } from './dashboard-context.ts';

/**
 * A send-now delivery is a schedule that is never saved, so its cron never fires; the schedule
 * form still requires one, and this one (yearly) is what a saved copy of it would mean.
 */
const SEND_ONCE_CRON = '0 0 1 1 *';

/** Whether the dashboard reaches the user or group: its owner, a share, or (a user) a shared group. */
async function isShared(context: SisenseContent, dashboard: Dashboard, type: 'user' | 'group', id: number) {
  if (type === 'user' && id === dashboard.ownerId) return true;
  if (dashboard.shares.some((share) => share.subject === type && share.id === id)) return true;
  if (type === 'group') return false;
  const groups = dashboard.shares.filter((share) => share.subject === 'group');
  for (const group of groups) {
    const members = await context.ports.directory.listMembers(context.principal, group.id);
    if (members.some((member) => member.id === id)) return true;
  }
  return false;
}

/** The addresses of `recipients` (`[{type, recipient}]`), each one checked to be shared the dashboard. */
async function recipientEmails(
  context: SisenseContent,
  dashboard: Dashboard,
  value: unknown,
): Promise<string[]> {
  if (!Array.isArray(value) || value.length === 0)
    throw validationError('recipients', 'must list at least one user or group');
  const emails = new Set<string>();
  for (const [i, item] of value.entries()) {
    const path = `recipients[${i}]`;
    const entry = object(path, item);
    if (entry.type !== 'user' && entry.type !== 'group')
      throw validationError(`${path}.type`, 'must be "user" or "group"');
    const codec = entry.type === 'user' ? context.users : context.groups;
    const id = await codec.decode(context.organizationId, entry.recipient, `${path}.recipient`);
    if (id === undefined)
      throw validationError(`${path}.recipient`, `no ${entry.type} has the id ${String(entry.recipient)}`);
    if (!(await isShared(context, dashboard, entry.type, Number(id))))
      throw validationError(`${path}.recipient`, `the dashboard is not shared with this ${entry.type}`);
    const users =
      entry.type === 'user'
        ? [await context.ports.directory.getUser(context.principal, Number(id))]
        : await context.ports.directory.listMembers(context.principal, Number(id));
    for (const user of users) if (user.email && user.status === 'active') emails.add(user.email);
  }
  if (emails.size === 0) throw validationError('recipients', 'reach no active user with an email address');
  return [...emails];
}

/**
 * REP-01 `POST /reporting`: emails the dashboard (`assetId`) to recipients it is shared with, as
 * a send-now delivery of the core's schedules (the same render and email as a scheduled report).
 * `preferences.pdf` sends a PDF; otherwise the report is the dashboard's image.
 */
export function registerReportingRoutes(api: App, ports: DashboardPorts): void {
  api.post('/api/v1/reporting', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    const body = object('', request.body);
    const assetType = body.assetType ?? 'dashboard';
    if (assetType !== 'dashboard') throw validationError('assetType', 'only dashboards are sent as reports');
    const dashboard = await context.dashboard(body.assetId, 'assetId');
    const recipients = await recipientEmails(context, dashboard, body.recipients);
    const preferences = body.preferences === undefined ? {} : object('preferences', body.preferences);
    await ports.schedules.sendNow(context.principal, 'delivery', {
      name: dashboard.name,
      cron: SEND_ONCE_CRON,
      target: { dashboard: dashboard.uuid },
      format: isJsonObject(preferences.pdf) ? 'pdf' : 'png',
      destination: { type: 'email', recipients, subject: dashboard.name },
    });
    return reply.code(204).send();
  });
}
