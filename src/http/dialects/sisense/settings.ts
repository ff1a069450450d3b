import { isRosettaError, RosettaError, renameField } from '../../../core/errors.ts';
import { type JsonObject, object, record } from '../../../core/input.ts';
import type { MailServer } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';

/**
 * Email server settings (SET-03, 08, 11, 12) on the core's organization SMTP server: Sisense's
 * object in nodemailer's words, `{host, port, secure, auth: {user, pass}, from}`. Reads never
 * show the password; `source` says whether the server is the organization's own or the one the
 * server is configured with (`SMTP_URL`), which only the configuration changes: POST sets the
 * organization's own over it, DELETE removes the organization's own.
 */

type SettingsPorts = Pick<Services, 'schedules'>;

const serverJson = (server: MailServer) => ({
  host: server.host,
  port: server.port,
  secure: server.secure,
  auth: { user: server.username },
  from: server.from,
  source: server.source,
  lastUpdated: server.updatedAt,
});

/** Sisense's body as the core's (`auth.user` → `username`, `auth.pass` → `password`). */
function coreBody(body: unknown): JsonObject {
  const { auth, ...rest } = record('', body ?? {}, ['host', 'port', 'secure', 'auth', 'from']);
  if (auth === undefined || auth === null) return rest;
  const { user, pass } = record('auth', object('auth', auth), ['user', 'pass']);
  return {
    ...rest,
    ...(user !== undefined && { username: user }),
    ...(pass !== undefined && { password: pass }),
  };
}

const SISENSE_FIELDS: Record<string, string> = { username: 'auth.user', password: 'auth.pass' };

/** Core errors in Sisense's words: its field names, its 404 and 7501 texts. */
async function inSisenseWords<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isRosettaError(error)) throw error;
    if (error.field && SISENSE_FIELDS[error.field]) throw renameField(error, SISENSE_FIELDS[error.field]);
    if (error.code === 'ERR_NOT_FOUND')
      throw new RosettaError('ERR_NOT_FOUND', 'Email server does not exist');
    if (error.reason === 'feature.already_configured')
      throw new RosettaError('ERR_CONFLICT', 'Email server settings already exists', undefined, {
        reason: error.reason,
      });
    throw error;
  }
}

export function registerSettingsRoutes(api: App, ports: SettingsPorts): void {
  const { schedules } = ports;
  const path = '/api/v1/settings/email_server';

  api.get(path, async (request) =>
    serverJson(await inSisenseWords(() => schedules.mailServer(principalOf(request)))),
  );

  api.post(path, async (request, reply) => {
    const server = await inSisenseWords(() =>
      schedules.createMailServer(principalOf(request), coreBody(request.body)),
    );
    reply.code(201);
    return serverJson(server);
  });

  api.patch(path, async (request) =>
    serverJson(
      await inSisenseWords(() => schedules.updateMailServer(principalOf(request), coreBody(request.body))),
    ),
  );

  api.delete(path, async (request, reply) => {
    await inSisenseWords(() => schedules.deleteMailServer(principalOf(request)));
    reply.code(204);
  });
}
