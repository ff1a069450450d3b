/**
 * A small pool of worker threads for PDF and PNG rendering: rendering is synchronous CPU work
 * that would stall the server's event loop. Workers start on first use, run one render at a
 * time, are replaced when they crash or time out, and do not keep the process alive when idle.
 * A worker idle for `idleMs` is stopped: each holds its own heap, fonts and WebAssembly memory
 * (≈ 120 MB after a PDF), which a server that exports now and then should not keep.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, type ErrorReason, RosettaError } from '../errors.ts';
import type { DashboardRenderSpec, RenderOptions, RenderOutput } from './types.ts';

export interface RenderJob {
  id: number;
  format: 'pdf' | 'png';
  spec: DashboardRenderSpec;
  options: RenderOptions;
}

export type RenderReply =
  | { id: number; ok: true; data: Uint8Array; warnings: string[]; pages: number }
  | ({ id: number; ok: false } & RenderFailure);

export interface RenderFailure {
  message: string;
  code?: ErrorCode;
  field?: string;
  reason?: ErrorReason;
  problem?: string;
}

export interface RenderPoolOptions {
  /** Worker threads; default min(2, cores). */
  size?: number;
  /** A render running longer is stopped with ERR_TIMEOUT; default 60 s. */
  timeoutMs?: number;
  /** A worker without a render for this long is stopped; default 30 s. */
  idleMs?: number;
}

interface Task {
  job: RenderJob;
  resolve: (output: RenderOutput) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  /** The running render's timeout, or the idle worker's stop. */
  timer?: NodeJS.Timeout;
}

let settings: Required<RenderPoolOptions> = {
  size: Math.min(2, availableParallelism()),
  timeoutMs: 60_000,
  idleMs: 30_000,
};
const slots: Slot[] = [];
const queue: Task[] = [];
let nextId = 1;

/**
 * Under tsx the worker entry is TypeScript. Node 20 does not apply loader hooks given with
 * `--import` to a worker's entry module, so the worker starts as a one-line script that
 * registers tsx in its own thread and then imports the entry.
 */
function startWorker(): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(typescript ? './render-worker.ts' : './render-worker.js', import.meta.url);
  if (!typescript) return new Worker(entry);
  const tsxApi = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx')));
  const boot = `import(${JSON.stringify(tsxApi.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true });
}

function settle(slot: Slot): Task | undefined {
  const task = slot.task;
  clearTimeout(slot.timer);
  slot.task = undefined;
  slot.timer = undefined;
  return task;
}

/** Takes the slot out of the pool (its exit is then expected) and stops its worker. */
function retire(slot: Slot): void {
  const index = slots.indexOf(slot);
  if (index >= 0) slots.splice(index, 1);
  void slot.worker.terminate();
}

function replace(slot: Slot, error: Error): void {
  settle(slot)?.reject(error);
  retire(slot);
  dispatch();
}

function idle(slot: Slot): void {
  slot.worker.unref();
  slot.timer = setTimeout(() => retire(slot), settings.idleMs).unref();
}

function addSlot(): Slot {
  const slot: Slot = { worker: startWorker() };
  slot.worker.on('message', (reply: RenderReply) => {
    const task = settle(slot);
    idle(slot);
    if (task) {
      if (reply.ok)
        task.resolve({ data: Buffer.from(reply.data), warnings: reply.warnings, pages: reply.pages });
      else if (reply.code)
        task.reject(
          new RosettaError(reply.code, reply.message, reply.field, {
            reason: reply.reason,
            problem: reply.problem,
          }),
        );
      else task.reject(new Error(`render failed: ${reply.message}`));
    }
    dispatch();
  });
  slot.worker.on('error', (error) => replace(slot, new Error(`render worker crashed: ${error.message}`)));
  slot.worker.on('exit', (code) => {
    if (slots.includes(slot)) replace(slot, new Error(`render worker exited with code ${code}`));
  });
  slots.push(slot);
  return slot;
}

function dispatch(): void {
  while (queue.length > 0) {
    const slot = slots.find((s) => !s.task) ?? (slots.length < settings.size ? addSlot() : undefined);
    if (!slot) return;
    const task = queue.shift() as Task;
    clearTimeout(slot.timer);
    slot.task = task;
    slot.worker.ref();
    slot.timer = setTimeout(
      () =>
        replace(slot, new RosettaError('ERR_TIMEOUT', `rendering took longer than ${settings.timeoutMs} ms`)),
      settings.timeoutMs,
    );
    slot.worker.postMessage(task.job);
  }
}

function render(
  format: 'pdf' | 'png',
  spec: DashboardRenderSpec,
  options: RenderOptions,
): Promise<RenderOutput> {
  return new Promise((resolve, reject) => {
    queue.push({ job: { id: nextId++, format, spec, options }, resolve, reject });
    dispatch();
  });
}

/** Changes the pool's size, timeout and idle time; applies to renders started afterwards. */
export function configureRenderPool(options: RenderPoolOptions): void {
  settings = { ...settings, ...options };
}

export function renderDashboardPdf(
  spec: DashboardRenderSpec,
  options: RenderOptions = {},
): Promise<RenderOutput> {
  return render('pdf', spec, options);
}

export function renderDashboardPng(
  spec: DashboardRenderSpec,
  options: RenderOptions = {},
): Promise<RenderOutput> {
  return render('png', spec, options);
}

/** Worker threads alive now, busy or idle. */
export function renderWorkerCount(): number {
  return slots.length;
}

/** Stops every worker; queued and running renders fail. The pool restarts on next use. */
export async function closeRenderPool(): Promise<void> {
  const error = new Error('render pool closed');
  for (const task of queue.splice(0)) task.reject(error);
  const stopping = slots.splice(0);
  for (const slot of stopping) settle(slot)?.reject(error);
  await Promise.all(stopping.map((slot) => slot.worker.terminate()));
}
