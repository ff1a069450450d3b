import type { Principal } from '../../../core/auth/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { DBT_MANIFESTS_FORMAT, planFromManifests } from '../../../formats/dbt/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

/**
 * `upload_multiple_dbt_manifests`: dbt `manifest.json` files (at most 5, 200 MB each) sent as
 * multipart form data, deployed together as a job into the caller's project on the data source
 * named (the embedded warehouse when none is), as the native dbt deploy does. The files are
 * checked for count and size in the request; a file that is not a manifest fails the job.
 */

export type DbtManifestPorts = Pick<Services, 'data' | 'modelDeploys'>;

const MAX_FILES = 5;
const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** The whole form: every file at its largest, and room for the parts' headers. */
const MAX_BODY_BYTES = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024;

async function formOf(body: unknown, contentType: string | undefined): Promise<FormData> {
  if (!Buffer.isBuffer(body) || contentType === undefined)
    throw validationError('files', 'send the manifests as multipart/form-data');
  try {
    // A Buffer is a Uint8Array, which Node's Response reads without a copy; the DOM types want an ArrayBuffer under it.
    const bytes = body as unknown as BodyInit;
    return await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw validationError('files', 'the body is not well-formed multipart/form-data');
  }
}

/** The uploaded files, as Rails clients name them (`files[]`) or not (`files`). */
function filesOf(form: FormData): File[] {
  const entries = [...form.getAll('files'), ...form.getAll('files[]')];
  if (entries.length === 0) throw validationError('files', 'send at least one manifest.json');
  if (entries.length > MAX_FILES) throw validationError('files', `at most ${MAX_FILES} files per request`);
  return entries.map((entry, index) => {
    if (typeof entry === 'string') throw validationError(`files[${index}]`, 'must be a file');
    if (entry.size > MAX_FILE_BYTES) throw validationError(`files[${index}]`, 'is larger than 200 MB');
    return entry;
  });
}

async function connectionNamed(
  ports: DbtManifestPorts,
  principal: Principal,
  name: FormDataEntryValue | null,
) {
  if (name !== null && typeof name !== 'string') throw validationError('data_source_name', 'must be text');
  const connections = await ports.data.connections.list(principal);
  const found = connections.find((connection) =>
    name === null ? connection.builtin : connection.name === name,
  );
  if (!found) throw notFound('data source', name ?? 'default');
  return found;
}

export function registerDbtManifestRoutes(api: App, ports: DbtManifestPorts): void {
  // Its own scope: no other route of the face takes form data.
  api.register(async (scope) => {
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
      (_request, body, done) => done(null, body),
    );
    holisticsRoute(scope as unknown as App, 'DataSources_UploadMultipleDbtManifests', async (request) => {
      const principal = principalOf(request);
      const form = await formOf(request.body, request.headers['content-type']);
      const files = filesOf(form);
      const connection = await connectionNamed(ports, principal, form.get('data_source_name'));
      const manifests = await Promise.all(
        files.map(async (file) => ({ name: file.name, text: await file.text() })),
      );
      const job = await ports.modelDeploys.enqueue(
        principal,
        DBT_MANIFESTS_FORMAT,
        planFromManifests(manifests),
        {
          projectId: principal.projectId,
          connectionId: connection.id,
        },
      );
      return asyncResult(job);
    });
  });
}
