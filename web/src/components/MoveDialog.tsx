import { useState } from 'react';
import { ErrorNote } from '../App.tsx';
import type { Folder } from '../types.ts';
import { Modal } from './Modal.tsx';

/** Where content can go: the caller's personal space, the shared top level, or a folder. */
export type Destination = { personal: true } | { folderId: number | null; personal: false };

interface TreeRow {
  folder: Folder;
  depth: number;
}

/** The folders as an indented tree, parents before children (a folder whose parent is hidden is a root). */
function treeRows(folders: Folder[]): TreeRow[] {
  const ids = new Set(folders.map((f) => f.id));
  const rows: TreeRow[] = [];
  const visit = (parentId: number | null, depth: number) => {
    for (const folder of folders.filter((f) =>
      parentId === null ? f.parentId === null || !ids.has(f.parentId) : f.parentId === parentId,
    )) {
      rows.push({ folder, depth });
      visit(folder.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

/**
 * "Move to…": pick My space (when the content has one), the shared top level or a folder of the
 * tree; `move` saves it.
 */
export function MoveDialog(props: {
  name: string;
  folders: Folder[];
  personal: boolean;
  move: (destination: Destination) => Promise<unknown>;
  onClose: () => void;
}) {
  const [choice, setChoice] = useState(props.personal ? 'personal' : 'top');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.move(
        choice === 'personal'
          ? { personal: true }
          : { personal: false, folderId: choice === 'top' ? null : Number(choice) },
      );
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const option = (value: string, label: string, depth = 0) => (
    <li key={value} style={{ paddingLeft: `${depth * 1.25}rem` }}>
      <label>
        <input type="radio" name="destination" checked={choice === value} onChange={() => setChoice(value)} />{' '}
        {label}
      </label>
    </li>
  );
  return (
    <Modal title={`Move “${props.name}”`} onClose={props.onClose}>
      <ul className="foldertree" aria-label="Destination">
        {props.personal && option('personal', '🔒 My space (only you and admins)')}
        {option('top', props.personal ? 'Shared, not in a folder' : 'Not in a folder')}
        {treeRows(props.folders).map(({ folder, depth }) =>
          option(String(folder.id), `📁 ${folder.name}`, depth),
        )}
      </ul>
      <ErrorNote error={error} />
      <div className="dialogactions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={busy} onClick={submit}>
          Move
        </button>
      </div>
    </Modal>
  );
}
