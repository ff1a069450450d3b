import type { FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import {
  type ErrorCode,
  type ErrorReason,
  httpStatusOf,
  isRosettaError,
  RosettaError,
  renameField,
} from '../../core/errors.ts';
import { fieldErrorFormatter } from './validate.ts';

/** How a face answers one code or reason: the HTTP status, and the vendor's own name or code for it. */
export interface ErrorMapping {
  status: number;
  name?: string;
  code?: string | number;
}

/** What a 5xx that is not a coded error says: nothing of its own message. */
export type InternalCode = 'ERR_INTERNAL';

/**
 * A face's departures from the core's statuses, by code or by reason (a reason's entry wins over
 * its code's). Codes without an entry answer with their own status (`httpStatusOf`).
 */
export type ErrorTable = Partial<Record<ErrorCode | ErrorReason | InternalCode, ErrorMapping>>;

/** The error a face renders: a coded core error, or the internal error standing for anything else. */
export interface FaceError {
  code: ErrorCode | InternalCode;
  reason: ErrorReason | 'internal';
  message: string;
  /** What is wrong with `field`, without its name. */
  problem: string;
  field?: string;
  details?: Record<string, unknown>;
}

/** Builds the vendor's body for an error and the mapping its code or reason found. */
export type ErrorRenderer<Body> = (error: FaceError, mapping: ErrorMapping) => Body;

export interface FaceErrors<Body = unknown> {
  /** The status and vendor body of any thrown value. */
  envelopeOf(error: unknown): { status: number; body: Body };
  /** A Fastify error handler answering in the envelope; a 5xx is logged with its cause. */
  handler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** A Fastify not-found handler: ERR_NOT_FOUND naming the method and path, in the envelope. */
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

const internalError: FaceError = {
  code: 'ERR_INTERNAL',
  reason: 'internal',
  message: 'internal error',
  problem: 'internal error',
};

/** The code a 4xx of Fastify's own (unparsable body, body too large, bad media type) stands for. */
const codeOfStatus: Record<number, ErrorCode> = {
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  409: 'ERR_CONFLICT',
  413: 'ERR_LIMIT',
  429: 'ERR_QUOTA',
};

/**
 * Any thrown value as a coded error, or undefined for a 5xx that is not one. Schema errors name
 * their field as the core does; Fastify's other 4xx keep their status (413, 415) and message.
 */
function codedError(error: unknown): { error: RosettaError; status?: number } | undefined {
  if (isRosettaError(error)) return { error };
  const thrown = error as {
    statusCode?: number;
    message?: string;
    validation?: FastifySchemaValidationError[];
    validationContext?: string;
  };
  if (thrown?.validation)
    return { error: fieldErrorFormatter(thrown.validation, thrown.validationContext ?? 'body') };
  const status = thrown?.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  return {
    error: new RosettaError(codeOfStatus[status] ?? 'ERR_VALIDATION', thrown.message || 'invalid request'),
    status,
  };
}

/**
 * A face's error mapping: `table` says which status (and vendor name or code) each code or reason
 * takes, `render` writes the vendor's body. Fastify's schema errors are validation errors naming
 * the field; anything else that is not a 4xx is a 500 whose body says only "internal error".
 */
export function errorMapper<Body>(table: ErrorTable, render: ErrorRenderer<Body>): FaceErrors<Body> {
  const envelopeOf = (thrown: unknown) => {
    const coded = codedError(thrown);
    const error: FaceError = coded?.error ?? internalError;
    const mapping = table[error.reason as keyof ErrorTable] ??
      table[error.code] ?? { status: error.code === 'ERR_INTERNAL' ? 500 : httpStatusOf[error.code] };
    const status = coded?.status ?? mapping.status;
    return { status, body: render(error, { ...mapping, status }) };
  };
  return {
    envelopeOf,
    handler(error, request, reply) {
      const { status, body } = envelopeOf(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send(body);
    },
    notFound(request, reply) {
      const { status, body } = envelopeOf(
        new RosettaError('ERR_NOT_FOUND', `no route ${request.method} ${request.url}`),
      );
      return reply.status(status).send(body);
    },
  };
}

/**
 * The same error with its field as the face names it: `rename` maps a core path
 * (`widgets[2].visualization.type`) to the vendor's (`jsonContent.widgets[2].type`); anything
 * that is not a coded error about a field passes through unchanged.
 */
export function renameFields(error: unknown, rename: (path: string) => string): unknown {
  if (!isRosettaError(error) || !error.field) return error;
  const field = rename(error.field);
  return field === error.field ? error : renameField(error, field);
}
