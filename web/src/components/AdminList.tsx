import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';

/**
 * The state of an admin list page: what `fetch` answers (a stable function, loaded at once and on
 * Refresh), the last error and notice, and `bar`, the error, the Refresh button and the notice
 * to render above the list.
 */
export function useAdminList<T>(fetch: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const load = useCallback(async () => {
    try {
      setData(await fetch());
    } catch (caught) {
      setError(caught);
    }
  }, [fetch]);
  useEffect(() => {
    load();
  }, [load]);
  /** Waits for a change, says `done` and reloads; a failure is shown instead. */
  const act = (work: Promise<unknown>, done?: string) =>
    work.then(() => {
      setError(null);
      if (done) setNotice(done);
      return load();
    }, setError);
  const bar: ReactNode = (
    <>
      <ErrorNote error={error} />
      <p>
        <button type="button" onClick={() => load()}>
          Refresh
        </button>{' '}
        <span role="status">{notice}</span>
      </p>
    </>
  );
  return { data, error, setError, setNotice, load, act, bar };
}
