import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import type { DashboardSummary } from '../types.ts';

/** The caller's favourite dashboards (visible ones only), most recently starred first. */
export const loadFavourites = () =>
  api<{ items: DashboardSummary[] }>('GET', '/me/favourites').then((r) => r.items);

/** A star that toggles the dashboard in the caller's favourites; a toggle button for assistive tech. */
export function FavouriteButton(props: { dashboardId: number; onError: (message: string) => void }) {
  const [starred, setStarred] = useState<boolean | null>(null);
  const { dashboardId, onError } = props;

  useEffect(() => {
    loadFavourites()
      .then((items) => setStarred(items.some((d) => d.id === dashboardId)))
      .catch(() => setStarred(false));
  }, [dashboardId]);

  const toggle = async () => {
    const next = !starred;
    setStarred(next);
    try {
      await api(next ? 'PUT' : 'DELETE', `/dashboards/${dashboardId}/favourite`);
    } catch (caught) {
      setStarred(!next);
      onError(errorMessage(caught));
    }
  };

  return (
    <button
      type="button"
      className={starred ? 'star starred' : 'star'}
      aria-pressed={Boolean(starred)}
      aria-label="Favourite"
      title={starred ? 'Remove from favourites' : 'Add to favourites'}
      disabled={starred === null}
      onClick={toggle}
    >
      <span aria-hidden="true">{starred ? '★' : '☆'}</span>
    </button>
  );
}
