import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { type Static, Type } from 'typebox';
import type { Principal } from '../core/auth/principal.ts';
import { type ErrorCode, generalReason, httpStatusOf, isRosettaError } from '../core/errors.ts';
import { fieldErrorFormatter } from './kit/validate.ts';
import { lazySerializers, lazyValidators } from './lazy-schemas.ts';
import { OneLinePerRequest, REDACTED, redactedLogPaths, requestSerializer } from './log-redaction.ts';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook of a face; absent on public routes. */
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every route of every face, as registered (the permission matrix is built from it). */
    registeredRoutes: RegisteredRoute[];
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * The body every native error answers with; dialects map the same codes and reasons to their own
 * shapes. `reason` refines `code` (`query.unknown_field`); without a finer one it is the code's
 * general reason (`not_found`), so clients can switch on it alone.
 */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'ERR_VALIDATION, ERR_NOT_FOUND, …; ERR_INTERNAL for a 500' }),
      reason: Type.String({ description: "A finer reason such as query.unknown_field, else the code's own" }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'The offending input, as a path into the request' })),
    }),
  },
  { title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBodySchema> & { error: { code: ErrorCode | 'ERR_INTERNAL' } };

const bodyOf = (code: ErrorCode | 'ERR_INTERNAL', message: string): ErrorBody => ({
  error: { code, reason: code === 'ERR_INTERNAL' ? 'internal' : generalReason(code), message },
});

export function errorBody(error: unknown): { status: number; body: ErrorBody } {
  if (isRosettaError(error)) {
    return {
      status: httpStatusOf[error.code],
      body: { error: { code: error.code, reason: error.reason, message: error.message, field: error.field } },
    };
  }
  const fastifyError = error as {
    statusCode?: number;
    validation?: unknown[];
    message?: string;
    code?: string;
  };
  if (fastifyError.validation) {
    return { status: 400, body: bodyOf('ERR_VALIDATION', fastifyError.message ?? 'invalid') };
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const code: ErrorCode = fastifyError.statusCode === 404 ? 'ERR_NOT_FOUND' : 'ERR_VALIDATION';
    return { status: fastifyError.statusCode, body: bodyOf(code, fastifyError.message ?? '') };
  }
  return { status: 500, body: bodyOf('ERR_INTERNAL', 'internal error') };
}

/** `path` on this server as the caller reached it (for links handed back in answers). */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${path}`;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route reached without the auth hook');
  return request.principal;
}

export function createServer(
  options: {
    logLevel?: string;
    bodyLimitBytes?: number;
    /** Where log lines go; default stdout (tests pass a stream they read). */
    logStream?: { write(line: string): void };
    /** Proxies whose X-Forwarded-* headers to believe: none (default), all, a hop count or addresses. */
    trustProxy?: boolean | number | string;
  } = {},
): App {
  const { trustProxy = false } = options;
  const app = Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : {
            level: options.logLevel ?? 'info',
            stream: options.logStream,
            // Tokens some URLs carry and credential headers never reach the log.
            serializers: { req: requestSerializer },
            redact: { paths: redactedLogPaths, censor: REDACTED },
          },
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimitBytes ?? 50 * 1024 * 1024,
    schemaErrorFormatter: fieldErrorFormatter,
    schemaController: {
      compilersFactory: { buildValidator: lazyValidators(), buildSerializer: lazySerializers() },
    },
    // Clients join a base URL and a path and often double the slash (`…/serenytics//api`).
    routerOptions: { ignoreDuplicateSlashes: true },
    // Which proxies' X-Forwarded-For/-Proto/-Host to believe for the client address and own URL;
    // a number trusts that many hops (Fastify does, though its types omit numbers).
    trustProxy:
      typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  acceptEmptyJsonBodies(app);
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.setErrorHandler((error, request, reply: FastifyReply) => {
    const { status, body } = errorBody(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(bodyOf('ERR_NOT_FOUND', `no route ${request.method} ${request.url}`)),
  );
  return app as unknown as App;
}

/**
 * Action routes (`…/run`, `…/cancel`, `…/restore`) take no body, and clients call them with none
 * while still sending `Content-Type: application/json`, which Fastify refuses ("Body cannot be
 * empty"). An empty body is no body; anything else goes to Fastify's own parser, so malformed
 * JSON and prototype poisoning stay a 400.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') done(null, undefined);
    else parseJson(request, text, done);
  });
}

export async function registerOpenApi(app: App, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Rosetta API', version },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: { Error: ErrorBodySchema },
      },
      security: [{ bearer: [] }],
    },
    transformObject: (document) =>
      'openapiObject' in document ? withErrorResponses(document.openapiObject) : document.swaggerObject,
  });
}

const errorResponse = {
  description: 'The error envelope, with the status its code maps to',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/** Every operation documents its 4xx/5xx answers as the one error envelope. */
function withErrorResponses<T extends { paths?: object }>(document: T): T {
  for (const item of Object.values(document.paths ?? {}) as Record<string, unknown>[])
    for (const operation of Object.values(item) as { responses?: Record<string, unknown> }[])
      if (operation?.responses) operation.responses.default ??= errorResponse;
  return document;
}
