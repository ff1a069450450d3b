import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a caller's or a proxy's `X-Request-Id` must look like to be kept: a token safe in any log. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The id every log line of a request carries (`reqId`) and its answer echoes (`x-request-id`):
 * the one a proxy or caller sent, so a request can be followed across systems, unless it is not a
 * sane token (it could forge log lines or blow up their size); then a fresh uuid.
 */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}
