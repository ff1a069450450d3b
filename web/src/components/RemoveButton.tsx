/** The × button that removes one row of an editable list; `label` names the row for screen readers. */
export function RemoveButton(props: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="icon" aria-label={props.label} onClick={props.onClick}>
      ×
    </button>
  );
}
