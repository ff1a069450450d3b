import type { Principal } from '../../../core/auth/index.ts';
import type { Schedule } from '../../../core/schedules/index.ts';
import { type AlertPorts, alertCodecs, entity } from './alert-shapes.ts';

/** Core alerts as Sisense answers them (the shape is described in alert-shapes.ts). */

/** The parties of an email destination: users by their oid, other addresses as they are. */
async function partiesOf(ports: AlertPorts, alert: Schedule, userByEmail: Map<string, number>) {
  if (alert.destination.type !== 'email') return [];
  const codec = alertCodecs(ports).user;
  return Promise.all(
    alert.destination.recipients.map(async (email) => {
      const userId = userByEmail.get(email.toLowerCase());
      return userId === undefined
        ? { type: 'email', party: email }
        : { type: 'user', party: await codec.encode(entity(alert.organizationId, userId)) };
    }),
  );
}

/** The users of the organization by email, which parties are read back with. */
export async function usersByEmail(ports: AlertPorts, principal: Principal): Promise<Map<string, number>> {
  const users = await ports.directory.listUsers(principal);
  return new Map(users.filter((u) => u.email).map((u) => [(u.email as string).toLowerCase(), u.id]));
}

/** A core alert as Sisense answers an alert. */
export async function alertJson(ports: AlertPorts, alert: Schedule, userByEmail: Map<string, number>) {
  const codecs = alertCodecs(ports);
  const { organizationId, target, destination } = alert;
  const oid = await codecs.alert.encode(alert);
  const context: Record<string, string> = {};
  if ('widget' in target) {
    const dashboard = entity(organizationId, target.widget.dashboard);
    const itemIds = await ports.content.itemIds.idsOf(dashboard, 'widget', [target.widget.widget]);
    context.dashboardid = await codecs.dashboard.encode(dashboard);
    context.widgetid = await codecs.widget.encode(
      entity(organizationId, itemIds.get(target.widget.widget) as number),
    );
  } else if ('dashboard' in target)
    context.dashboardid = await codecs.dashboard.encode(entity(organizationId, target.dashboard));
  return {
    _id: oid,
    oid,
    name: alert.name,
    type: 'kpi',
    enabled: !alert.paused,
    owner: await codecs.user.encode(entity(organizationId, alert.ownerId)),
    message: destination.type === 'email' ? destination.message : null,
    action:
      destination.type === 'webhook' ? { type: 'webhook', url: destination.url } : { type: destination.type },
    parties: await partiesOf(ports, alert, userByEmail),
    context,
    conditions: alert.conditions.map(({ field, aggregation, operator, values }) => ({
      field,
      aggregation,
      operator,
      ...(values.length === 1 && operator !== 'in' && operator !== 'not in'
        ? { value: values[0] }
        : { values }),
    })),
    cron: alert.cron,
    timezone: alert.timezone,
    lastExecution: alert.lastRunAt,
    lastStatus: alert.lastStatus,
    nextExecution: alert.nextRunAt,
    created: alert.createdAt,
    lastUpdated: alert.updatedAt,
  };
}
