import { useState } from 'react';
import { ApiError, api } from '../api.ts';
import type { Folder } from '../types.ts';
import { useConfirm } from './ConfirmDialog.tsx';
import { MoveDialog } from './MoveDialog.tsx';
import { NameDialog } from './NameDialog.tsx';

/**
 * Rename, "Move to…" and delete (to the trash) of one dashboard, chart or data source at `url`
 * (`PATCH {name}` / `{folderId, personal}`, `DELETE`); `onChanged` reloads. A refused change
 * shows in the dialog that asked for it. Data sources have no personal space (`personal` off).
 * With `forceable`, content in use (a chart that dashboards show: a 409) is deleted with
 * `?force=true` once the user says so again.
 */
export function ContentActions(props: {
  what: 'dashboard' | 'chart' | 'data source';
  name: string;
  url: string;
  folders: Folder[];
  personal: boolean;
  forceable?: boolean;
  onChanged: () => void;
  onError: (error: unknown) => void;
}) {
  const { name, what } = props;
  const title = what[0].toUpperCase() + what.slice(1);
  const [dialog, setDialog] = useState<'rename' | 'move' | null>(null);
  const [confirm, ask] = useConfirm();
  const patch = async (body: Record<string, unknown>) => {
    await api('PATCH', props.url, props.personal ? body : { ...body, personal: undefined });
    setDialog(null);
    props.onChanged();
  };
  const remove = async () => {
    const sure = await ask({
      title: `Delete ${what}`,
      message: `Move “${name}” to the trash? You can restore it from the trash for 30 days.`,
      confirmLabel: 'Move to trash',
    });
    if (!sure) return;
    try {
      await api('DELETE', props.url);
      props.onChanged();
    } catch (caught) {
      if (!(props.forceable && caught instanceof ApiError && caught.status === 409))
        return props.onError(caught);
      const anyway = await ask({
        title: `The ${what} is in use`,
        message: `${caught.message}.`,
        confirmLabel: 'Delete anyway',
      });
      if (!anyway) return;
      await api('DELETE', `${props.url}?force=true`).then(props.onChanged).catch(props.onError);
    }
  };
  return (
    <span className="cardactions">
      <button
        type="button"
        className="link"
        aria-label={`Rename ${name}`}
        onClick={() => setDialog('rename')}
      >
        Rename
      </button>
      <button type="button" className="link" aria-label={`Move ${name}`} onClick={() => setDialog('move')}>
        Move to…
      </button>
      <button type="button" className="link" aria-label={`Delete ${name}`} onClick={remove}>
        Delete
      </button>
      {dialog === 'rename' && (
        <NameDialog
          title={`Rename “${name}”`}
          label={`${title} name`}
          submitLabel="Rename"
          onSubmit={(name) => patch({ name })}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'move' && (
        <MoveDialog
          name={name}
          folders={props.folders}
          personal={props.personal}
          move={patch}
          onClose={() => setDialog(null)}
        />
      )}
      {confirm}
    </span>
  );
}
