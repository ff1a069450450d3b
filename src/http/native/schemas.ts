import { Type } from 'typebox';

/** Schemas shared by several native routes. */
export const RefSchema = Type.Union([
  Type.Integer({ minimum: 1 }),
  Type.String({ minLength: 1, maxLength: 64 }),
]);
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
