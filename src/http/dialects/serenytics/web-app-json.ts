import type { Dashboard, DashboardPatchInput, DashboardVariable } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';

/**
 * Dashboards as Serenytics web apps. The client edits `jsonContent.cssContent`,
 * `jsonContent.headerMode` and `jsonContent.htmlHeader`; dashboard variables are a flat
 * name → value object. Widgets are shown in Rosetta's own shape and are not written back
 * through this face (Serenytics' widget model is undocumented).
 */
export function webAppJson(dashboard: Dashboard) {
  return {
    uuid: dashboard.uuid,
    name: dashboard.name,
    description: dashboard.description,
    folder_uuid: dashboard.folderUuid,
    version: dashboard.version,
    created_at: dashboard.createdAt,
    updated_at: dashboard.updatedAt,
    jsonContent: {
      cssContent: dashboard.customCss ?? '',
      headerMode: dashboard.headerHtml ? 'custom' : 'default',
      htmlHeader: dashboard.headerHtml ?? '',
      dashboard_variables: variablesJson(dashboard.variables),
      widgets: dashboard.widgets,
      filters: dashboard.filters,
      layout: dashboard.layout,
    },
  };
}

const variablesJson = (variables: DashboardVariable[]) =>
  Object.fromEntries(variables.map((variable) => [variable.name, variable.default]));

/** The fields of a whole or partial web app this face writes; anything else is left as it is. */
export function webAppPatch(body: Record<string, unknown>): DashboardPatchInput {
  const patch: DashboardPatchInput = {};
  if (body.name !== undefined) patch.name = body.name as string;
  if (body.description !== undefined) patch.description = body.description as string | null;
  if (body.folder_uuid !== undefined) patch.folderId = body.folder_uuid as string | null;
  const content = body.jsonContent as Record<string, unknown> | undefined;
  if (content !== undefined && (content === null || typeof content !== 'object'))
    throw validationError('jsonContent', 'must be an object');
  if (content?.cssContent !== undefined) patch.customCss = (content.cssContent as string) || null;
  const html = content?.htmlHeader;
  if (html !== undefined || content?.headerMode !== undefined) {
    patch.headerHtml =
      content?.headerMode === 'default' || content?.headerMode === 'none' ? null : (html as string) || null;
  }
  return patch;
}

/** Merges new variables into the current ones: values are updated or added, never removed. */
export function mergedVariables(current: DashboardVariable[], incoming: unknown): DashboardVariable[] {
  if (incoming === null || typeof incoming !== 'object' || Array.isArray(incoming))
    throw validationError('dashboard_variables', 'must be an object');
  const merged = new Map(current.map((variable) => [variable.name, variable]));
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      throw validationError(`dashboard_variables.${name}`, 'must be a string, number, boolean or null');
    const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
    merged.set(name, {
      name,
      type: merged.get(name)?.type ?? type,
      default: value as DashboardVariable['default'],
    });
  }
  return [...merged.values()];
}
