import { errorMapper } from '../../kit/index.ts';

/** Lightdash's success envelope; an operation without a payload sends no `results` key, as the reference server does. */
export const ok = <T>(results?: T) =>
  results === undefined ? { status: 'ok' as const } : { status: 'ok' as const, results };

export interface LightdashError {
  status: 'error';
  error: { statusCode: number; name: string; message: string; data?: Record<string, unknown> };
}

/**
 * Lightdash's error names (spec §1.4). Every bad input is a 400 `ParameterError` naming the
 * field in `data` (the reference server's 422 for schema failures is not in the documentation);
 * a query naming an unknown field is its `FieldReferenceError`, one the engine cannot run its
 * `CompileError`; warehouse failures are 400s there, as Lightdash answers them.
 */
export const lightdashErrors = errorMapper<LightdashError>(
  {
    ERR_VALIDATION: { status: 400, name: 'ParameterError' },
    'query.unknown_field': { status: 400, name: 'FieldReferenceError' },
    'query.unsupported_on_engine': { status: 400, name: 'CompileError' },
    'query.unsupported_operator': { status: 400, name: 'CompileError' },
    'feature.not_configured': { status: 422, name: 'MissingConfigError' },
    'auth.link_expired': { status: 406, name: 'ExpiredError' },
    ERR_LIMIT: { status: 400, name: 'ParameterError' },
    ERR_UNAUTHENTICATED: { status: 401, name: 'AuthorizationError' },
    ERR_FORBIDDEN: { status: 403, name: 'ForbiddenError' },
    ERR_NOT_FOUND: { status: 404, name: 'NotExistsError' },
    ERR_CONFLICT: { status: 409, name: 'AlreadyExistsError' },
    ERR_CANCELLED: { status: 409, name: 'AlreadyProcessingError' },
    ERR_QUOTA: { status: 429, name: 'TooManyRequestsError' },
    ERR_ENGINE: { status: 400, name: 'WarehouseQueryError' },
    ERR_TIMEOUT: { status: 504, name: 'WarehouseQueryError' },
    ERR_INTERNAL: { status: 500, name: 'UnexpectedServerError' },
  },
  (error, { status, name }) => {
    const data = error.field
      ? { [error.field]: { message: error.problem }, ...error.details }
      : error.details;
    return {
      status: 'error',
      error: {
        statusCode: status,
        name: name ?? 'UnexpectedServerError',
        message: error.message,
        ...(data && { data }),
      },
    };
  },
);
