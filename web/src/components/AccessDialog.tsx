import { useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { errorMessage } from '../api.ts';
import type { AccessEntry } from '../types.ts';
import { AccessEntries } from './AccessEntries.tsx';
import { Modal } from './Modal.tsx';

const LEVELS = { view: 'can view', edit: 'can edit' };

/**
 * An access list of users and groups (a dashboard's shares, a folder's access). Every change is
 * saved at once, the whole list (`save`); a refused change leaves the list as it was, with the reason.
 */
export function AccessDialog(props: {
  title: string;
  entries: AccessEntry[];
  /** What an empty list means. */
  emptyNote: string;
  save: (entries: AccessEntry[]) => Promise<unknown>;
  onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (shares: AccessEntry[]) => {
    setBusy(true);
    setError(null);
    try {
      await props.save(shares);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={props.title} onClose={props.onClose}>
      <AccessEntries
        entries={props.entries}
        levels={LEVELS}
        emptyNote={props.emptyNote}
        giveLabel="Share with"
        addLabel="Share"
        busy={busy}
        onChange={save}
        onError={setError}
      />
      <ErrorNote error={error} />
      <p className="muted small">
        Only those listed (and the owner, and admins) get in. Edit access gives a viewer only view: the role
        is a ceiling.
      </p>
    </Modal>
  );
}
