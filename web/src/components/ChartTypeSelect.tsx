/** The visualization types the editor offers. */
const TYPES: { id: string; label: string }[] = [
  { id: 'table', label: 'Table' },
  { id: 'bar', label: 'Bar' },
  { id: 'stacked_bar', label: 'Stacked bar' },
  { id: 'line', label: 'Line' },
  { id: 'area', label: 'Area' },
  { id: 'pie', label: 'Pie' },
  { id: 'donut', label: 'Donut' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'kpi', label: 'KPI number' },
  { id: 'pivot', label: 'Pivot' },
  { id: 'text', label: 'Text' },
];

/**
 * The chart type: "Automatic" (the empty value) follows the type the query suggests, named in
 * the option, until the user picks one.
 */
export function ChartTypeSelect(props: {
  value: string;
  suggested: string;
  onChange: (type: string) => void;
}) {
  const label = (id: string) => TYPES.find((t) => t.id === id)?.label ?? id;
  return (
    <label>
      Chart type
      <select name="type" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Automatic ({label(props.suggested)})</option>
        {TYPES.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
    </label>
  );
}
