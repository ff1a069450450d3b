import { Type } from 'typebox';
import type { PinnedItem, PinnedKind, PinRef } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { openChart, savedChartJson } from './chart-shapes.ts';
import { type ContentContext, type ContentPorts, contentContext, slugOf } from './content-context.ts';
import { dashboardJson, openDashboard } from './dashboards.ts';
import { ok } from './envelope.ts';
import { spaceJson } from './spaces.ts';

/** The face's names of pinned item kinds: a space is a core folder. */
const kindOf = { chart: 'chart', dashboard: 'dashboard', space: 'folder' } as const satisfies Record<
  string,
  PinnedKind
>;

/** A project has one pinned list; its uuid is the project's own (`Project.pinnedListUuid`). */
export const pinnedListUuidOf = (context: ContentContext): string => context.project.uuid;

/** `pinnedListUuid` and `pinnedListOrder` of an item: both null when it is not pinned. */
export async function pinOf(context: ContentContext, ref: PinRef) {
  const order = await context.ports.content.pins.positionOf(context.principal, context.project.id, ref);
  return order === undefined
    ? { pinnedListUuid: null, pinnedListOrder: null }
    : { pinnedListUuid: pinnedListUuidOf(context), pinnedListOrder: order };
}

/** `PinnedItem` (spec §2.0.6): the item's summary as the homepage shows it. */
async function pinnedItemJson(context: ContentContext, pinned: PinnedItem) {
  const pin = { pinnedListUuid: pinnedListUuidOf(context), pinnedListOrder: pinned.position };
  const common = { projectUuid: context.project.uuid, organizationUuid: context.organization.uuid };
  if (pinned.kind === 'folder') {
    const { item } = pinned;
    const { content } = context.ports;
    const filter = { folderId: item.uuid };
    const [charts, dashboards] = await Promise.all([
      content.charts.list(context.principal, filter),
      content.dashboards.list(context.principal, filter),
    ]);
    const access = (await context.spaceShares(item)).map((share) => share.userUuid);
    return {
      type: 'space' as const,
      data: {
        uuid: item.uuid,
        name: item.name,
        ...common,
        ...pin,
        isPrivate: item.restricted,
        chartCount: charts.length,
        dashboardCount: dashboards.length,
        accessListLength: access.length,
        access,
      },
    };
  }
  const { item } = pinned;
  const data = {
    uuid: item.uuid,
    name: item.name,
    description: item.description ?? undefined,
    spaceUuid: item.folderUuid,
    ...common,
    ...pin,
    updatedAt: item.updatedAt,
    ...(await context.viewsOf(pinned.kind, item)),
  };
  if (pinned.kind === 'dashboard') return { type: 'dashboard' as const, data };
  return { type: 'chart' as const, data: { ...data, slug: slugOf(item.name), source: 'dbt_explore' } };
}

async function pinnedItems(context: ContentContext) {
  const pinned = await context.ports.content.pins.list(context.principal, context.project.id);
  return Promise.all(pinned.map((item) => pinnedItemJson(context, item)));
}

/** The project's pinned list: only its own uuid names it. */
function checkList(context: ContentContext, pinnedListUuid: string): void {
  if (pinnedListUuid !== pinnedListUuidOf(context)) throw notFound('pinned list', pinnedListUuid);
}

const ListParams = Type.Object({ projectUuid: Type.String(), pinnedListUuid: Type.String() });
const OrderBody = Type.Array(
  Type.Object({
    type: Type.Union([Type.Literal('chart'), Type.Literal('dashboard'), Type.Literal('space')]),
    data: Type.Object(
      { uuid: Type.String(), pinnedListOrder: Type.Union([Type.Number(), Type.Null()]) },
      { additionalProperties: true },
    ),
  }),
);

/** Pinned items (spec §2.11) and the pinning toggles of charts, dashboards and spaces (Appendix B). */
export function registerPinRoutes(app: App, ports: ContentPorts): void {
  const { pins } = ports.content;

  app.get(
    '/v1/projects/:projectUuid/pinned-lists/:pinnedListUuid/items',
    { schema: { params: ListParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      checkList(context, request.params.pinnedListUuid);
      return ok(await pinnedItems(context));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/pinned-lists/:pinnedListUuid/items/order',
    { schema: { params: ListParams, body: OrderBody } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      checkList(context, request.params.pinnedListUuid);
      // The list is ordered as the body's `pinnedListOrder` says; entries without one keep the body's order.
      const order = request.body
        .map((entry, index) => ({ entry, index }))
        .sort((a, b) => (a.entry.data.pinnedListOrder ?? a.index) - (b.entry.data.pinnedListOrder ?? b.index))
        .map(({ entry }) => ({ kind: kindOf[entry.type], uuid: entry.data.uuid }));
      await pins.reorder(context.principal, context.project.id, order, 'body');
      return ok(await pinnedItems(context));
    },
  );

  app.patch(
    '/v1/saved/:chartUuid/pinning',
    { schema: { params: Type.Object({ chartUuid: Type.String() }) } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const ref = { kind: 'chart' as const, uuid: chart.uuid };
      await pins.toggle(context.principal, context.project.id, ref);
      return ok({ ...(await savedChartJson(context, chart, chart)), ...(await pinOf(context, ref)) });
    },
  );

  app.patch(
    '/v1/dashboards/:dashboardUuid/pinning',
    { schema: { params: Type.Object({ dashboardUuid: Type.String() }) } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      const ref = { kind: 'dashboard' as const, uuid: dashboard.uuid };
      await pins.toggle(context.principal, context.project.id, ref);
      return ok({ ...(await dashboardJson(context, dashboard)), ...(await pinOf(context, ref)) });
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/spaces/:spaceUuid/pinning',
    { schema: { params: Type.Object({ projectUuid: Type.String(), spaceUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const space = await context.space(request.params.spaceUuid);
      const ref = { kind: 'folder' as const, uuid: space.uuid };
      await pins.toggle(principalOf(request), context.project.id, ref);
      return ok({ ...(await spaceJson(context, space)), ...(await pinOf(context, ref)) });
    },
  );
}
