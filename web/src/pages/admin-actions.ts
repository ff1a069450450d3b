/**
 * How the admin tabs run a change: on success the error shown so far goes and the list reloads;
 * a refusal is shown instead, and the forms keep what was typed. Resolves to whether it worked.
 */
export const changeThenReload =
  (setError: (error: unknown) => void, reload: () => unknown) =>
  (work: Promise<unknown>): Promise<boolean> =>
    work.then(
      () => {
        setError(null);
        reload();
        return true;
      },
      (error: unknown) => {
        setError(error);
        return false;
      },
    );
