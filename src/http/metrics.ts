import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationsObserver } from '../core/observer.ts';
import type { App } from './server.ts';

/** Requests no route matched share one label, so scanned paths cannot multiply the series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The Prometheus metrics of one server: its own registry (two servers in one process, as in
 * tests, do not mix; they share the process metrics), the HTTP instruments, and the observer the
 * core reports its work to.
 */
export interface Metrics {
  registry: Registry;
  observer: OperationsObserver;
  /** Counts and times every request of `app` by its route pattern. */
  instrument(app: App): void;
  /** Reads the due jobs at each scrape (one grouped count on the metadata store). */
  watchJobs(dueCounts: () => Promise<Record<string, number>>): void;
}

/** CPU, memory, event loop and GC of the process: one collector per process, whatever the servers. */
let processMetrics: Registry | undefined;
const processRegistry = (): Registry => {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
};

export function createMetrics(): Metrics {
  const registry = Registry.merge([processRegistry(), new Registry()]);
  const requests = new Counter({
    name: 'rosetta_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'rosetta_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method and route pattern',
    labelNames: ['method', 'route'],
    registers: [registry],
  });
  const querySeconds = new Histogram({
    name: 'rosetta_query_duration_seconds',
    help: 'Time a statement took on its warehouse, by engine dialect (cached answers excluded)',
    labelNames: ['engine'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const cacheHits = new Counter({
    name: 'rosetta_query_cache_hits_total',
    help: "Query results answered from this node's result cache",
    registers: [registry],
  });
  const cacheMisses = new Counter({
    name: 'rosetta_query_cache_misses_total',
    help: "Query results looked up in this node's result cache and run on the warehouse",
    registers: [registry],
  });
  const rowsWritten = new Counter({
    name: 'rosetta_ingest_rows_total',
    help: 'Rows committed into managed storage by this node (inserted, upserted, replaced or deleted)',
    registers: [registry],
  });

  return {
    registry,
    observer: {
      queryRan: (dialect, seconds) => querySeconds.observe({ engine: dialect }, seconds),
      cacheLookup: (hit) => (hit ? cacheHits : cacheMisses).inc(),
      rowsWritten: (rows) => rowsWritten.inc(rows),
    },
    instrument(app) {
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
        const { method } = request;
        requests.inc({ method, route, status: reply.statusCode });
        requestSeconds.observe({ method, route }, reply.elapsedTime / 1000);
      });
    },
    watchJobs(dueCounts) {
      new Gauge({
        name: 'rosetta_jobs_queued',
        help: 'Jobs due and not yet claimed by any node, by job type',
        labelNames: ['type'],
        registers: [registry],
        async collect() {
          this.reset();
          // An unreachable store leaves the gauge empty rather than failing the whole scrape:
          // the process metrics matter most then, and /health/ready names the failure.
          const counts = await dueCounts().catch(() => ({}));
          for (const [type, due] of Object.entries(counts)) this.set({ type }, due);
        },
      });
    },
  };
}
