import { Type } from 'typebox';
import { operators } from '../../core/query/index.ts';

/** Schemas shared by several native routes. */
export const RefSchema = Type.Union([
  Type.Integer({ minimum: 1 }),
  Type.String({ minLength: 1, maxLength: 64 }),
]);
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * The one operator vocabulary of query filters, schedule filters and (with aliases) alert
 * conditions, as one `enum` in the OpenAPI document.
 */
export const FilterOperator = Type.Enum(operators, { description: 'a query filter operator' });
