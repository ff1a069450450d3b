import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { notFound, validationError } from '../errors.ts';
import type { Tag, TagService } from './curation.ts';
import type { Db } from './repo.ts';

/** An icon: an emoji, or the address of an image. */
export type CatalogIcon = { unicode: string } | { url: string };

export interface CatalogLabels {
  tags: Tag[];
  icon: CatalogIcon | null;
}

/**
 * Labels of a project's catalog entries: the project's tags as categories, and an icon. Entries
 * are named by a key the caller derives from what it lists (a table, a field); whoever reads
 * models reads the labels, editors (who manage tags) set them.
 */
export class CatalogLabelService {
  constructor(
    private readonly db: Db,
    private readonly tags: Pick<TagService, 'list'>,
  ) {}

  /** Every labelled entry of the project, by key. */
  async list(principal: Principal, projectId: number): Promise<Map<string, CatalogLabels>> {
    authorize(principal, 'model.read');
    const [tags, tagRows, iconRows] = await Promise.all([
      this.tags.list(principal, projectId),
      this.db
        .selectFrom('catalog_tags')
        .select(['item_key', 'tag_id'])
        .where('project_id', '=', projectId)
        .orderBy('created_at')
        .execute(),
      this.db
        .selectFrom('catalog_icons')
        .select(['item_key', 'icon'])
        .where('project_id', '=', projectId)
        .execute(),
    ]);
    const tagById = new Map(tags.map((tag) => [tag.id, tag]));
    const labels = new Map<string, CatalogLabels>();
    const of = (key: string) => {
      const entry = labels.get(key) ?? { tags: [], icon: null };
      labels.set(key, entry);
      return entry;
    };
    for (const row of tagRows) {
      const tag = tagById.get(row.tag_id);
      if (tag) of(row.item_key).tags.push(tag);
    }
    for (const row of iconRows) of(row.item_key).icon = JSON.parse(row.icon) as CatalogIcon;
    return labels;
  }

  /** Adds one of the project's tags to an entry; adding it again changes nothing. */
  async addTag(principal: Principal, projectId: number, key: string, tagUuid: string): Promise<void> {
    const tag = await this.projectTag(principal, projectId, tagUuid);
    await this.db
      .insertInto('catalog_tags')
      .values({ project_id: projectId, item_key: key, tag_id: tag.id, created_at: nowIso() })
      .onConflict((conflict) => conflict.columns(['project_id', 'item_key', 'tag_id']).doNothing())
      .execute();
  }

  async removeTag(principal: Principal, projectId: number, key: string, tagUuid: string): Promise<void> {
    const tag = await this.projectTag(principal, projectId, tagUuid);
    await this.db
      .deleteFrom('catalog_tags')
      .where('project_id', '=', projectId)
      .where('item_key', '=', key)
      .where('tag_id', '=', tag.id)
      .execute();
  }

  /** Sets an entry's icon; null clears it. */
  async setIcon(
    principal: Principal,
    projectId: number,
    key: string,
    icon: CatalogIcon | null,
  ): Promise<void> {
    authorize(principal, 'dashboard.edit');
    if (icon !== null) checkIcon(icon);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('catalog_icons')
        .where('project_id', '=', projectId)
        .where('item_key', '=', key)
        .execute();
      if (icon !== null)
        await trx
          .insertInto('catalog_icons')
          .values({ project_id: projectId, item_key: key, icon: JSON.stringify(icon) })
          .execute();
    });
  }

  private async projectTag(principal: Principal, projectId: number, tagUuid: string): Promise<Tag> {
    authorize(principal, 'dashboard.edit');
    const tag = (await this.tags.list(principal, projectId)).find((candidate) => candidate.uuid === tagUuid);
    if (!tag) throw notFound('tag', tagUuid);
    return tag;
  }
}

function checkIcon(icon: CatalogIcon): void {
  if ('unicode' in icon) {
    if (icon.unicode.length === 0 || icon.unicode.length > 16)
      throw validationError('icon.unicode', 'must be one emoji');
    return;
  }
  if (!/^https?:\/\/\S+$/.test(icon.url) || icon.url.length > 2000)
    throw validationError('icon.url', 'must be an http(s) address');
}
