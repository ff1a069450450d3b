import { type FormEvent, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';

/**
 * A form that saves one name (the user's own, the organization's). A refusal keeps the typed
 * name and shows why; a success shows "Saved." and clears the refusal.
 */
export function NameForm(props: {
  title: string;
  label: string;
  initial: string;
  /** Saves and answers the name as stored (trimmed). */
  save: (name: string) => Promise<string>;
  className?: string;
}) {
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  useEffect(() => setName(props.initial), [props.initial]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved('');
    try {
      setName(await props.save(name));
      setError(null);
      setSaved('Saved.');
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form className={`card stack ${props.className ?? ''}`} onSubmit={submit} aria-label={props.title}>
      <h2 className="formtitle">{props.title}</h2>
      <label>
        {props.label}
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <ErrorNote error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Save
        </button>
        <span className="ok" role="status">
          {saved}
        </span>
      </div>
    </form>
  );
}
