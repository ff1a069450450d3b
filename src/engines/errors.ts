import { RosettaError } from '../core/errors.ts';

/** Any failure from a driver becomes ERR_ENGINE with the driver's own message; coded errors pass through. */
export function toEngineError(error: unknown): RosettaError {
  if (error instanceof RosettaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RosettaError('ERR_ENGINE', message);
}

export const cancelledError = (): RosettaError => new RosettaError('ERR_CANCELLED', 'query cancelled');

export const timeoutError = (timeoutMs: number): RosettaError =>
  new RosettaError('ERR_TIMEOUT', `query exceeded its time limit of ${timeoutMs} ms`);
