import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';
const scheduler = `${v1}/schedulers/:schedulerUuid`;

/**
 * The rows of the scheduler routes (`schedulers.ts`): every one manages schedules, as the native
 * schedule routes do (reading them and their runs too); the core shows each caller its own
 * schedules, and an admin everyone's.
 */
export const schedulerPermissions: RoutePermissions = {
  [`GET ${v1}/saved/:uuid/schedulers`]: 'schedule.manage',
  [`POST ${v1}/saved/:uuid/schedulers`]: 'schedule.manage',
  [`GET ${v1}/dashboards/:uuid/schedulers`]: 'schedule.manage',
  [`POST ${v1}/dashboards/:uuid/schedulers`]: 'schedule.manage',
  [`GET ${v1}/schedulers/:projectUuid/logs`]: 'schedule.manage',
  [`GET ${scheduler}`]: 'schedule.manage',
  [`PATCH ${scheduler}`]: 'schedule.manage',
  [`DELETE ${scheduler}`]: 'schedule.manage',
  [`PATCH ${scheduler}/enabled`]: 'schedule.manage',
  [`POST ${v1}/schedulers/send`]: 'schedule.manage',
};
