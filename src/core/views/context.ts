/** What a view adds to each widget query it runs: the dashboard's filter rules and variable values. */
import type { Principal } from '../auth/principal.ts';
import { type Dashboard, dashboardVariableValues, tokenVariableValues } from '../content/index.ts';
import {
  andFilters,
  type FilterNode,
  parseVariables,
  type VariableValues,
  withVariables,
} from '../query/index.ts';

/**
 * The variable values a target's queries and templates use: a dashboard's defaults under the
 * requested values, under an embed token's values of the same names (content/variables.ts); a
 * query export's are the requested values (set over the query body's own).
 */
export function variablesOf(
  principal: Principal,
  dashboard: Dashboard | null,
  given: unknown,
): VariableValues {
  if (!dashboard) return parseVariables(given);
  const token =
    principal.kind === 'embed' ? tokenVariableValues(dashboard.variables, principal.variables ?? {}) : {};
  return { ...dashboardVariableValues(dashboard.variables, given), ...token };
}

/** A widget's query body as a view runs it: the filter rules and-ed, the variables set. */
export const viewBody = (
  body: Record<string, unknown>,
  context: { rules: readonly FilterNode[]; variables: VariableValues },
) => withVariables(andFilters(body, context.rules), context.variables);
