import { type Static, Type } from 'typebox';
import type { ErrorCode } from '../../core/errors.ts';
import { errorMapper, type InternalCode } from '../kit/errors.ts';

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
export type ErrorBody = Static<typeof ErrorBodySchema> & { error: { code: ErrorCode | InternalCode } };

/**
 * The native envelope: each code answers with the core's own status (no departures), and the
 * body carries the code and reason themselves. It also answers outside every face (the web app,
 * unknown paths), being Rosetta's own.
 */
export const nativeErrors = errorMapper<ErrorBody>({}, ({ code, reason, message, field }) => ({
  error: { code, reason, message, field },
}));
