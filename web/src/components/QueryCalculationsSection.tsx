import { columnLabel } from '../../../src/core/exports/present.ts';
import { AddButton, Disclosure, FieldError, type SectionProps, typeIn } from './QueryInputs.tsx';
import {
  dimensionColumns,
  dimensionId,
  type ErrorPlace,
  isTime,
  listEditor,
  metricColumns,
  PERIODS,
  POST_TYPES,
  type PostRow,
  postColumns,
  postId,
  postType,
} from './query-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

/**
 * Calculations over the grouped result (the body's `post`): running total, percent of total,
 * rank, and the previous period with the change against it. Each names a metric; the period
 * ones need a date dimension grouped by a period, which the section points out when missing.
 */
export function CalculationsSection(props: SectionProps & { errors: Map<ErrorPlace, string> }) {
  const { draft } = props;
  const post = listEditor(draft, props.onChange, 'post');
  const metrics = metricColumns(draft);
  const dimensions = dimensionColumns(draft);
  const period = draft.dimensions.find(
    (d) => isTime(typeIn(props, d.field)) && PERIODS.includes(d.granularity) && !d.bin,
  );
  const erring = post.rows.some((row) => props.errors.has(row.key)) || props.errors.has('post');
  return (
    <Disclosure summary="Calculations" count={post.rows.length} open={post.rows.length > 0 || erring}>
      {post.rows.length === 0 && (
        <p className="muted small">
          Computed over the result: running totals, shares of the total, ranks, change since the previous
          period.
        </p>
      )}
      {post.rows.map((row, i) => {
        const label = `Calculation ${i + 1}`;
        const kind = postType(row.type);
        // What a calculation may take: the metrics, and calculations listed before it.
        const sources = [...metrics, ...postColumns({ ...draft, post: draft.post.slice(0, i) })];
        const set = (change: Partial<PostRow>) => post.set(i, { ...row, ...change });
        return (
          <div key={row.key} className="calcrow">
            <div className="row">
              <select
                aria-label={`${label} type`}
                value={row.type}
                onChange={(e) => set({ type: e.target.value, partitionBy: [], ascending: false })}
              >
                {POST_TYPES.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.label}
                  </option>
                ))}
                {!kind && <option value={row.type}>{row.type}</option>}
              </select>
              {row.type === 'formula' ? (
                <input
                  aria-label={`${label} formula`}
                  className="formula"
                  spellCheck={false}
                  placeholder={sources.length ? `${sources[0]} * 2` : 'sum_price / count'}
                  value={row.formula}
                  onChange={(e) => set({ formula: e.target.value })}
                />
              ) : (
                <select
                  aria-label={`${label} of`}
                  value={row.of}
                  onChange={(e) => set({ of: e.target.value })}
                >
                  <option value="">of the metric…</option>
                  {sources.map((name) => (
                    <option key={name} value={name}>
                      of {columnLabel(name)}
                    </option>
                  ))}
                  {row.of && !sources.includes(row.of) && (
                    <option value={row.of}>of {row.of} (missing)</option>
                  )}
                </select>
              )}
              <RemoveButton label={`Remove calculation ${i + 1}`} onClick={() => post.remove(i)} />
            </div>
            <div className="row suboptions">
              {kind && 'partition' in kind && (
                <select
                  aria-label={`${label} within`}
                  value={JSON.stringify(row.partitionBy)}
                  onChange={(e) => set({ partitionBy: JSON.parse(e.target.value) })}
                >
                  <option value="[]">over all rows</option>
                  {dimensions.map((d) => (
                    <option key={d} value={JSON.stringify([d])}>
                      within each {columnLabel(d).toLowerCase()}
                    </option>
                  ))}
                  {row.partitionBy.length > 0 &&
                    !(row.partitionBy.length === 1 && dimensions.includes(row.partitionBy[0])) && (
                      <option value={JSON.stringify(row.partitionBy)}>
                        within each {row.partitionBy.join(', ')}
                      </option>
                    )}
                </select>
              )}
              {row.type === 'rank' && (
                <select
                  aria-label={`${label} order`}
                  value={row.ascending ? 'smallest' : 'largest'}
                  onChange={(e) => set({ ascending: e.target.value === 'smallest' })}
                >
                  <option value="largest">1 = largest</option>
                  <option value="smallest">1 = smallest</option>
                </select>
              )}
              {kind && 'period' in kind && !props.errors.has(row.key) && (
                <span className={period ? 'muted small' : 'warning small'}>
                  {period
                    ? `one ${period.granularity} earlier along ${columnLabel(dimensionId(period)).toLowerCase()}`
                    : 'needs a date dimension grouped by year, quarter, month, week, day or hour'}
                </span>
              )}
              <label className="inline">
                Named
                <input
                  aria-label={`${label} name`}
                  placeholder={postId({ ...row, id: '' }) || 'name'}
                  value={row.id}
                  onChange={(e) => set({ id: e.target.value })}
                />
              </label>
            </div>
            <FieldError message={props.errors.get(row.key)} />
          </div>
        );
      })}
      <FieldError message={props.errors.get('post') ?? props.errors.get('postFilters')} />
      <AddButton
        label="+ Calculation"
        onClick={() =>
          post.add({
            id: '',
            type: 'running_total',
            of: metrics[0] ?? '',
            partitionBy: [],
            ascending: false,
            formula: '',
          })
        }
      />
    </Disclosure>
  );
}
