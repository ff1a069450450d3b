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

/**
 * A reason refines a code where vendors' APIs tell more cases apart (Lightdash's
 * `FieldReferenceError`, Sisense's 57003 "invalid JAQL"), so a face maps reasons through a table
 * instead of reading messages. Named `module.case`; an error thrown without one carries its code's
 * general reason (`ERR_NOT_FOUND` → `not_found`), so every error has exactly one.
 */
export type ErrorReason =
  | GeneralReason
  /** A query names a field its data source or model does not have. */
  | 'query.unknown_field'
  /** A query uses a feature the SQL dialect of its connection cannot run. */
  | 'query.unsupported_on_engine'
  /** A filter uses an operator that does not apply to its field's type. */
  | 'query.unsupported_operator'
  /** An update was based on a version of the object someone else changed meanwhile. */
  | 'content.version_conflict'
  /** The request needs an integration (a third-party service) this server is not set up with. */
  | 'feature.not_configured'
  /** Another object of the same kind already has this name. */
  | 'data.name_taken'
  /** The request would set up something that is set up already (an organization's email server). */
  | 'feature.already_configured'
  /** A single-use link (invitation, password reset) is past its expiry. */
  | 'auth.link_expired'
  /** A member rule for everyone else is malformed or repeated (member-rules.ts). */
  | 'data.rule_default_invalid'
  /** A user or group is named by two member rules of one field. */
  | 'data.rule_party_repeated'
  /** A member rule names a user or group that does not exist. */
  | 'data.rule_party_unknown'
  /** A model or source names a connection that does not exist. */
  | 'data.connection_unknown'
  /** An access list names a user that does not exist. */
  | 'directory.unknown_user'
  /** An access list names a group that does not exist. */
  | 'directory.unknown_group';

type GeneralReason = ErrorCode extends `ERR_${infer Rest}` ? Lowercase<Rest> : never;

export const generalReason = (code: ErrorCode) => code.slice('ERR_'.length).toLowerCase() as GeneralReason;

export interface ErrorParts {
  reason?: ErrorReason;
  /** What is wrong with `field`, without its name; defaults to the whole message. */
  problem?: string;
  details?: Record<string, unknown>;
}

export class RosettaError extends Error {
  readonly reason: ErrorReason;
  readonly problem: string;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    parts: ErrorParts = {},
  ) {
    super(message);
    this.name = 'RosettaError';
    this.reason = parts.reason ?? generalReason(code);
    this.problem = parts.problem ?? message;
    this.details = parts.details;
  }
}

/** An error about one input, its message naming the field first as every 4xx of the API does. */
export const fieldError = (
  code: ErrorCode,
  field: string,
  problem: string,
  reason?: ErrorReason,
): RosettaError => new RosettaError(code, `${field}: ${problem}`, field, { reason, problem });

export const validationError = (field: string, problem: string, reason?: ErrorReason): RosettaError =>
  fieldError('ERR_VALIDATION', field, problem, reason);

/**
 * The same error about the input as a face names it (faces rename core paths to their vendor's
 * fields). A message that did not start with the field keeps its text.
 */
export const renameField = (error: RosettaError, field: string): RosettaError =>
  new RosettaError(
    error.code,
    error.message === error.problem ? error.message : `${field}: ${error.problem}`,
    field,
    {
      reason: error.reason,
      problem: error.problem,
      details: error.details,
    },
  );

export const notFound = (what: string, id: string | number): RosettaError =>
  new RosettaError('ERR_NOT_FOUND', `${what} ${JSON.stringify(id)} not found`);

export const forbidden = (action: string): RosettaError =>
  new RosettaError('ERR_FORBIDDEN', `not allowed to ${action}`);

export const conflict = (message: string, field?: string, reason?: ErrorReason): RosettaError =>
  new RosettaError('ERR_CONFLICT', message, field, { reason });

export const unauthenticated = (message = 'missing or invalid credentials'): RosettaError =>
  new RosettaError('ERR_UNAUTHENTICATED', message);

export const isRosettaError = (error: unknown): error is RosettaError => error instanceof RosettaError;
