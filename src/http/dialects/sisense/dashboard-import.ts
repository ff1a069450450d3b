import type { Dashboard } from '../../../core/content/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import { isJsonObject, type JsonObject, object } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, SisenseContent, settingsOf } from './dashboard-context.ts';
import { dashboardJson, parseSisenseDashboard } from './dashboard-shapes.ts';
import { saveSettings } from './dashboards.ts';
import { type QueryParams, queryFlag, queryText } from './query-params.ts';

const actions = ['skip', 'overwrite', 'duplicate'] as const;
type ImportAction = (typeof actions)[number];
const MAX_IMPORTED = 100;

interface ImportOptions {
  action: ImportAction;
  /** `importFolder`: where every imported dashboard goes (else its own `parentFolder`, if it names one here). */
  folderOid?: string;
  republish: boolean;
}

function importOptions(query: QueryParams, fallback: ImportAction): ImportOptions {
  const action = queryText(query, 'action') ?? fallback;
  if (!actions.includes(action as ImportAction))
    throw validationError('action', `must be one of ${actions.join(', ')}`);
  return {
    action: action as ImportAction,
    folderOid: queryText(query, 'importFolder'),
    republish: queryFlag(query, 'republish') ?? false,
  };
}

/** The dashboard of this server the document's `oid` names, if the caller sees it. */
async function existingOf(context: SisenseContent, document: JsonObject): Promise<Dashboard | undefined> {
  const oid = document.oid ?? document._id;
  if (typeof oid !== 'string' || !/^[0-9a-f]{24}$/i.test(oid)) return undefined;
  try {
    return await context.dashboard(oid, 'oid');
  } catch (error) {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND') return undefined;
    throw error;
  }
}

/** A document's folder here: `importFolder`, else its `parentFolder` when that names a folder of this server. */
async function folderOf(context: SisenseContent, document: JsonObject, options: ImportOptions) {
  if (options.folderOid !== undefined) return context.folderId(options.folderOid, 'importFolder');
  if (typeof document.parentFolder !== 'string') return null;
  try {
    const id = await context.folderId(document.parentFolder, 'parentFolder');
    await context.ports.content.folders.get(context.principal, id);
    return id;
  } catch (error) {
    if (isRosettaError(error) && (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_VALIDATION'))
      return null;
    throw error;
  }
}

/**
 * Imports one .dash document: a new dashboard, or (`overwrite`) new content for the dashboard of
 * this server its `oid` names, remembering the version it replaced for undo_Import. The
 * importer owns what is created; the document's shares and owner are another server's.
 */
async function importOne(
  context: SisenseContent,
  document: JsonObject,
  options: ImportOptions,
): Promise<{ outcome: 'created' | 'overwritten' | 'skipped'; dashboard: Dashboard }> {
  const { dashboards } = context.ports.content;
  const existing = await existingOf(context, document);
  if (existing && options.action === 'skip') return { outcome: 'skipped', dashboard: existing };
  const folderId = await folderOf(context, document, options);
  const body = { ...document, parentFolder: undefined };
  let dashboard: Dashboard;
  let outcome: 'created' | 'overwritten';
  if (existing && options.action === 'overwrite') {
    const patch = await parseSisenseDashboard(context, body, existing);
    const settings = {
      ...settingsOf({ faceSettings: patch.faceSettings }),
      importedOverVersion: existing.version,
    };
    dashboard = await dashboards.update(context.principal, existing.id, {
      ...patch,
      widgets: patch.widgets ?? [],
      folderId,
      faceSettings: { sisense: settings as JsonObject },
    });
    outcome = 'overwritten';
  } else {
    const input = await parseSisenseDashboard(context, body);
    dashboard = await dashboards.create(context.principal, {
      ...input,
      name: input.name as string,
      folderId,
      personal: folderId === null,
    });
    outcome = 'created';
  }
  if (options.republish)
    dashboard = await saveSettings(context, dashboard, {
      ...settingsOf(dashboard),
      publishedVersion: dashboard.version + 1,
    });
  return { outcome, dashboard };
}

/** Import (DSH-07) and, on the route chosen for the lost DSH-F4, a .dash file of several dashboards. */
export function registerDashboardImportRoutes(api: App, ports: DashboardPorts): void {
  api.post<{ Querystring: QueryParams }>('/api/v1/dashboards/import', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    const options = importOptions(request.query, 'overwrite');
    const { dashboard } = await importOne(context, object('', request.body), options);
    return reply.code(201).send(await dashboardJson(context, dashboard, true));
  });

  api.post<{ Querystring: QueryParams }>('/api/v1/dashboards/import/bulk', async (request) => {
    const context = new SisenseContent(ports, principalOf(request));
    const options = importOptions(request.query, 'skip');
    const body = request.body;
    const documents = Array.isArray(body)
      ? body
      : isJsonObject(body) && Array.isArray(body.dashboards)
        ? body.dashboards
        : undefined;
    if (!documents) throw validationError('dashboards', 'must be an array of dashboards (a .dash file)');
    if (documents.length > MAX_IMPORTED)
      throw validationError('dashboards', `holds more than ${MAX_IMPORTED} dashboards`);
    // Each document on its own, as Sisense reports them: one that fails does not stop the others.
    const answer = { succeded: [] as unknown[], skipped: [] as unknown[], failed: [] as unknown[] };
    for (const [i, document] of documents.entries()) {
      try {
        const { outcome, dashboard } = await importOne(
          context,
          object(`dashboards[${i}]`, document),
          options,
        );
        (outcome === 'skipped' ? answer.skipped : answer.succeded).push(
          await dashboardJson(context, dashboard, false),
        );
      } catch (error) {
        if (!isRosettaError(error)) throw error;
        const title = isJsonObject(document) ? document.title : undefined;
        answer.failed.push({
          title,
          error: { code: error.code, message: error.message, field: error.field },
        });
      }
    }
    return answer;
  });
}
