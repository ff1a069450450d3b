import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  compileRequestValidator,
  operation,
  operations,
  requestSchemas,
  responseValidator,
} from './openapi.ts';

const read = (file: string) => readFileSync(new URL(`./openapi/${file}`, import.meta.url), 'utf8');

describe('the vendored Holistics OpenAPI document', () => {
  it('is the same document as YAML (verbatim) and as JSON (loaded)', () => {
    expect(JSON.parse(read('holistics-openapi-v2.json'))).toEqual(parse(read('holistics-openapi-v2.yml')));
  });

  it('has 82 operations on its 63 paths, each of whose schemas Ajv compiles', () => {
    expect(operations.size).toBe(82);
    expect(new Set([...operations.values()].map((op) => op.path)).size).toBe(62);
    for (const op of operations.values()) {
      for (const [part, schema] of Object.entries(requestSchemas(op)))
        if (schema) expect(() => compileRequestValidator({ schema, httpPart: part })).not.toThrow();
      for (const status of Object.keys(op.responses))
        if (status !== 'default') expect(() => responseValidator(op, Number(status))).not.toThrow();
    }
  });

  it('checks a discriminated body against the branch its operator names', () => {
    const validate = compileRequestValidator({
      schema: requestSchemas(operation('DataSets_SubmitQuery')).body as object,
      httpPart: 'body',
    });
    const query = (filters: unknown[]) => ({ query: { dimensions: [{ field: 'm.f' }], filters } });
    expect(validate(query([{ field: 'm.f', operator: 'is', values: ['a'] }]))).toBe(true);
    expect(validate(query([{ field: 'm.f', operator: 'is', values: 'a' }]))).toBe(false);
    expect(validate({ query: { limit: 0 } })).toBe(false);
  });

  it('takes `nullable` as a union with null, also without a sibling type', () => {
    const validate = responseValidator(operation('Users_Me'), 200);
    const user = {
      id: 1,
      email: 'a@b.c',
      name: null,
      initials: 'A',
      role: 'admin',
      is_deleted: false,
      is_activated: true,
      has_authentication_token: true,
      allow_authentication_token: true,
      enable_export_data: true,
      created_at: '2026-01-01T00:00:00Z',
      current_sign_in_at: null,
    };
    expect(validate?.({ user })).toBe(true);
    expect(validate?.({ user: { ...user, email: null } })).toBe(false);
  });

  it('reads a discriminated property as an object though the document types it `string` (DataAlert.dest)', () => {
    const validate = compileRequestValidator({
      schema: requestSchemas(operation('DataAlerts_Create')).body as object,
      httpPart: 'body',
    });
    const alert = (dest: unknown) => ({
      data_alert: {
        source_type: 'DashboardWidget',
        source_id: 1,
        dest,
        schedule: { repeat: '0 7 * * *', paused: false },
        dynamic_filter_presets: [],
      },
    });
    expect(validate(alert({ type: 'EmailDest', recipients: ['a@example.com'] }))).toBe(true);
    expect(validate(alert({ type: 'EmailDest' }))).toBe(false);
    expect(validate(alert({ type: 'WebhookDest', endpoint: 'https://example.com' }))).toBe(true);
  });

  it('checks the header parameters an operation documents, by their lowercased names', () => {
    const schema = requestSchemas(operation('GitWebhooks_GitlabEvent')).headers as object;
    const validate = compileRequestValidator({ schema, httpPart: 'headers' });
    expect(validate({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 't' })).toBe(true);
    expect(validate({ 'x-gitlab-event': 'Push Hook' })).toBe(false);
    expect(validate({ 'x-gitlab-event': 'Tag Hook', 'x-gitlab-token': 't' })).toBe(false);
    expect(requestSchemas(operation('Users_List')).headers).toBeUndefined();
  });
});

describe('the errata', () => {
  it('takes a user attribute entry naming its attribute by id or by name, not by neither', () => {
    const validate = compileRequestValidator({
      schema: requestSchemas(operation('UserAttributeEntries_Upsert')).body as object,
      httpPart: 'body',
    });
    const entry = { subject_type: 'User', subject_id: 1, input_type: 'manual', values: ['a'] };
    const body = (extra: object) => ({ user_attribute_entries: [{ ...entry, ...extra }] });
    expect(validate(body({ user_attribute_id: 3 }))).toBe(true);
    expect(validate(body({ user_attribute_name: 'region' }))).toBe(true);
    expect(validate(body({}))).toBe(false);
  });
});
