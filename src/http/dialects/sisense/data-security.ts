import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/auth/index.ts';
import type { MemberRuleInput, RuleTarget, StoredMemberRule } from '../../../core/data/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import { array, boolean, isJsonObject, object, oneOf, text } from '../../../core/input.ts';
import type { RuleParty } from '../../../core/query/index.ts';
import { hex24Codec } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { cubeField } from './dataset-shapes.ts';
import { cubeByFullname, type DatasetPorts, fullnameParam } from './datasets.ts';
import { CUBE_SERVER, type Elasticube, fieldsOf } from './elasticubes.ts';

/**
 * Data security (DS-06, DS-08, DS-12) onto the core's member rules: a rule shows the `members` of
 * one `[table.column]` to the parties it is shared with (`shares`: users and groups by oid, or
 * `{type: "default"}`, everyone else); `exclusionary` shows every value but the members,
 * `allMembers` every value. The core applies them to every query of every face.
 */

type Params = { fullname?: string; server?: string; title?: string };

const MAX_RULES = 1000;
const datatypes = ['text', 'numeric', 'datetime'] as const;

const targetOf = (cube: Elasticube): RuleTarget => ({ kind: cube.ref.kind, id: cube.ref.id });

/** Sisense's field names for the core's (`rules[2].parties[0].id` → `[2].shares[0].party`). */
function sisenseField(field: string): string {
  return field
    .replace(/^rules/, '')
    .replace(/\.parties\[(\d+)\]\.id$/, '.shares[$1].party')
    .replace(/\.parties/, '.shares')
    .replace(/\.field$/, '.column')
    .replace(/\.exclude$/, '.exclusionary');
}

async function partiesOf(
  ports: DatasetPorts,
  principal: Principal,
  value: unknown,
  path: string,
): Promise<RuleParty[]> {
  const shares = array(path, value, 1000);
  return Promise.all(
    shares.map(async (raw, j): Promise<RuleParty> => {
      const share = object(`${path}[${j}]`, raw);
      const type = oneOf(`${path}[${j}].type`, share.type, ['user', 'group', 'default'] as const);
      if (type === 'default') return { kind: 'everyone' };
      const id = await hex24Codec(ports.externalIds, type).decode(
        principal.organizationId,
        share.party,
        `${path}[${j}].party`,
      );
      if (id === undefined)
        throw validationError(
          `${path}[${j}].party`,
          `no ${type} ${String(share.party)}`,
          'data.rule_party_unknown',
        );
      return { kind: type, id: Number(id) };
    }),
  );
}

async function ruleInputOf(
  ports: DatasetPorts,
  principal: Principal,
  cube: Elasticube,
  raw: unknown,
  i: number,
): Promise<MemberRuleInput> {
  const rule = object(`[${i}]`, raw);
  const table = text(`[${i}].table`, rule.table, 1000);
  const column = text(`[${i}].column`, rule.column, 1000);
  const field = cubeField(cube, table, column);
  if (!field) throw validationError(`[${i}].column`, `no column [${table}.${column}] in ${cube.title}`);
  if (rule.datatype !== undefined && oneOf(`[${i}].datatype`, rule.datatype, datatypes) !== field.dimtype)
    throw validationError(`[${i}].datatype`, `[${table}.${column}] is ${field.dimtype}`);
  const allMembers =
    rule.allMembers === undefined || rule.allMembers === null
      ? false
      : boolean(`[${i}].allMembers`, rule.allMembers);
  return {
    field: field.modelAddress,
    members: allMembers && rule.members === undefined ? [] : rule.members,
    exclude: rule.exclusionary === undefined || rule.exclusionary === null ? false : rule.exclusionary,
    allMembers,
    parties: await partiesOf(ports, principal, rule.shares, `[${i}].shares`),
  };
}

async function ruleJson(ports: DatasetPorts, principal: Principal, cube: Elasticube, rule: StoredMemberRule) {
  const field = fieldsOf(cube).find((candidate) => candidate.modelAddress === rule.field);
  const [table, ...column] = rule.field.split('.');
  const organizationId = principal.organizationId;
  const shares = await Promise.all(
    rule.parties.map(async (party) =>
      party.kind === 'everyone'
        ? { type: 'default' }
        : {
            party: await hex24Codec(ports.externalIds, party.kind).encode({
              organizationId,
              id: party.id,
              uuid: '',
            }),
            type: party.kind,
          },
    ),
  );
  const oid = await hex24Codec(ports.externalIds, 'data_rule').encode({
    organizationId,
    id: rule.id,
    uuid: rule.uuid,
  });
  return {
    _id: oid,
    server: CUBE_SERVER,
    elasticube: cube.title,
    fullname: cube.fullname,
    table: field?.table ?? table,
    column: field?.column ?? column.join('.'),
    datatype: field?.dimtype ?? 'text',
    members: rule.members,
    exclusionary: rule.exclude,
    allMembers: rule.allMembers ? true : null,
    shares,
  };
}

export function registerDataSecurityRoutes(app: App, ports: DatasetPorts): void {
  const list = async (request: FastifyRequest<{ Params: Params }>) => {
    const principal = principalOf(request);
    const cube = await cubeByFullname(ports, principal, fullnameParam(request.params));
    const rules = await ports.data.memberRules.list(principal, targetOf(cube));
    return Promise.all(rules.map((rule) => ruleJson(ports, principal, cube, rule)));
  };
  app.get('/api/v1/datasets/:fullname/datasecurity', list);
  app.get('/api/v1/datasets/:server/:title/datasecurity', list);

  /** One rule or a list of them, added all or none; the answer lists the rules made. */
  const create = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const principal = principalOf(request);
    const cube = await cubeByFullname(ports, principal, fullnameParam(request.params));
    const body = isJsonObject(request.body) ? [request.body] : array('body', request.body, MAX_RULES);
    const inputs = await Promise.all(body.map((raw, i) => ruleInputOf(ports, principal, cube, raw, i)));
    const made = await ports.data.memberRules
      .create(principal, targetOf(cube), inputs)
      .catch((error: unknown) => {
        throw isRosettaError(error) && error.field?.startsWith('rules')
          ? renameField(error, sisenseField(error.field))
          : error;
      });
    reply.code(201);
    return Promise.all(made.map((rule) => ruleJson(ports, principal, cube, rule)));
  };
  app.post('/api/v1/datasets/:fullname/datasecurity', create);
  app.post('/api/v1/datasets/:server/:title/datasecurity', create);

  app.delete<{ Params: { dataSecurityId: string } }>(
    '/api/v1/datasets/datasecurity/:dataSecurityId',
    async (request, reply) => {
      const principal = principalOf(request);
      const { dataSecurityId } = request.params;
      const id = await hex24Codec(ports.externalIds, 'data_rule').decode(
        principal.organizationId,
        dataSecurityId,
        'dataSecurityId',
      );
      if (id === undefined) throw notFound('data security rule', dataSecurityId);
      await ports.data.memberRules.delete(principal, Number(id));
      return reply.code(204).send();
    },
  );
}
