import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, httpStatusOf, isRosettaError } from '../../../core/errors.ts';

/**
 * Serenytics' error envelope: `{"status": "error", "errors": [message]}`; its client reads
 * `errors[0]`. Serenytics answers 400 where Rosetta says "conflict" (creating a user that
 * exists, adding a group member twice), so that code maps to 400 here.
 */
export interface SerenyticsError {
  status: 'error';
  errors: string[];
}

export const errorOf = (message: string): SerenyticsError => ({ status: 'error', errors: [message] });

const statusOf = (code: ErrorCode): number => (code === 'ERR_CONFLICT' ? 400 : httpStatusOf[code]);

export function envelopeOf(error: unknown): { status: number; body: SerenyticsError } {
  if (isRosettaError(error)) return { status: statusOf(error.code), body: errorOf(error.message) };
  const fastifyError = error as { statusCode?: number; validation?: unknown; message?: string };
  if (fastifyError.validation)
    return { status: 400, body: errorOf(fastifyError.message ?? 'invalid request') };
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return { status, body: errorOf(fastifyError.message ?? '') };
  return { status: 500, body: errorOf('internal error') };
}

export function serenyticsErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = envelopeOf(error);
  if (status >= 500) request.log.error({ err: error }, 'serenytics request failed');
  return reply.status(status).send(body);
}
