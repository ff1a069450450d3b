import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from './ConfirmDialog.tsx';

export interface VersionSummary {
  version: number;
  authorId: number;
  createdAt: string;
  name: string;
}

/**
 * The versions of a saved dashboard or chart, newest first, with a Restore button (after a
 * confirmation) on each but the current one where the caller may restore.
 */
export function VersionHistory(props: {
  /** The item's API path (`/charts/12`); its versions are under `…/versions`. */
  path: string;
  /** The item's current version: a new one (a save, a restore) reloads the list. */
  current: number;
  canRestore: boolean;
  /** What the confirmation says after "Restore version N?". */
  restoreNote: string;
  /** Restores the version and shows the result. */
  onRestore: (version: number) => Promise<void>;
  /** Given, the list has a close button. */
  onClose?: () => void;
}) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmDialog, ask] = useConfirm();

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (a save, a restore) reloads the list
  useEffect(() => {
    api<{ items: VersionSummary[] }>('GET', `${props.path}/versions`)
      .then((r) => setVersions([...r.items].sort((a, b) => b.version - a.version)))
      .catch(setError);
  }, [props.path, props.current]);

  const restore = async (version: number) => {
    const ok = await ask({
      title: 'Restore version',
      message: `Restore version ${version}? ${props.restoreNote}`,
      confirmLabel: 'Restore',
    });
    if (!ok) return;
    try {
      await props.onRestore(version);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section className="card history" aria-label="Version history">
      {confirmDialog}
      {props.onClose ? (
        <header className="widgethead">
          <h2>Version history</h2>
          <button type="button" className="icon" aria-label="Close version history" onClick={props.onClose}>
            ×
          </button>
        </header>
      ) : (
        <h2>Version history</h2>
      )}
      <ErrorNote error={error} />
      {!versions ? (
        <p className="muted">Loading…</p>
      ) : (
        <table>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>{v.name}</td>
                <td className="muted">{new Date(v.createdAt).toLocaleString()}</td>
                <td>
                  {v.version === props.current ? (
                    <span className="tag">current</span>
                  ) : (
                    props.canRestore && (
                      <button type="button" onClick={() => restore(v.version)}>
                        Restore
                      </button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
