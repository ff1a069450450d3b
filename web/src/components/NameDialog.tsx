import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { Modal } from './Modal.tsx';

/**
 * Asks for one name (of a new dashboard, folder…) and hands it to `onSubmit`. A refusal is shown
 * in the dialog and the typed name stays; the owner closes the dialog once `onSubmit` succeeds.
 */
export function NameDialog(props: {
  title: string;
  label: string;
  submitLabel: string;
  onSubmit: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // The dialog focuses its first control, the close button; typing the name comes first.
  useEffect(() => input.current?.focus(), []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(name.trim());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form className="stack" onSubmit={submit} aria-label={props.title}>
        <label>
          {props.label}
          <input
            ref={input}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <ErrorNote error={error} />
        <div className="dialogactions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
