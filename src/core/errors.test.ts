import { describe, expect, it } from 'vitest';
import { conflict, fieldError, notFound, renameField, validationError } from './errors.ts';

describe('RosettaError', () => {
  it('keeps the field and the problem apart from the message it writes', () => {
    const error = validationError('widgets[0].query', 'is required', 'query.unknown_field');
    expect(error).toMatchObject({
      code: 'ERR_VALIDATION',
      reason: 'query.unknown_field',
      field: 'widgets[0].query',
      problem: 'is required',
      message: 'widgets[0].query: is required',
    });
  });

  it("carries its code's general reason when thrown without a finer one", () => {
    expect(notFound('dashboard', 3).reason).toBe('not_found');
    expect(fieldError('ERR_LIMIT', 'file', 'too large').reason).toBe('limit');
    expect(conflict('taken', 'name').reason).toBe('conflict');
  });

  it('renames the field as a face names it, keeping code, reason and problem', () => {
    const renamed = renameField(
      validationError('folderId', 'no such folder', 'query.unknown_field'),
      'folder_uuid',
    );
    expect(renamed).toMatchObject({
      code: 'ERR_VALIDATION',
      reason: 'query.unknown_field',
      field: 'folder_uuid',
      problem: 'no such folder',
      message: 'folder_uuid: no such folder',
    });
  });

  it('leaves a message that did not name its field as it was', () => {
    const renamed = renameField(
      conflict('a model named "x" already exists', 'name', 'data.name_taken'),
      'title',
    );
    expect(renamed).toMatchObject({ field: 'title', message: 'a model named "x" already exists' });
  });
});
