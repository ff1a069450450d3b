/**
 * Keeps credentials out of the request log. Some routes must carry theirs in the URL, because
 * the caller is a link, an iframe or a vendor's client rather than a program that sets headers:
 * signed export downloads and script webhooks (`?token=`), Serenytics embeds
 * (`?embeddedPayload=`), the web app's embed page (`/embed/<token>`), Serenytics pushes
 * (`…/push/<token>`). Their values are replaced before a URL is logged; headers are not logged
 * at all, and the usual credential headers are censored should anything log them.
 */

import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

export const REDACTED = '[redacted]';

/** Query parameters whose value is a credential, compared in lower case. */
const SECRET_PARAMETERS = new Set([
  'token',
  'embeddedpayload',
  'key',
  'api_key',
  'apikey',
  'access_token',
  'secret',
  'password',
  'signature',
]);

/** Path segments that are credentials; the prefix (group 1) stays. Duplicate slashes are routed too. */
const SECRET_SEGMENTS = [/^(\/+embed\/+)[^/?]+/, /(\/push\/+)[^/?]+/];

const parameterName = (part: string): string => {
  const name = part.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name).toLowerCase().replace(/\[\]$/, '');
  } catch {
    return name.toLowerCase();
  }
};

/** `url` (path and query, as in a request line) with every credential replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  let path = start === -1 ? url : url.slice(0, start);
  for (const segment of SECRET_SEGMENTS) path = path.replace(segment, `$1${REDACTED}`);
  if (start === -1) return path;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((part) =>
      SECRET_PARAMETERS.has(parameterName(part)) ? `${part.split('=', 1)[0]}=${REDACTED}` : part,
    )
    .join('&');
  return `${path}?${query}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the URL redacted. */
export const requestSerializer = (request: LoggedRequest) => ({
  method: request.method,
  url: redactUrl(request.url),
  version: request.headers?.['accept-version'] as string | undefined,
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-holistics-key'];

/** pino `redact` paths: credential headers wherever a log line carries request or reply headers. */
export const redactedLogPaths = ['req.headers', 'headers', 'res.headers'].flatMap((parent) =>
  CREDENTIAL_HEADERS.map((name) => `${parent}["${name}"]`),
);

/**
 * Fastify's request log, one line per request instead of "incoming request" and "request
 * completed": method, redacted URL, status and duration (ms), under the request id (`reqId`)
 * Fastify binds, once the answer is sent; `error` level if sending it failed.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: redactUrl(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) reply.log.error({ ...line, err: error }, 'request');
    else reply.log.info(line, 'request');
  }
}
