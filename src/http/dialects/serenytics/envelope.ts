import { errorMapper } from '../../kit/index.ts';

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

export const serenyticsErrors = errorMapper({ ERR_CONFLICT: { status: 400 } }, (error) =>
  errorOf(error.message),
);
