import { useId, useRef, useState } from 'react';

/** Copies through the clipboard API; where it is refused (plain http), selects the text instead. */
export function CopyField(props: { label: string; text: string; multiline?: boolean }) {
  const id = useId();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setStatus('Copied.');
    } catch {
      ref.current?.focus();
      ref.current?.select();
      setStatus('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <div className="stack">
      <label htmlFor={id}>{props.label}</label>
      <div className="row">
        {props.multiline ? (
          <textarea id={id} ref={ref} className="code" rows={3} readOnly value={props.text} />
        ) : (
          <input id={id} ref={ref} readOnly value={props.text} />
        )}
        <button type="button" onClick={copy} aria-label={`Copy ${props.label}`}>
          Copy
        </button>
      </div>
      <span className="muted small" role="status">
        {status}
      </span>
    </div>
  );
}
