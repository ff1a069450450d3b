import { Type } from 'typebox';
import type { ScheduleService } from '../../core/schedules/index.ts';
import { type App, principalOf } from '../server.ts';
import { bodyFields, Condition, registerScheduleKindRoutes } from './schedules.ts';

const { target, filters, filterValues, variables } = bodyFields('alert');
const PreviewBody = Type.Object(
  { target, filters, filterValues, variables, conditions: Type.Array(Condition, { minItems: 1 }) },
  { additionalProperties: false },
);
const Evaluation = Type.Object({
  triggered: Type.Boolean({ description: 'whether every condition holds' }),
  rows: Type.Integer({ description: "the rows of the target's whole result" }),
  conditions: Type.Array(
    Type.Object({
      field: Type.String(),
      aggregation: Type.String(),
      operator: Type.String(),
      values: Type.Array(Type.Unknown()),
      value: Type.Unknown({ description: 'the reduction the warehouse computed; null when empty' }),
      holds: Type.Boolean(),
    }),
  ),
});

/**
 * Data alerts: CRUD `/alerts`, `/alerts/:id/{pause,resume,run,runs}` (schedules of kind `alert`),
 * and `POST /alerts/preview`: whether an alert with this target and these conditions would fire
 * now, evaluated as its runs are, for the alert dialog to say before saving.
 */
export function registerAlertRoutes(app: App, deps: { schedules: ScheduleService }): void {
  app.post(
    '/alerts/preview',
    {
      schema: {
        tags: ['alerts'],
        body: PreviewBody,
        response: { 200: Type.Object({ evaluation: Evaluation }) },
      },
    },
    async (request) => ({
      evaluation: await deps.schedules.previewConditions(principalOf(request), request.body),
    }),
  );
  registerScheduleKindRoutes(app, deps.schedules, 'alert');
}
