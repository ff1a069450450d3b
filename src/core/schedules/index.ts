/** Schedules: cron deliveries of dashboards and widgets (email, webhook, Slack) and data alerts. */
export { evaluateConditions } from './conditions.ts';
export { checkCron, checkTimezone, nextFireTime } from './cron.ts';
export { fillVariables } from './delivery.ts';
export type { EmailInput } from './email.ts';
export { DEFAULT_DAILY_QUOTA, type MailOptions } from './mail.ts';
export type { MailServer } from './mail-transports.ts';
export { scheduleMigrations } from './migrations.ts';
export { moveDashboardSchedules } from './repo.ts';
export { createScheduleService, type ScheduleService, type ScheduleServiceOptions } from './service.ts';
export type { ScheduleTables } from './tables.ts';
export * from './types.ts';
export { DELIVERY_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './webhooks.ts';
