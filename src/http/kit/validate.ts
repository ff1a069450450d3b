import type { FastifySchemaValidationError } from 'fastify';
import { type RosettaError, validationError } from '../../core/errors.ts';

/** A JSON pointer (`/widgets/0/visualization/type`) as the core names fields (`widgets[0].visualization.type`). */
function fieldPathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/**
 * Schema errors as coded validation errors naming the field the way the core does
 * (`widgets[0].visualization.type`), so a 400 says what to fix whichever layer caught it. The
 * server's `schemaErrorFormatter`, and what every face's error mapping reads schema errors with.
 */
export function fieldErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): RosettaError {
  const [error] = errors;
  const path = fieldPathOf(error?.instancePath ?? '');
  const params = (error?.params ?? {}) as { additionalProperty?: string; missingProperty?: string };
  const key = params.additionalProperty ?? params.missingProperty;
  const field = key ? (path ? `${path}.${key}` : key) : path || dataVar;
  // An enum, or a union of literals (which fails once per literal): say which values it takes.
  const allowed =
    error?.keyword === 'enum'
      ? ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String)
      : errors
          .filter((e) => e.keyword === 'const' && e.instancePath === error?.instancePath)
          .map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
  const problem = params.additionalProperty
    ? 'is not a known property'
    : key
      ? 'is required'
      : allowed.length > 1
        ? `must be one of ${allowed.join(', ')}`
        : (error?.message ?? 'is invalid');
  return validationError(field, problem);
}
