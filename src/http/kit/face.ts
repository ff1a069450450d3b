import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import type { App } from '../server.ts';
import { type CredentialReader, credentialHook } from './credentials.ts';
import type { FaceErrors } from './errors.ts';
import { faceRequestLimits, type RequestLimits } from './request-limits.ts';
import { type RoutePermissions, routeAuthorization } from './route-permissions.ts';
import { rawBodyScope, type UploadOptions } from './uploads.ts';

/** The request bodies a vendor's clients send beyond plain JSON. */
export interface BodyParsers {
  /** `Content-Type: application/json` with an empty or blank body is no body (clients send it on plain POSTs). */
  emptyJson?: boolean;
  /** Bodies sent with `Content-Encoding: gzip` are decompressed; the body limit counts the decompressed bytes. */
  gzip?: boolean;
  /** `application/x-www-form-urlencoded` bodies parse to an object of strings (a repeated key to a list). */
  formUrlEncoded?: boolean;
}

export interface FaceOptions {
  /** Names the face in logs. */
  name: string;
  /** Where its routes are mounted (`/serenytics/api`). */
  prefix: string;
  credentials: CredentialReader;
  /** The message of the 401 a request without any credential gets. */
  missingCredential: string;
  errors: FaceErrors;
  /** The action of each route (see route-permissions.ts); without it, only the services authorize. */
  permissions?: RoutePermissions;
  parsers?: BodyParsers;
}

export interface FaceRegistration {
  /** The core services that turn credentials into principals. */
  auth: Parameters<typeof credentialHook>[0];
  /** Calls per minute each caller may make to each route (none when absent). */
  requestLimits?: RequestLimits;
  routes(api: App): void | Promise<void>;
  /**
   * Routes whose body is an upload streamed to a file (`uploadOf(request.body)`), whatever
   * content type the client names.
   */
  uploads?: { receive: UploadOptions; routes(api: App): void | Promise<void> };
}

/** One scope of a vendor face: a prefix with its credentials, envelope and body quirks. */
export interface Face {
  readonly name: string;
  readonly prefix: string;
  /** Mounts the scope with its routes on `app`, in one call. */
  register(app: App, registration: FaceRegistration): Promise<void>;
}

/**
 * A face scope. A vendor with several APIs (Serenytics' REST API and data API, each with its own
 * credentials) defines one per prefix from shared options: `defineFace({ ...common, prefix, credentials })`.
 */
export function defineFace(options: FaceOptions): Face {
  const { name, prefix } = options;
  return {
    name,
    prefix,
    async register(app, { auth, requestLimits, routes, uploads }) {
      await app.register(
        async (scope) => {
          const api = scope as unknown as App;
          speakFace(api, options);
          api.addHook('onRequest', credentialHook(auth, options.credentials, options.missingCredential));
          if (options.permissions) api.addHook('onRequest', routeAuthorization(options.permissions));
          if (requestLimits) await faceRequestLimits(api, requestLimits);
          await routes(api);
          if (uploads)
            await api.register(async (raw) => {
              rawBodyScope(raw as unknown as App, uploads.receive);
              await uploads.routes(raw as unknown as App);
            });
        },
        { prefix },
      );
    },
  };
}

/** The face's envelope on every error and unknown route of its scope, and the bodies it parses. */
function speakFace(api: App, { errors, parsers = {} }: FaceOptions): void {
  api.setErrorHandler(errors.handler);
  api.setNotFoundHandler(errors.notFound);
  // The web app's `GET /*` would otherwise take unknown GETs under the face and answer its 404 in
  // the native envelope: this catch-all keeps them in the face's scope, hence its envelope.
  api.get('/*', { schema: { hide: true }, config: { public: true } }, (_request, reply) =>
    reply.callNotFound(),
  );
  if (parsers.emptyJson) acceptBlankJson(api);
  if (parsers.gzip)
    api.addHook('preParsing', async (request, _reply, payload) => gunzipped(request, payload));
  if (parsers.formUrlEncoded)
    api.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, text, done) => done(null, formFields(String(text))),
    );
}

/** A blank body is no body; anything else goes to Fastify's own parser (malformed JSON and prototype poisoning stay a 400). */
function acceptBlankJson(api: App): void {
  const parseJson = api.getDefaultJsonParser('error', 'error');
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    const body = String(text);
    if (body.trim() === '') done(null, undefined);
    else parseJson(request, body, done);
  });
}

/** The body as sent for `Content-Encoding: gzip`, decompressed; other encodings are refused. */
function gunzipped(request: FastifyRequest, payload: Readable): Readable {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return payload;
  if (encoding !== 'gzip' && encoding !== 'x-gzip')
    throw Object.assign(new Error(`Content-Encoding: ${encoding} is not supported, send gzip or identity`), {
      statusCode: 415,
    });
  const body = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
  // Fastify compares the bytes received, not the decompressed ones, with Content-Length.
  payload.on('data', (chunk: Buffer) => {
    body.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (error) => body.destroy(error));
  body.on('error', (error: Error & { statusCode?: number }) => {
    error.statusCode ??= 400;
    error.message = `Content-Encoding: the body is not valid gzip (${error.message})`;
  });
  return payload.pipe(body);
}

/** `a=1&b=x&b=y` → `{a: '1', b: ['x', 'y']}`. */
function formFields(text: string): Record<string, string | string[]> {
  const fields = new Map<string, string | string[]>();
  for (const [key, value] of new URLSearchParams(text)) {
    const earlier = fields.get(key);
    fields.set(key, earlier === undefined ? value : [earlier, value].flat());
  }
  return Object.fromEntries(fields);
}
