/** The bell of a widget's "Alert when…" button (drawn, as not every system has an emoji font). */
export function BellIcon() {
  return (
    <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M8 1.2a1 1 0 0 1 1 1v.7a4.6 4.6 0 0 1 3.6 4.5v3l1.3 1.7a.5.5 0 0 1-.4.8H2.5a.5.5 0 0 1-.4-.8l1.3-1.7v-3A4.6 4.6 0 0 1 7 2.9v-.7a1 1 0 0 1 1-1Zm-1.8 12.3h3.6a1.8 1.8 0 0 1-3.6 0Z"
      />
    </svg>
  );
}
