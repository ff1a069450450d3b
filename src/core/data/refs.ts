/** Entities are addressed by integer id or by uuid; a string of digits is an id. */
export const isNumericRef = (ref: number | string): boolean =>
  typeof ref === 'number' || /^\d{1,15}$/.test(ref);
