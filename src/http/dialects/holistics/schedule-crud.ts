import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Schedule, ScheduleKind } from '../../../core/schedules/index.ts';
import { type App, principalOf } from '../../server.ts';
import { asRequest, type DeliveryPorts, scheduleById } from './delivery-shapes.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Data alerts and data schedules are the same core schedules seen through two kinds (`alert`,
 * `delivery`), so their create, get, update, delete and execute routes are one set of handlers;
 * only the shapes differ. Their list routes filter and page differently, and stay in each file.
 */
export interface ScheduleCrud<Input, Json> {
  /** The operations' prefix in the OpenAPI document: `DataAlerts` registers `DataAlerts_Create`, … */
  operationPrefix: string;
  /** The request and answer key (`data_alert`); also the root of validation errors' field names. */
  key: string;
  /** The core schedules these routes manage. */
  kind: ScheduleKind;
  /** What a deleted one is called in the delete answer's message: `Data alert`. */
  label: string;
  /** The core body of a request's input; `root` prefixes the fields it names in validation errors. */
  coreBody: (principal: Principal, input: Input, root: string) => Promise<object>;
  /** The answer shape of a core schedule; null when this face has no shape for it. */
  json: (principal: Principal, schedule: Schedule) => Promise<Json | null>;
  /** Why a schedule with no shape (one made through another face) is refused: a validation error on `id`. */
  unshowable: string;
}

export function registerScheduleCrud<Input, Json>(
  api: App,
  ports: DeliveryPorts,
  crud: ScheduleCrud<Input, Json>,
): void {
  const { schedules } = ports;
  const { operationPrefix, key, kind, label, coreBody, json, unshowable } = crud;
  const shown = async (principal: Principal, schedule: Schedule): Promise<Json> => {
    const shape = await json(principal, schedule);
    if (shape === null) throw validationError('id', unshowable);
    return shape;
  };
  // A test execution sends an unsaved body, under its own key, and errors name fields under it.
  const testKey = `test_${key}`;

  holisticsRoute<{ Body: Record<string, Input> }>(
    api,
    `${operationPrefix}_Create`,
    async (request, reply) => {
      const principal = principalOf(request);
      const body = await coreBody(principal, request.body[key], key);
      const created = await asRequest(key, () => schedules.create(principal, kind, body));
      reply.status(201);
      return { [key]: await shown(principal, created) };
    },
  );

  holisticsRoute<{ Params: { id: number } }>(api, `${operationPrefix}_Get`, async (request) => {
    const principal = principalOf(request);
    const schedule = await scheduleById(ports, principal, kind, request.params.id);
    return { [key]: await shown(principal, schedule) };
  });

  holisticsRoute<{ Params: { id: number }; Body: Record<string, Input> }>(
    api,
    `${operationPrefix}_Update`,
    async (request) => {
      const principal = principalOf(request);
      const current = await scheduleById(ports, principal, kind, request.params.id);
      const body = await coreBody(principal, request.body[key], key);
      const updated = await asRequest(key, () => schedules.update(principal, kind, current.id, body));
      return { [key]: await shown(principal, updated) };
    },
  );

  holisticsRoute<{ Params: { id: number } }>(api, `${operationPrefix}_Delete`, async (request) => {
    const principal = principalOf(request);
    const current = await scheduleById(ports, principal, kind, request.params.id);
    await schedules.delete(principal, kind, current.id);
    return { message: `${label} ${current.id} was deleted` };
  });

  holisticsRoute<{ Body: Record<string, Input> }>(
    api,
    `${operationPrefix}_SubmitExecuteTest`,
    async (request) => {
      const principal = principalOf(request);
      const body = await coreBody(principal, request.body[testKey], testKey);
      return asyncResult(await asRequest(testKey, () => schedules.sendNow(principal, kind, body)));
    },
  );

  holisticsRoute<{ Params: { id: number } }>(api, `${operationPrefix}_SubmitExecute`, async (request) => {
    const principal = principalOf(request);
    const current = await scheduleById(ports, principal, kind, request.params.id);
    return asyncResult(await schedules.runNow(principal, kind, current.id));
  });
}
