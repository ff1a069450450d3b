import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Principal } from '../core/auth/principal.ts';
import { fieldErrorFormatter } from './kit/validate.ts';
import { lazySerializers, lazyValidators } from './lazy-schemas.ts';
import { OneLinePerRequest, REDACTED, redactedLogPaths, requestSerializer } from './log-redaction.ts';
import { ErrorBodySchema, nativeErrors } from './native/envelope.ts';
import { requestIdOf } from './request-ids.ts';

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
    requestIdHeader: false,
    genReqId: requestIdOf,
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

  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  // Outside every face's scope (the web app, unknown paths) errors speak Rosetta's own envelope.
  app.setErrorHandler(nativeErrors.handler);
  app.setNotFoundHandler(nativeErrors.notFound);
  return app as unknown as App;
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
