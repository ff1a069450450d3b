import { permissionsByOperation } from './routes.ts';

/**
 * Rows of dashboards, widgets, query reports, exports, shareable links and tags, with the native
 * routes' actions: reading a dashboard is `dashboard.view`, running its widgets `dashboard.run`,
 * changing it (tags, widgets, clones) `dashboard.edit`, exporting `dashboard.export`, downloading
 * a job's file `job.own`, shareable links (embeds) `embed.create`. Shortening an embed token is
 * public, as the document says: the token is the credential.
 */
export const dashboardPermissions = permissionsByOperation({
  Dashboards_List: 'dashboard.view',
  Dashboards_Get: 'dashboard.view',
  Dashboards_Delete: 'dashboard.edit',
  Dashboards_BuildUrl: 'dashboard.view',
  Dashboards_SubmitPreload: 'dashboard.run',
  Dashboards_ListMetadata: 'dashboard.view',
  Dashboards_CloneCanvasDashboard: 'dashboard.edit',
  DashboardWidgets_Get: 'dashboard.view',
  DashboardWidgets_Delete: 'dashboard.edit',
  DashboardWidgets_SubmitExport: 'dashboard.export',
  QueryReports_Get: 'dashboard.view',
  Exports_Download: 'job.own',
  ShareableLinks_List: 'embed.create',
  ShareableLinks_Create: 'embed.create',
  ShareableLinks_Get: 'embed.create',
  ShareableLinks_Update: 'embed.create',
  ShareableLinks_Delete: 'embed.create',
  Embed_ShortenToken: 'public',
  TaggingSystem_List: 'dashboard.view',
  TaggingSystem_SubmitAddObjectTags: 'dashboard.edit',
  TaggingSystem_SubmitRemoveObjectTags: 'dashboard.edit',
  TaggingSystem_RecommendArchivableObjects: 'dashboard.view',
});
