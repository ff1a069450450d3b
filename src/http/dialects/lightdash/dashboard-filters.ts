import type { DashboardFilter } from '../../../core/content/index.ts';
import type { ContentContext } from './content-context.ts';
import type { DashboardFilterRule, DashboardFilters } from './dashboards.ts';
import { type ExploreField, listExplores } from './explores.ts';

type CoreFilter = Pick<DashboardFilter, 'id' | 'field' | 'label' | 'type' | 'default' | 'tileTargets'>;

const isScalar = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);
const isDate = (field: ExploreField) => field.type === 'date' || field.type === 'timestamp';

/**
 * The core filter type and default of a rule, when the core's filters say the same: `equals`
 * some values, a number or date range (bounds included). Undefined when they cannot.
 */
function coreValueOf(
  rule: DashboardFilterRule,
  field: ExploreField,
): Pick<DashboardFilter, 'type' | 'default'> | undefined {
  const type = isDate(field) ? 'date_range' : field.type === 'number' ? 'number_range' : 'values';
  const values = rule.values ?? [];
  if (rule.disabled || values.length === 0) return { type };
  const [low, high] = values;
  if (rule.operator === 'equals' && values.every(isScalar)) return { type: 'values', default: values };
  if (type === 'number_range' && values.every((value) => typeof value === 'number')) {
    if (rule.operator === 'inBetween' && values.length === 2)
      return { type, default: { min: low, max: high } };
    if (rule.operator === 'greaterThanOrEqual') return { type, default: { min: low } };
    if (rule.operator === 'lessThanOrEqual') return { type, default: { max: low } };
  }
  if (type === 'date_range' && values.every((value) => typeof value === 'string')) {
    const day = (value: unknown) => String(value).slice(0, 10);
    if (rule.operator === 'inBetween' && values.length === 2)
      return { type, default: { from: day(low), to: day(high) } };
    if (rule.operator === 'onOrAfter') return { type, default: { from: day(low) } };
    if (rule.operator === 'onOrBefore') return { type, default: { to: day(low) } };
  }
  return undefined;
}

/**
 * Lightdash dashboard filters as the core's, so Rosetta's own screens, exports and deliveries of
 * the dashboard apply them: a dimension rule on a field of the project's explores, its tile
 * targets as fields. Rules the core cannot say (other operators, relative dates, metric and table
 * calculation rules) stay face-only, in the face settings, and apply in this face only.
 */
export async function coreDashboardFilters(
  context: ContentContext,
  filters: DashboardFilters,
): Promise<CoreFilter[]> {
  if (filters.dimensions.length === 0) return [];
  const explores = await listExplores(context.ports, context.principal, context.project);
  const fields = new Map<string, ExploreField>();
  for (const field of explores.flatMap((explore) => explore.fields))
    if (field.fieldType === 'dimension' && !fields.has(field.id)) fields.set(field.id, field);
  return filters.dimensions.flatMap((rule) => {
    const field = fields.get(rule.target.fieldId);
    const value = field && coreValueOf(rule, field);
    if (!field || !value) return [];
    const tileTargets: Record<string, string | false> = {};
    for (const [tile, target] of Object.entries(rule.tileTargets ?? {})) {
      const retargeted = target && fields.get(target.fieldId);
      if (target === false || retargeted) tileTargets[tile] = retargeted ? retargeted.address : false;
    }
    return [
      {
        id: rule.id,
        field: field.address,
        label: rule.label ?? field.label,
        ...value,
        ...(Object.keys(tileTargets).length > 0 && { tileTargets }),
      },
    ];
  });
}
