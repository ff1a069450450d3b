import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import type { Dashboard } from '../types.ts';
import { useConfirm } from './ConfirmDialog.tsx';

/** An embed link as `GET /dashboards/:id/embeds` lists it (the secret itself is never shown again). */
interface EmbedLink {
  id: number;
  createdAt: string;
  expiresAt: string;
  maxUses: number | null;
  uses: number;
  variables: Record<string, string[]>;
  status: 'active' | 'expired' | 'used_up' | 'revoked';
  revokedReason: string | null;
}

const statusText: Record<EmbedLink['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  used_up: 'Used up',
  revoked: 'Revoked',
};

const when = (iso: string) => new Date(iso).toLocaleString();

/** The dashboard's embed links, newest first, each revocable while it still works. */
export function EmbedList(props: { dashboard: Dashboard; refreshKey: number }) {
  const [links, setLinks] = useState<EmbedLink[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [confirmDialog, confirm] = useConfirm();

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads after a creation or a revocation
  useEffect(() => {
    api<{ items: EmbedLink[] }>('GET', `/dashboards/${props.dashboard.id}/embeds`)
      .then((r) => setLinks(r.items))
      .catch(setError);
  }, [props.dashboard.id, props.refreshKey, reload]);

  const revoke = async (link: EmbedLink) => {
    const sure = await confirm({
      title: 'Revoke embed link',
      message: `Revoke the embed link created ${when(link.createdAt)}? Pages showing it stop at once.`,
      confirmLabel: 'Revoke',
    });
    if (!sure) return;
    try {
      await api('DELETE', `/embeds/${link.id}`);
      setReload((n) => n + 1);
    } catch (caught) {
      setError(caught);
    }
  };

  if (error) return <ErrorNote error={error} />;
  if (!links) return <p className="muted">Loading embed links…</p>;
  if (links.length === 0) return <p className="muted small">No embed link yet.</p>;
  return (
    <>
      {confirmDialog}
      <table className="embedlinks">
        <caption>Embed links</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Opens</th>
            <th scope="col">Values</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {links.map((link) => (
            <tr key={link.id} data-status={link.status}>
              <td>{when(link.createdAt)}</td>
              <td>{when(link.expiresAt)}</td>
              <td>
                {link.uses}
                {link.maxUses === null ? '' : ` / ${link.maxUses}`}
              </td>
              <td className="small">
                {Object.entries(link.variables)
                  .map(([name, values]) => `${name} = ${values.join(', ')}`)
                  .join('; ') || '—'}
              </td>
              <td title={link.revokedReason ?? undefined}>{statusText[link.status]}</td>
              <td>
                {link.status === 'active' && (
                  <button type="button" className="link danger" onClick={() => revoke(link)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
