import type { RosettaError } from '../core/errors.ts';
import { cancelledError, timeoutError, toEngineError } from './errors.ts';

export interface CancellationOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Watches an AbortSignal and a deadline for one statement. When either fires, the caller is
 * answered at once (ERR_CANCELLED / ERR_TIMEOUT) while `interrupt` stops the statement on the
 * server; the connection goes back to its pool only when the statement has really stopped.
 */
export class CancellationScope {
  readonly #interrupt: () => void;
  readonly #aborted: Promise<never>;
  #reject: (reason: RosettaError) => void = () => {};
  #reason: RosettaError | undefined;
  #finished = false;
  #lastWork: Promise<boolean> = Promise.resolve(false);
  #timer: NodeJS.Timeout | undefined;
  #repeater: NodeJS.Timeout | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #repeatMs: number | undefined;
  readonly #onAbort = (): void => this.#fire(cancelledError());

  /**
   * `repeatMs` re-sends the interrupt until `finish()`: an interrupt that lands before the driver
   * has begun the statement (DuckDB resets its flag when a query starts) would otherwise be lost.
   */
  constructor(options: CancellationOptions, interrupt: () => void, repeatMs?: number) {
    this.#interrupt = interrupt;
    this.#repeatMs = repeatMs;
    this.#signal = options.signal;
    this.#aborted = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    this.#aborted.catch(() => {});
    if (options.signal?.aborted) {
      this.#reason = cancelledError();
      this.#reject(this.#reason);
      return;
    }
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      this.#timer = setTimeout(() => this.#fire(timeoutError(timeoutMs)), timeoutMs);
    }
  }

  throwIfCancelled(): void {
    if (this.#reason) throw this.#reason;
  }

  /** Settles with `work`, or earlier with the cancellation; driver errors become ERR_ENGINE. */
  guard<T>(work: Promise<T>): Promise<T> {
    const mapped = work.catch((error: unknown) => {
      throw this.#reason ?? toEngineError(error);
    });
    return Promise.race([mapped, this.#aborted]);
  }

  /** `guard`, remembering the work so `settled()` can wait until the driver is done with it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#lastWork = work.then(
      () => false,
      () => true,
    );
    return this.guard(work);
  }

  /**
   * Resolves once the last tracked work has settled (even if the caller was answered earlier),
   * with whether it failed; only then may its connection go back to the pool.
   */
  settled(): Promise<boolean> {
    return this.#lastWork;
  }

  /** The statement is over on the server: stop watching and interrupting. */
  finish(): void {
    this.#finished = true;
    clearTimeout(this.#timer);
    clearInterval(this.#repeater);
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  #fire(reason: RosettaError): void {
    if (this.#reason || this.#finished) return;
    this.#reason = reason;
    this.#reject(reason);
    this.#interrupt();
    if (this.#repeatMs !== undefined) this.#repeater = setInterval(this.#interrupt, this.#repeatMs);
  }
}
