import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TransientJobError } from '../jobs/index.ts';
import { type OutboundPolicy, OutboundRefusedError, pinnedLookup, type ResolvedAddress } from './outbound.ts';

/**
 * Outgoing HTTP deliveries: signed JSON webhooks and Slack incoming webhooks. Every call has a
 * timeout; answers a retry may fix (5xx, 408, 429, timeouts, network errors) are transient.
 * The destination must pass the outbound policy, and the request goes to the checked address.
 * Only the status of an answer is kept: its body never reaches the run history.
 */

export const SIGNATURE_HEADER = 'x-rosetta-signature';
export const TIMESTAMP_HEADER = 'x-rosetta-timestamp';
export const DELIVERY_HEADER = 'x-rosetta-delivery';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as receivers recompute it. */
export const signBody = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface PostOptions {
  timeoutMs: number;
  outbound: OutboundPolicy;
  signal?: AbortSignal;
  /** Signs the body when set. */
  secret?: string | null;
  /** Stable per run, so a receiver can drop a retried delivery it already has. */
  deliveryId?: string;
  now?: () => Date;
}

export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:')
    throw new Error(`POST ${target.host}: only http and https destinations are allowed`);
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Rosetta',
    [TIMESTAMP_HEADER]: String(Math.floor((options.now?.() ?? new Date()).getTime() / 1000)),
  };
  if (options.secret) headers[SIGNATURE_HEADER] = signBody(body, options.secret);
  if (options.deliveryId) headers[DELIVERY_HEADER] = options.deliveryId;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let status: number;
  try {
    const address = await options.outbound.addressFor(target);
    status = await send(target, address, headers, body, signal);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof OutboundRefusedError) throw new Error(`POST ${target.host}: ${error.message}`);
    const what = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
    throw new TransientJobError(`POST ${target.host}: ${what}`, { cause: error });
  }
  if (status >= 200 && status < 300) return status;
  // Redirects are not followed: a signed body must reach the checked address or fail.
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  const message = `POST ${target.host} answered ${status}${redirect}`;
  if (status >= 500 || status === 408 || status === 429) throw new TransientJobError(message);
  throw new Error(message);
}

/** One POST to `address` (TLS still verifies the URL's host name); resolves with the status only. */
function send(
  target: URL,
  address: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(address),
        // A fresh connection to the address just checked: a pooled one may lead elsewhere.
        agent: false,
        signal,
      },
      (response) => {
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
