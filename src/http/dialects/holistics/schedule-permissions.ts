import { permissionsByOperation } from './routes.ts';

/**
 * Rows of data schedules and data alerts (the native schedule and alert routes' action) and of
 * the integrations Rosetta lacks (the action the same change would take in Rosetta: publishing
 * or validating models is a model change; AI answers read models). Git webhooks are called by
 * the git provider without a key (`security: []` in the document).
 */
export const schedulePermissions = permissionsByOperation({
  DataSchedules_List: 'schedule.manage',
  DataSchedules_Create: 'schedule.manage',
  DataSchedules_Get: 'schedule.manage',
  DataSchedules_Update: 'schedule.manage',
  DataSchedules_Delete: 'schedule.manage',
  DataSchedules_SubmitExecuteTest: 'schedule.manage',
  DataSchedules_SubmitExecute: 'schedule.manage',
  DataAlerts_List: 'schedule.manage',
  DataAlerts_Create: 'schedule.manage',
  DataAlerts_Get: 'schedule.manage',
  DataAlerts_Update: 'schedule.manage',
  DataAlerts_Delete: 'schedule.manage',
  DataAlerts_SubmitExecuteTest: 'schedule.manage',
  DataAlerts_SubmitExecute: 'schedule.manage',
  AmlStudioProjects_SubmitDeploy: 'model.manage',
  AmlStudioProjects_SubmitValidate: 'model.manage',
  Ai_Skills: 'model.read',
  GitWebhooks_GithubEvent: 'public',
  GitWebhooks_GitlabEvent: 'public',
  GitWebhooks_GithubAppEvent: 'public',
});
