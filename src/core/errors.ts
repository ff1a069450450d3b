/**
 * Coded errors of the core. Every face maps a code to its own envelope and status;
 * `field` names the offending input so a 4xx can say exactly what was wrong.
 */
export type ErrorCode =
  | 'ERR_VALIDATION'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_QUOTA'
  | 'ERR_LIMIT'
  | 'ERR_ENGINE'
  | 'ERR_TIMEOUT'
  | 'ERR_CANCELLED';

export const httpStatusOf: Record<ErrorCode, number> = {
  ERR_VALIDATION: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  ERR_LIMIT: 413,
  ERR_QUOTA: 429,
  ERR_ENGINE: 502,
  ERR_TIMEOUT: 504,
  ERR_CANCELLED: 409,
};

export class RosettaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RosettaError';
  }
}

export const validationError = (field: string, problem: string): RosettaError =>
  new RosettaError('ERR_VALIDATION', `${field}: ${problem}`, field);

export const notFound = (what: string, id: string | number): RosettaError =>
  new RosettaError('ERR_NOT_FOUND', `${what} ${JSON.stringify(id)} not found`);

export const forbidden = (action: string): RosettaError =>
  new RosettaError('ERR_FORBIDDEN', `not allowed to ${action}`);

export const conflict = (message: string, field?: string): RosettaError =>
  new RosettaError('ERR_CONFLICT', message, field);

export const unauthenticated = (message = 'missing or invalid credentials'): RosettaError =>
  new RosettaError('ERR_UNAUTHENTICATED', message);

export const isRosettaError = (error: unknown): error is RosettaError => error instanceof RosettaError;
