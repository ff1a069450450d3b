import type { Attributes, Principal } from '../../../core/auth/index.ts';
import type { AttributeDefinition, AttributeEntry } from '../../../core/directory/index.ts';
import { conflict, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { message, unsupported } from './directory-shapes.ts';
import { type CursorQuery, cursorPage } from './paging.ts';
import { holisticsRoute } from './routes.ts';

type Id = { id: number };
type SubjectType = 'User' | 'Group';
type InputType = 'manual' | 'inherit' | 'all';

interface AttributeInput {
  name: string;
  attribute_type: string;
  label: string;
  description?: string;
}

interface EntryInput {
  user_attribute_id?: number;
  user_attribute_name?: string;
  input_type?: InputType;
  values?: string[];
  subject_type: SubjectType;
  subject_id: number;
}

interface Subject {
  subject_type: SubjectType;
  subject_id: number;
}

/** `UserAttribute`: a Rosetta attribute definition, named by its key. Rosetta has no system attributes. */
const attributeJson = (definition: AttributeDefinition) => ({
  id: definition.id,
  name: definition.key,
  attribute_type: definition.type,
  label: definition.label,
  description: definition.description,
  is_system_attribute: false,
});

const CORE_FIELDS: Record<string, string> = { key: 'name', type: 'attribute_type' };
const inAttributeBody = (error: unknown) => {
  throw renameFields(error, (field) => `user_attribute.${CORE_FIELDS[field] ?? field}`);
};

/** `UserAttributeEntryOutput`, with the values the subject holds itself. */
const entryJson = (definitionId: number, subject: Subject, values: string[] | undefined) => ({
  user_attribute_id: definitionId,
  input_type: (values === undefined ? 'inherit' : 'manual') as InputType,
  values: values ?? [],
  subject_type: subject.subject_type,
  subject_id: subject.subject_id,
});

/**
 * User attributes and their entries: attribute definitions, and the values users and groups
 * hold. An entry `manual` holds its values; `inherit` holds none itself, so a user gets the
 * values of their groups (the core's rule, the one row-level security applies). Rosetta has no
 * "all values" entry: anyone but an admin sees only rows matching values they hold, so `all` is
 * refused rather than stored as something narrower.
 */
export function registerUserAttributeRoutes(api: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;

  /** The values a subject holds itself: a user's are theirs or an admin's to read, a group's an admin's. */
  const ownValues = (principal: Principal, { subject_type, subject_id }: Subject): Promise<Attributes> =>
    subject_type === 'User'
      ? directory.getUserAttributes(principal, subject_id)
      : directory.getGroupAttributes(principal, subject_id);

  holisticsRoute<{ Querystring: CursorQuery }>(api, 'UserAttributes_List', async (request) => {
    const definitions = await directory.listAttributeDefinitions(principalOf(request));
    const page = cursorPage(definitions, request.query, (definition) => definition.id);
    return { user_attributes: page.items.map(attributeJson), cursors: page.cursors };
  });

  holisticsRoute<{ Body: { user_attribute: AttributeInput } }>(
    api,
    'UserAttributes_Create',
    async (request) => {
      const { name, attribute_type, label, description } = request.body.user_attribute;
      const definition = await directory
        .defineAttribute(principalOf(request), { key: name, type: attribute_type, label, description })
        .catch(inAttributeBody);
      return { user_attribute: attributeJson(definition), status: 'created' };
    },
  );

  holisticsRoute<{ Params: Id; Body: { user_attribute: AttributeInput } }>(
    api,
    'UserAttributes_Update',
    async (request) => {
      const principal = principalOf(request);
      const { name, attribute_type, label, description } = request.body.user_attribute;
      const current = await directory.getAttributeDefinition(principal, request.params.id);
      // Row policies name attributes by key, so the key cannot change under them.
      if (name !== current.key)
        throw conflict(`an attribute's name is fixed: this one is ${current.key}`, 'user_attribute.name');
      const updated = await directory
        .updateAttributeDefinition(principal, current.id, { type: attribute_type, label, description })
        .catch(inAttributeBody);
      return { user_attribute: attributeJson(updated) };
    },
  );

  holisticsRoute<{ Params: Id }>(api, 'UserAttributes_Delete', async (request) => {
    await directory.deleteAttributeDefinition(principalOf(request), request.params.id);
    return message('User attribute deleted successfully');
  });

  holisticsRoute<{ Querystring: Subject }>(api, 'UserAttributeEntries_List', async (request) => {
    const principal = principalOf(request);
    const subject = request.query;
    const own = await ownValues(principal, subject);
    const definitions = await directory.listAttributeDefinitions(principal);
    // A user holds an entry for every attribute (inherit when not their own); a group only its own.
    const listed =
      subject.subject_type === 'User'
        ? definitions
        : definitions.filter((definition) => definition.key in own);
    const entries = listed.map((definition) =>
      entryJson(definition.id, subject, Object.hasOwn(own, definition.key) ? own[definition.key] : undefined),
    );
    return { user_attribute_entries: entries, cursors: { previous: null, next: null } };
  });

  holisticsRoute<{ Querystring: Subject }>(api, 'UserAttributeEntries_ComputedValues', async (request) => {
    const principal = principalOf(request);
    const subject = request.query;
    const applying =
      subject.subject_type === 'User'
        ? await directory.effectiveAttributes(principal, subject.subject_id)
        : await directory.getGroupAttributes(principal, subject.subject_id);
    const definitions = await directory.listAttributeDefinitions(principal);
    return {
      user_attribute_values: Object.fromEntries(
        definitions.map((definition) => [
          definition.key,
          Object.hasOwn(applying, definition.key) ? applying[definition.key] : [],
        ]),
      ),
    };
  });

  holisticsRoute<{ Body: { user_attribute_entries: EntryInput[] } }>(
    api,
    'UserAttributeEntries_Upsert',
    async (request) => {
      const principal = principalOf(request);
      const inputs = request.body.user_attribute_entries;
      const definitions = await directory.listAttributeDefinitions(principal);
      const entries: AttributeEntry[] = inputs.map((input, i) => {
        const field = `user_attribute_entries[${i}]`;
        const byId = definitions.find((definition) => definition.id === input.user_attribute_id);
        const byName = definitions.find((definition) => definition.key === input.user_attribute_name);
        if (input.user_attribute_id !== undefined && !byId)
          throw validationError(`${field}.user_attribute_id`, 'names no user attribute');
        if (input.user_attribute_name !== undefined && !byName)
          throw validationError(`${field}.user_attribute_name`, 'names no user attribute');
        if (byId && byName && byId !== byName)
          throw validationError(
            `${field}.user_attribute_name`,
            'names another attribute than user_attribute_id',
          );
        const definition = byId ?? byName;
        if (!definition) throw validationError(`${field}.user_attribute_id`, 'is required');
        if (input.input_type === 'all')
          throw unsupported(
            `${field}.input_type`,
            'Rosetta has no "all values" entry: row-level security shows only rows matching values held',
          );
        const inherits = input.input_type === 'inherit';
        return {
          definitionId: definition.id,
          subject: input.subject_type === 'User' ? 'user' : 'group',
          subjectId: input.subject_id,
          values: inherits ? null : (input.values ?? []),
        };
      });
      await directory.setAttributeEntries(principal, entries).catch((error) => {
        throw renameFields(error, (path) => path.replace(/^entries/, 'user_attribute_entries'));
      });
      // Read back: values are stored canonical (`1.50` as `1.5`).
      const held = new Map<string, Promise<Attributes>>();
      const heldBy = (subject: Subject) => {
        const key = `${subject.subject_type}:${subject.subject_id}`;
        if (!held.has(key)) held.set(key, ownValues(principal, subject));
        return held.get(key) as Promise<Attributes>;
      };
      const answer = [];
      for (const [i, entry] of entries.entries()) {
        const definition = definitions.find((each) => each.id === entry.definitionId) as AttributeDefinition;
        const own = await heldBy(inputs[i]);
        answer.push(
          entryJson(
            entry.definitionId,
            inputs[i],
            Object.hasOwn(own, definition.key) ? own[definition.key] : undefined,
          ),
        );
      }
      return { user_attribute_entries: answer };
    },
  );
}
