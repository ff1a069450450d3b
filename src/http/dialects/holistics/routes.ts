import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { RouteRule } from '../../kit/route-permissions.ts';
import type { App } from '../../server.ts';
import { operation, operations, requestSchemas } from './openapi.ts';

/** Where the face is mounted; its routes are `/v2/…` under it, as clients write `<base>/api/v2/…`. */
export const HOLISTICS_PREFIX = '/holistics/api';

/** The seed's rate-limit levels: 1 (120 a minute) for every request, 2 (60) for heavy ones, 3 (20) for the heaviest. */
export type RateLevel = 1 | 2 | 3;

/**
 * The level of an operation: submitting work (jobs, exports, executions, downloads) is level 3,
 * any other write level 2, reads level 1. The document names no levels; this reads its table.
 */
function levelOf(operationId: string, method: string, path: string): RateLevel {
  if (/submit_|\/exports\/download|\/generate_sql/.test(path) || /Submit/.test(operationId)) return 3;
  return method === 'GET' ? 1 : 2;
}

const keyOf = (operationId: string) => {
  const { method, url } = operation(operationId);
  return `${method} ${HOLISTICS_PREFIX}/v2${url}`;
};

/** A part of the face's permission table, written by operation id: `{Users_List: 'user.read', …}`. */
export function permissionsByOperation(rules: Record<string, RouteRule>): Record<string, RouteRule> {
  return Object.fromEntries(Object.entries(rules).map(([operationId, rule]) => [keyOf(operationId), rule]));
}

/** Every operation id the document has, for the test that each one has a route. */
export const documentedOperations = (): string[] => [...operations.keys()];

/**
 * Registers the handler of one documented operation: its method and path come from the OpenAPI
 * document, and so do the schemas its body, query string and path are validated against.
 */
export function holisticsRoute<Route extends RouteGenericInterface = RouteGenericInterface>(
  api: App,
  operationId: string,
  handler: (request: FastifyRequest<Route>, reply: FastifyReply) => Promise<unknown>,
  options: { level?: RateLevel; public?: boolean } = {},
): void {
  const op = operation(operationId);
  api.route({
    method: op.method,
    url: `/v2${op.url}`,
    schema: requestSchemas(op),
    // `public`: the document's `security: []` routes (git webhooks), which carry no key.
    config: {
      rateLevel: options.level ?? levelOf(operationId, op.method, op.path),
      ...(options.public && { public: true }),
    },
    handler: handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  });
}
