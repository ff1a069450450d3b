import { validationError } from '../../../core/errors.ts';
import { boolean, record } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { alertJson, usersByEmail } from './alert-json.ts';
import { type AlertPorts, alertByOid, alertCodecs, coreAlertBody, inSisenseFields } from './alert-shapes.ts';
import { applyListOptions, type SisenseListQuery } from './list-options.ts';

/**
 * Alerts (catalogue §2.2) on the core's data alerts; shapes in alert-shapes.ts. The list shows
 * the alerts the caller manages (their own; every alert for an admin), `count` those the caller
 * owns. `setReceiveNotification` takes `{user, receiveNotification}` (user: an oid, the caller by
 * default): a user who opts out leaves the alert's parties, and opting in adds them back, since
 * the core's alerts keep recipients, not a separate opt-out list.
 */

type IdParams = { Params: { id: string } };

export function registerAlertRoutes(api: App, ports: AlertPorts): void {
  const { schedules } = ports;

  api.get<{ Querystring: SisenseListQuery & { expand?: string } }>('/api/v1/alerts', async (request) => {
    const principal = principalOf(request);
    if (request.query.expand) throw validationError('expand', 'alerts have no expandable field');
    const people = await usersByEmail(ports, principal);
    const alerts = await schedules.list(principal, 'alert');
    const items = await Promise.all(alerts.map((alert) => alertJson(ports, alert, people)));
    return applyListOptions(items, request.query);
  });

  // Before `/alerts/:id`, which would read `count` as an id.
  api.get('/api/v1/alerts/count', async (request) => {
    const principal = principalOf(request);
    const alerts = await schedules.list(principal, 'alert');
    return { count: alerts.filter((alert) => alert.ownerId === principal.userId).length };
  });

  api.get<IdParams>('/api/v1/alerts/:id', async (request) => {
    const principal = principalOf(request);
    const alert = await alertByOid(ports, principal, request.params.id);
    return alertJson(ports, alert, await usersByEmail(ports, principal));
  });

  api.post('/api/v1/alerts', async (request, reply) => {
    const principal = principalOf(request);
    const alert = await inSisenseFields(async () =>
      schedules.create(principal, 'alert', await coreAlertBody(ports, principal, request.body)),
    );
    reply.code(201);
    return alertJson(ports, alert, await usersByEmail(ports, principal));
  });

  api.patch<IdParams>('/api/v1/alerts/:id', async (request) => {
    const principal = principalOf(request);
    const current = await alertByOid(ports, principal, request.params.id);
    const alert = await inSisenseFields(async () =>
      schedules.update(
        principal,
        'alert',
        current.id,
        await coreAlertBody(ports, principal, request.body, current),
      ),
    );
    return alertJson(ports, alert, await usersByEmail(ports, principal));
  });

  api.patch<IdParams>('/api/v1/alerts/:id/setReceiveNotification', async (request) => {
    const principal = principalOf(request);
    const current = await alertByOid(ports, principal, request.params.id);
    const body = record('', request.body ?? {}, ['user', 'receiveNotification']);
    if (body.receiveNotification === undefined) throw validationError('receiveNotification', 'is required');
    const receive = boolean('receiveNotification', body.receiveNotification);
    const userId =
      body.user === undefined
        ? principal.userId
        : await alertCodecs(ports).user.decode(principal.organizationId, body.user, 'user');
    if (userId === undefined) throw validationError('user', 'names no user');
    const { email } = await ports.directory.getUser(principal, Number(userId));
    if (current.destination.type !== 'email' || !email)
      throw validationError('user', 'this alert notifies no one by email');
    const others = current.destination.recipients.filter((r) => r.toLowerCase() !== email.toLowerCase());
    const recipients = receive ? [...others, email] : others;
    if (recipients.length === 0)
      throw validationError(
        'receiveNotification',
        'the alert would notify no one: disable or delete it instead',
      );
    const alert = await inSisenseFields(() =>
      schedules.update(principal, 'alert', current.id, {
        destination: { ...current.destination, recipients },
      }),
    );
    return alertJson(ports, alert, await usersByEmail(ports, principal));
  });

  api.delete<IdParams>('/api/v1/alerts/:id', async (request, reply) => {
    const principal = principalOf(request);
    const alert = await alertByOid(ports, principal, request.params.id);
    await schedules.delete(principal, 'alert', alert.id);
    reply.code(204);
  });
}
