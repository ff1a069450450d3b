import { STATUS_CODES } from 'node:http';
import { errorMapper } from '../../kit/index.ts';

/**
 * Sisense's error body, as its REST v1 server writes it: the HTTP status beside an application
 * code (`23004` name duplication, `2001` user not found…, the seed's table of codes) and the
 * message; a bad field is named in `field`.
 */
export interface SisenseError {
  error: { code: number; message: string; status: number; httpMessage: string; field?: string };
}

/**
 * Sisense's statuses: bad input 400 naming the field, a taken name 400 `23004`, a missing object
 * 404, a bad token 401, a forbidden action 403, too many calls 429.
 */
/** The application code a face error names itself (2001 user not found, 2004 user exists), if any. */
const ownCode = (details: Record<string, unknown> | undefined): number | undefined =>
  typeof details?.sisenseCode === 'number' ? details.sisenseCode : undefined;

export const sisenseErrors = errorMapper<SisenseError>(
  {
    ERR_VALIDATION: { status: 400, code: 300 },
    'data.name_taken': { status: 400, code: 23004 },
    'data.connection_unknown': { status: 400, code: 23003 },
    'directory.unknown_user': { status: 400, code: 23005 },
    'directory.unknown_group': { status: 400, code: 23006 },
    'data.rule_default_invalid': { status: 400, code: 30001 },
    'data.rule_party_repeated': { status: 400, code: 30003 },
    'data.rule_party_unknown': { status: 400, code: 30004 },
    ERR_CONFLICT: { status: 400, code: 23004 },
    'feature.not_configured': { status: 400 },
    'feature.already_configured': { status: 400, code: 7501 },
    ERR_LIMIT: { status: 400, code: 300 },
    ERR_UNAUTHENTICATED: { status: 401, code: 5001 },
    ERR_FORBIDDEN: { status: 403, code: 5002 },
    ERR_NOT_FOUND: { status: 404, code: 404 },
    ERR_CANCELLED: { status: 400, code: 57005 },
    ERR_QUOTA: { status: 429, code: 429 },
    ERR_ENGINE: { status: 400, code: 57003 },
    ERR_TIMEOUT: { status: 504, code: 57003 },
    ERR_INTERNAL: { status: 500, code: 500 },
  },
  (error, { status, code }) => ({
    error: {
      code: ownCode(error.details) ?? (typeof code === 'number' ? code : status),
      message: error.message,
      status,
      httpMessage: STATUS_CODES[status] ?? 'Error',
      ...(error.field && { field: error.field }),
    },
  }),
);
