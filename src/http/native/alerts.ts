import type { ScheduleService } from '../../core/schedules/index.ts';
import type { App } from '../server.ts';
import { registerScheduleKindRoutes } from './schedules.ts';

/** Data alerts: CRUD `/alerts`, `/alerts/:id/{pause,resume,run,runs}`; schedules of kind `alert`. */
export function registerAlertRoutes(app: App, deps: { schedules: ScheduleService }): void {
  registerScheduleKindRoutes(app, deps.schedules, 'alert');
}
