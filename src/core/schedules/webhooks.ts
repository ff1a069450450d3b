import { createHmac } from 'node:crypto';
import { TransientJobError } from '../jobs/index.ts';

/**
 * Outgoing HTTP deliveries: signed JSON webhooks and Slack incoming webhooks. Every call has a
 * timeout; answers a retry may fix (5xx, 408, 429, timeouts, network errors) are transient.
 */

export const SIGNATURE_HEADER = 'x-rosetta-signature';
export const TIMESTAMP_HEADER = 'x-rosetta-timestamp';
export const DELIVERY_HEADER = 'x-rosetta-delivery';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as receivers recompute it. */
export const signBody = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface PostOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Signs the body when set. */
  secret?: string | null;
  /** Stable per run, so a receiver can drop a retried delivery it already has. */
  deliveryId?: string;
  now?: () => Date;
}

export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<number> {
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
  let response: Response;
  try {
    // Redirects are not followed: a signed body must reach the configured address or fail.
    response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const what = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
    throw new TransientJobError(`POST ${new URL(url).host}: ${what}`, { cause: error });
  }
  await response.body?.cancel();
  const { status } = response;
  if (status >= 200 && status < 300) return status;
  const message = `POST ${new URL(url).host} answered ${status}`;
  if (status >= 500 || status === 408 || status === 429) throw new TransientJobError(message);
  throw new Error(message);
}
