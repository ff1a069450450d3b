/**
 * Route schemas compiled on the route's first request instead of at start. Fastify compiles
 * every route's validators (Ajv) and response serializers (fast-json-stringify) when the server
 * becomes ready, which was most of a restart (≈ 1 s of CPU for a few hundred routes); a route's
 * first request now pays its own compile once, a few ms. The compilers are Fastify's defaults,
 * with the same options, so validation and its errors are unchanged.
 */
import ajvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import serializerCompiler, { type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaValidationError } from 'fastify';

type Validate = ((data: unknown) => unknown) & { errors?: FastifySchemaValidationError[] | null };
/** What the factory's compile returns: typed as Ajv's function; Fastify only calls it and reads `errors`. */
type Compiled = ReturnType<ReturnType<ValidatorFactory>>;

export function lazyValidators(): ValidatorFactory {
  const build = ajvCompiler();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let validate: Validate | undefined;
      // Fastify reads `errors` from the function it was given, so they are copied onto it.
      const lazy: Validate = (data) => {
        validate ??= compile(route) as Validate;
        const valid = validate(data);
        lazy.errors = validate.errors;
        return valid;
      };
      return lazy as unknown as Compiled;
    };
  };
}

export function lazySerializers(): SerializerFactory {
  const build = serializerCompiler();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let serialize: ((data: unknown) => string) | undefined;
      return (data) => {
        serialize ??= compile(route);
        return serialize(data);
      };
    };
  };
}
