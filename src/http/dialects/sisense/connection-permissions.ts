import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * Connections, live connectors and cube modelling, with the native routes' actions: reading,
 * testing and browsing a connection is `connection.read` (the core asks `connection.manage` to
 * try parameters not saved yet), changing one `connection.manage`; SQL tables and custom fields
 * change the model (`model.manage`; describing the SQL is also `sql.run`, checked by the core).
 * The server-tuning, R-server and ElastiCube-set routes answer that the feature is unavailable,
 * to those who could use it in Sisense (admins; data designers for sets).
 */
const v1 = '/sisense/api/v1';
const liveConnector = `${v1}/live_connectors/:provider`;
const cube = `${v1}/elasticubes/:server/:title`;
const server = `${v1}/elasticubes/servers/:server`;

export const connectionPermissions: RoutePermissions = {
  [`GET ${v1}/connection`]: 'connection.read',
  [`GET ${v1}/connection/recent`]: 'connection.read',
  [`GET ${v1}/connection/:id`]: 'connection.read',
  [`POST ${v1}/connection`]: 'connection.manage',
  [`PATCH ${v1}/connection/:id`]: 'connection.manage',
  [`DELETE ${v1}/connection/:id`]: 'connection.manage',
  [`GET ${v1}/live_connectors`]: 'connection.read',
  [`GET ${liveConnector}`]: 'connection.read',
  [`POST ${liveConnector}/test_connection`]: 'connection.read',
  [`POST ${liveConnector}/list_databases`]: 'connection.read',
  [`POST ${liveConnector}/list_table_schemas`]: 'connection.read',
  [`POST ${liveConnector}/table_schema_details`]: 'connection.read',
  [`POST ${liveConnector}/count`]: 'connection.read',
  [`POST ${liveConnector}/table_preview`]: 'connection.read',
  [`POST ${cube}/custom_tables`]: 'model.manage',
  [`POST ${cube}/sql_manual_query`]: 'model.manage',
  [`DELETE ${cube}/custom_fields/:tableName/:fieldName`]: 'model.manage',
  [`GET ${server}/settings`]: 'connection.read',
  [`POST ${server}/settings`]: 'connection.manage',
  [`GET ${server}/rserver/test`]: 'connection.manage',
  [`POST ${v1}/elasticubes/sets`]: 'model.manage',
};
