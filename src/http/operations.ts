import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { unauthenticated } from '../core/errors.ts';
import { authorizationOf } from './kit/credentials.ts';
import type { Metrics } from './metrics.ts';
import type { App } from './server.ts';

/** A dependency the node needs to serve: resolves when it answers, rejects with why not. */
export type ReadinessCheck = () => Promise<void>;

export interface OperationsOptions {
  metrics: Metrics;
  /** Bearer token `/metrics` asks for; none = served to whoever reaches the port. */
  metricsToken?: string;
  /** Named checks `/health/ready` runs, each bounded by `checkTimeoutMs`. */
  checks: Record<string, ReadinessCheck>;
  checkTimeoutMs?: number;
  /** Jobs due and not yet claimed, per type (the queue depth gauge, read at each scrape). */
  dueJobs: () => Promise<Record<string, number>>;
}

export interface Operations {
  /** From now on readiness answers 503 `stopping`, so a load balancer sends no new traffic. */
  markStopping(): void;
}

/**
 * The probes and metrics an operator's tooling reads, outside every face: `GET /health` (the
 * liveness probe, registered with the native API), `GET /health/ready` and `GET /metrics`.
 */
export function registerOperations(app: App, options: OperationsOptions): Operations {
  const { metrics, metricsToken } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 2000;
  let stopping = false;
  metrics.instrument(app);
  metrics.watchJobs(options.dueJobs);

  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    if (stopping) return reply.code(503).send({ status: 'stopping' });
    const names = Object.keys(options.checks);
    const outcomes = await Promise.all(
      names.map((name) => withTimeout(options.checks[name](), checkTimeoutMs).then(() => 'ok', messageOf)),
    );
    const checks = Object.fromEntries(names.map((name, i) => [name, outcomes[i]]));
    const ready = outcomes.every((outcome) => outcome === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (metricsToken !== undefined && !tokenMatches(request, metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthenticated('GET /metrics needs Authorization: Bearer <ROSETTA_METRICS_TOKEN>');
    }
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  return {
    markStopping() {
      stopping = true;
    },
  };
}

const tokenMatches = (request: FastifyRequest, expected: string): boolean => {
  const given = Buffer.from(authorizationOf(request, 'Bearer') ?? '');
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
};

function withTimeout(check: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] || 'failed';
