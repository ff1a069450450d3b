import { errorMapper } from '../../kit/index.ts';

/** Holistics' error body (`BaseError`): clients read `type` and `message` of any answer ≥ 400. */
export interface HolisticsError {
  type: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Holistics' error types and statuses (seed "Errors"). Bad input is a 422 `InvalidParameterError`
 * naming the field in `details.field`; a write the store refuses (a taken name) a 422
 * `RecordError`; what a user may not do a 403 `PermissionDeniedError`; a missing object a 404.
 */
export const holisticsErrors = errorMapper<HolisticsError>(
  {
    ERR_VALIDATION: { status: 422, name: 'InvalidParameterError' },
    'feature.not_configured': { status: 422, name: 'InvalidOperationError' },
    'data.name_taken': { status: 422, name: 'RecordError' },
    ERR_CONFLICT: { status: 422, name: 'RecordError' },
    ERR_LIMIT: { status: 422, name: 'InvalidParameterError' },
    ERR_UNAUTHENTICATED: { status: 401, name: 'AuthError' },
    ERR_FORBIDDEN: { status: 403, name: 'PermissionDeniedError' },
    ERR_NOT_FOUND: { status: 404, name: 'BaseError' },
    ERR_CANCELLED: { status: 422, name: 'InvalidOperationError' },
    ERR_QUOTA: { status: 429, name: 'RateLimitExceedError' },
    ERR_ENGINE: { status: 422, name: 'InvalidOperationError' },
    ERR_TIMEOUT: { status: 422, name: 'InvalidOperationError' },
    ERR_INTERNAL: { status: 500, name: 'InternalHolisticsError' },
  },
  (error, { name }) => {
    const details = { ...error.details, ...(error.field && { field: error.field, problem: error.problem }) };
    return {
      type: name ?? 'BaseError',
      message: error.message,
      ...(Object.keys(details).length > 0 && { details }),
    };
  },
);
