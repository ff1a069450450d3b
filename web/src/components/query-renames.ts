import { dimensionId, metricId, postId, type QueryDraft } from './query-draft.ts';

/**
 * `next` with its references following renamed columns: a dimension given another granularity,
 * a metric another aggregation, a calculation another name. Sorts, calculations, top N, totals
 * and the pivot name result columns, so they follow; filter rules only follow metrics and
 * calculations (a rule on a dimension's field names the field, not the column).
 */
export function followRenames(prev: QueryDraft, next: QueryDraft): QueryDraft {
  type Entry = [number, { id: string; result: boolean }];
  const idsOf = (draft: QueryDraft) =>
    new Map<number, { id: string; result: boolean }>([
      ...draft.dimensions.map((d): Entry => [d.key, { id: dimensionId(d), result: false }]),
      ...draft.metrics.map((m): Entry => [m.key, { id: metricId(m), result: true }]),
      ...draft.formulas.map((f): Entry => [f.key, { id: f.name.trim(), result: true }]),
      ...draft.post.map((p): Entry => [p.key, { id: postId(p), result: true }]),
    ]);
  const after = idsOf(next);
  const renamed = new Map<string, string>();
  const results = new Map<string, string>();
  for (const [key, { id: old, result }] of idsOf(prev)) {
    const now = after.get(key)?.id;
    if (!old || now === undefined || now === old) continue;
    renamed.set(old, now);
    if (result) results.set(old, now);
  }
  if (renamed.size === 0) return next;
  const to = (id: string) => renamed.get(id) ?? id;
  const followed: QueryDraft = {
    ...next,
    sorts: next.sorts.map((s) => ({ ...s, field: to(s.field) })),
    filters: next.filters.map((f) => ({ ...f, field: results.get(f.field) ?? f.field })),
    post: next.post.map((p) => ({ ...p, of: to(p.of), partitionBy: p.partitionBy.map(to) })),
    top: next.top && { ...next.top, dimension: to(next.top.dimension), by: to(next.top.by) },
    subtotals: next.subtotals.map(to),
    pivot: next.pivot.map(to),
  };
  // A calculation named after its metric is renamed with it: what names it follows in turn.
  return followRenames(next, followed);
}
