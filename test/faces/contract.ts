import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../src/core/auth/index.ts';
import type { IdKind } from '../../src/core/ids/index.ts';
import type { RoutePermissions, RouteRule } from '../../src/http/kit/route-permissions.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';

/**
 * The face contract (issue 12, design review §7.4): the acceptance tests every face runs, native
 * included, and the first test a new face passes. A face is described by a small descriptor; the
 * suite walks the face's permission table, so a route added to the table is covered at once.
 */

/** Objects created through the native API before the suite runs, so path parameters name real things. */
export interface Fixture {
  source: string;
  dashboard: string;
  folder: string;
  group: string;
  /** A viewer, not the admin: hostile bodies on its routes must not lock the suite out. */
  user: string;
  /** The same objects' integer ids (Holistics names objects by them). */
  numeric: { source: string; dashboard: string; folder: string; group: string; user: string };
  /** Their 24-hex oids (Sisense names objects by them), allocated by the core's external ids. */
  hex: { source: string; dashboard: string; folder: string; group: string; user: string };
  /** The data source's name (a JAQL data source is addressed by its title). */
  sourceName: string;
}

export interface FaceDescriptor {
  name: string;
  /** The face's permission table; only its rows under one of `prefixes` are this face's. */
  permissions: RoutePermissions;
  prefixes: string[];
  /** The headers that carry a credential the way the face's clients send it. */
  credential(secret: string): Record<string, string>;
  /** The message of an error body when it is in the face's envelope, else undefined. */
  errorMessage(body: unknown): string | undefined;
  /** Path parameter values: the segment before a parameter names the fixture object it takes. */
  ids(fixture: Fixture): Record<string, string>;
  /** An id naming nothing, for parameters the fixture has no object for. */
  missingId: string;
  /** GET routes (as in the table) answering a list, and how to read the list out of the answer. */
  lists: string[];
  itemsOf(body: unknown): unknown;
  /** Set when the face's lists page by `limit` and `after`, answering `next` (the native contract). */
  paged?: boolean;
  /** Settings of the server the suite runs against. */
  env?: Record<string, string>;
}

const actionOf = (rule: Exclude<RouteRule, 'public'>) => (typeof rule === 'object' ? rule.orOwnToken : rule);

const HUGE = 'x'.repeat(200_000);
/** Field names the faces' bodies use, so wrong types and nulls reach their validators. */
const FIELDS = ['name', 'email', 'username', 'role', 'type', 'columns', 'rows', 'data', 'query', 'mode'];
const fields = (value: unknown) => Object.fromEntries(FIELDS.map((field) => [field, value]));

/** A handful of hostile bodies every body-taking route gets, as raw JSON text. */
const HOSTILE_BODIES: Record<string, string> = {
  null: 'null',
  'a bare string': '"hello"',
  'an array': '[1, "two", null]',
  'an empty object': '{}',
  'wrong types': JSON.stringify(fields({ not: ['what', 'it', 'expects'] })),
  nulls: JSON.stringify(fields(null)),
  'huge strings': JSON.stringify(fields(HUGE)),
  'nested arrays': `{"name": ${'['.repeat(500)}${']'.repeat(500)}, "rows": ${'['.repeat(64)}1${']'.repeat(64)}}`,
  'NUL characters': JSON.stringify(fields('a\u0000b')),
  'unknown keys': '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}, "zzz": 1}',
};

/**
 * Random hostile bodies from a seeded generator, so a failure names a seed that replays it
 * (`CONTRACT_SEED=<seed>`). Values mix what validators trip on: wrong types, huge and unicode
 * strings (NUL, lone surrogates, right-to-left, emoji), extreme numbers, nulls, arrays where
 * objects go and objects where lists go, and deep nesting.
 */
const RANDOM_BODY_FIELDS = [
  ...FIELDS,
  'id',
  'uuid',
  'description',
  'password',
  'access',
  'widgets',
  'filters',
  'dimensions',
  'metrics',
  'source',
  'cron',
  'timezone',
  'destination',
  'conditions',
  'target',
  'visualization',
  'format',
  'folderId',
  'parentId',
  'dataSourceIds',
  'userId',
  'status',
  'values',
  'attributes',
  'tables',
  'joins',
  'baseTable',
  'connectionId',
  'sql',
  'token',
  'expiresInSeconds',
  'limit',
  'offset',
  'sort',
];
const UNICODE = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e\u05e9\u05dc\u05d5\u05dd',
  '🦄👩‍👩‍👧',
  'e\u0301\u0301',
  '\ufeff',
  '"\'; --',
];
const RANDOM_BODIES_PER_ROUTE = 6;

/** mulberry32: small, fast and the same everywhere, enough to replay a body from its seed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileBody(seed: number): string {
  const random = randomSource(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  // A budget of values keeps a body small enough to send by the thousand; one huge string at most.
  let budget = 200;
  let huge = 1;
  const text = (): string => {
    const length = pick([0, 1, 8, 300, huge-- > 0 ? 70_000 : 30]);
    let out = '';
    while (out.length < length)
      out += random() < 0.3 ? pick(UNICODE) : String.fromCharCode(32 + Math.floor(random() * 95));
    return out.slice(0, Math.max(length, 1));
  };
  const nested = (): unknown => {
    const depth = pick([50, 300, 2_000]);
    let value: unknown = pick([1, 'deep', null]);
    for (let i = 0; i < depth; i++) value = random() < 0.5 ? [value] : { [pick(RANDOM_BODY_FIELDS)]: value };
    return value;
  };
  const value = (depth: number): unknown => {
    const kinds = depth > 3 || --budget < 0 ? 6 : 11;
    switch (Math.floor(random() * kinds)) {
      case 0:
        return null;
      case 1:
        return text();
      case 2:
        return pick([0, -1, -0, 1.5, 2 ** 53 + 1, 1e308, -1e308, 2 ** 31, Number.MIN_VALUE]);
      case 3:
        return random() < 0.5;
      case 4:
        return '';
      case 5:
        return pick(['true', '1', '2024-13-45T25:61:00Z', 'null', '[]', '{}', '../../etc/passwd']);
      case 6:
        return Array.from({ length: pick([0, 1, 3]) }, () => value(depth + 1));
      case 7:
        return object(depth + 1);
      case 8:
        return nested();
      case 9:
        return Array.from({ length: 1_000 }, () => pick([1, 'x', null, {}, []]));
      default:
        return [object(depth + 1)];
    }
  };
  const object = (depth: number): Record<string, unknown> =>
    Object.fromEntries(
      Array.from({ length: 1 + Math.floor(random() * 6) }, () => [
        random() < 0.9 ? pick(RANDOM_BODY_FIELDS) : text(),
        value(depth),
      ]),
    );
  return JSON.stringify(random() < 0.85 ? object(0) : value(0));
}

/**
 * Routes that end the credentials they are called with run last: a logout (1) ends only its own,
 * Sisense's `logout_all` (2) every credential of the caller, so it runs after everything else.
 */
const endingRank = (url: string) => (url.endsWith('/logout_all') ? 2 : url.endsWith('/logout') ? 1 : 0);

const CONTRACT_SEED = Number(process.env.CONTRACT_SEED ?? 20_261_207);

export function describeFaceContract(face: FaceDescriptor): void {
  describe(`the ${face.name} face contract`, () => {
    let app: TestApp;
    let fixture: Fixture;
    let viewerKey: string;

    const routes = Object.entries(face.permissions)
      .filter(([key]) => face.prefixes.some((prefix) => key.split(' ')[1].startsWith(`${prefix}/`)))
      .map(([key, rule]) => {
        const [method, url] = key.split(' ');
        return { method, url, rule, takesBody: ['POST', 'PUT', 'PATCH'].includes(method) };
      });

    const concrete = (url: string) => {
      const ids = face.ids(fixture);
      return url.replace(
        /([^/]+)\/:(\w+)/g,
        (_, segment: string) => `${segment}/${ids[segment] ?? face.missingId}`,
      );
    };

    /** One request through the real server, with `secret` sent the face's way (none when empty). */
    const send = async (method: string, url: string, secret: string, payload?: string) => {
      const headers = secret ? face.credential(secret) : {};
      const path = concrete(url);
      const response = await app.rosetta.server.inject({
        method: method as 'GET',
        url: path,
        headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        payload,
      });
      let body: unknown = response.body;
      try {
        body = response.json();
      } catch {
        // not JSON: the envelope check fails on it
      }
      return { status: response.statusCode, body, route: `${method} ${path}` };
    };

    beforeAll(async () => {
      app = await startTestApp({ env: face.env });
      const created = async (url: string, body: unknown) => {
        const answer = await app.request('POST', url, body);
        expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(201);
        return answer.body;
      };
      const viewer = { email: 'viewer@contract.test', role: 'viewer', password: 'viewer password 123' };
      const user = await created('/api/users', viewer);
      const { auth } = app.rosetta.services;
      const session = await auth.login(viewer.email, viewer.password);
      viewerKey = (await auth.createApiKey(await auth.authenticate(session.token), { name: 'contract' })).key;
      const source = await created('/api/data-sources', { name: 'contract source', type: 'storage' });
      const dashboard = await created('/api/dashboards', { name: 'contract dashboard' });
      const folder = await created('/api/folders', { name: 'contract folder' });
      const group = await created('/api/groups', { name: 'contract group' });
      const { organizationId } = await auth.authenticate(ADMIN_KEY);
      const hexOf = (kind: IdKind, id: number) =>
        app.rosetta.services.externalIds.idOf(organizationId, kind, id, 'hex24');
      fixture = {
        user: user.uuid,
        source: source.uuid,
        dashboard: dashboard.uuid,
        folder: folder.uuid,
        group: group.uuid,
        numeric: {
          user: String(user.id),
          source: String(source.id),
          dashboard: String(dashboard.id),
          folder: String(folder.id),
          group: String(group.id),
        },
        hex: {
          user: await hexOf('user', user.id),
          source: await hexOf('data_source', source.id),
          dashboard: await hexOf('dashboard', dashboard.id),
          folder: await hexOf('folder', folder.id),
          group: await hexOf('group', group.id),
        },
        sourceName: source.name,
      };
    }, 60_000);
    afterAll(() => app?.close());

    it('refuses every non-public route without a credential, in its envelope', async () => {
      const wrong: string[] = [];
      const inOrder = [...routes].sort((a, b) => endingRank(a.url) - endingRank(b.url));
      for (const { method, url, rule, takesBody } of inOrder) {
        if (rule === 'public') continue;
        const answer = await send(method, url, '', takesBody ? '{}' : undefined);
        if (answer.status !== 401 || face.errorMessage(answer.body) === undefined)
          wrong.push(`${answer.route}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      expect(wrong).toEqual([]);
    });

    it("answers an unknown route with a 404 in the face's envelope", async () => {
      const answer = await send('GET', `${face.prefixes[0]}/no-such-route`, ADMIN_KEY);
      expect(answer.status).toBe(404);
      expect(face.errorMessage(answer.body), JSON.stringify(answer.body)).toBeTruthy();
    });

    const freshViewerKey = async () => {
      const { auth } = app.rosetta.services;
      return (await auth.createApiKey(await auth.authenticate(viewerKey), { name: 'contract logout' })).key;
    };

    it('refuses a viewer exactly the actions the core refuses it, in the envelope (permission parity)', async () => {
      // The core's verdict for the principal is the native face's by construction (the native face
      // runs this suite too), so every face agrees with the native API action by action.
      const viewer = await app.rosetta.services.auth.authenticate(viewerKey);
      const may = (rule: Exclude<RouteRule, 'public'>) => {
        try {
          authorize(viewer, actionOf(rule));
          return true;
        } catch {
          return false;
        }
      };
      const wrong: string[] = [];
      const inOrder = [...routes].sort((a, b) => endingRank(a.url) - endingRank(b.url));
      for (const { method, url, rule, takesBody } of inOrder) {
        if (rule === 'public') continue;
        // A logout gets a key of its own, so the routes after it still have a live one.
        const secret = endingRank(url) > 0 ? await freshViewerKey() : viewerKey;
        const answer = await send(method, url, secret, takesBody ? '{}' : undefined);
        // The route's permission hook refuses before any lookup, so a refusal is a 403, never a 404.
        const inEnvelope = answer.status < 400 || face.errorMessage(answer.body) !== undefined;
        if (answer.status === 401 || (answer.status === 403) === may(rule) || !inEnvelope)
          wrong.push(`${answer.route} (${actionOf(rule)}): ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      expect(wrong).toEqual([]);
    });

    it('answers a list on every list route, one page of it when the face pages', async () => {
      for (const url of face.lists) {
        const answer = await send('GET', url, ADMIN_KEY);
        expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(200);
        expect(Array.isArray(face.itemsOf(answer.body)), url).toBe(true);
        if (!face.paged) continue;
        const page = await send('GET', `${url}?limit=1`, ADMIN_KEY);
        expect(page.status, `${url}?limit=1: ${JSON.stringify(page.body)}`).toBe(200);
        expect((face.itemsOf(page.body) as unknown[]).length, url).toBeLessThanOrEqual(1);
        expect(page.body, url).toHaveProperty('next');
      }
    });

    const bodyRoutes = routes.filter((route) => route.takesBody);

    it('never answers a hostile body with a server error, in the envelope when refused', async () => {
      const wrong: string[] = [];
      for (const { method, url } of bodyRoutes) {
        for (const [kind, payload] of Object.entries(HOSTILE_BODIES)) {
          const answer = await send(method, url, ADMIN_KEY, payload);
          const enveloped = answer.status < 400 || face.errorMessage(answer.body) !== undefined;
          if (answer.status >= 500 || !enveloped)
            wrong.push(
              `${answer.route} with ${kind}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
            );
        }
      }
      expect(wrong).toEqual([]);
    }, 60_000);

    it('never answers a random hostile body with a server error, in the envelope when refused', async () => {
      const wrong: string[] = [];
      for (const [index, { method, url }] of bodyRoutes.entries()) {
        for (let n = 0; n < RANDOM_BODIES_PER_ROUTE; n++) {
          const seed = CONTRACT_SEED + index * RANDOM_BODIES_PER_ROUTE + n;
          const payload = hostileBody(seed);
          const answer = await send(method, url, ADMIN_KEY, payload);
          const enveloped = answer.status < 400 || face.errorMessage(answer.body) !== undefined;
          if (answer.status >= 500 || !enveloped)
            wrong.push(
              `${answer.route} with body seed ${seed} (${payload.slice(0, 120)}): ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
            );
        }
      }
      expect(wrong).toEqual([]);
    }, 180_000);
  });
}
