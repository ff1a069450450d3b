import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import type { TrashItem } from '../types.ts';

const KIND_LABELS: Record<TrashItem['kind'], string> = {
  dashboard: 'Dashboard',
  chart: 'Chart',
  data_source: 'Data source',
  connection: 'Connection',
};

/** What the caller deleted or owns (admins: everything), restorable for 30 days. */
export function TrashPage() {
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, ask] = useConfirm();

  const load = useCallback(() => {
    api<{ items: TrashItem[] }>('GET', '/trash')
      .then((r) => setItems(r.items))
      .catch(setError);
  }, []);
  useEffect(load, [load]);

  const act = async (item: TrashItem, method: 'POST' | 'DELETE') => {
    setError(null);
    try {
      await api(method, `/trash/${item.kind}/${item.id}${method === 'POST' ? '/restore' : ''}`);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const purge = async (item: TrashItem) => {
    const label = KIND_LABELS[item.kind].toLowerCase();
    const sure = await ask({
      title: 'Delete forever',
      message: `Delete the ${label} “${item.name}” forever? This cannot be undone.`,
      confirmLabel: 'Delete forever',
    });
    if (sure) await act(item, 'DELETE');
  };

  return (
    <section className="content trash">
      <div className="toolbar">
        <h1>Trash</h1>
      </div>
      <p className="muted">Deleted things stay here 30 days, then they are deleted forever.</p>
      <ErrorNote error={error} />
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">The trash is empty.</p>
      ) : (
        <table className="trashtable">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Deleted</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.kind}-${item.id}`}>
                <td>{item.name}</td>
                <td>{KIND_LABELS[item.kind]}</td>
                <td>{new Date(item.deletedAt).toLocaleString()}</td>
                <td className="actions">
                  <button type="button" onClick={() => act(item, 'POST')} aria-label={`Restore ${item.name}`}>
                    Restore
                  </button>{' '}
                  <button
                    type="button"
                    className="danger"
                    onClick={() => purge(item)}
                    aria-label={`Delete ${item.name} forever`}
                  >
                    Delete forever
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog}
    </section>
  );
}
