// Applies a RIPE import plan in ONE transaction (or only computes its diff, --dry-run): reads the
// groups and networks earlier imports made, diffs them with the plan (domain/ripe/diff.ts) and
// writes only those rows. New groups get the mailbox for every severity; an existing group's
// e-mails of a severity follow a changed mailbox only while they still equal the mailbox the
// import wrote last, so what an operator set there (and mode, locale, time zone, enabled, which
// the import never writes) survives re-imports.
import type pg from 'pg';
import type { RipeGroup, RipeNetwork } from '../../domain/ripe/contacts';
import { diffRipe, type RipeDiff, type StoredRipeGroup } from '../../domain/ripe/diff';
import { inTransaction } from '../pool';

const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
/** Rows per multi-row statement. */
const BATCH = 5_000;

class DryRun extends Error {
  constructor(readonly diff: RipeDiff) {
    super('dry run');
  }
}

async function storedRipeGroups(client: pg.PoolClient): Promise<StoredRipeGroup[]> {
  const groups = await client.query<{ id: string; name: string; handles: string[] | null }>(
    `SELECT g.id, g.name, c.handles FROM groups g LEFT JOIN ripe_group_contacts c ON c.group_id = g.id
      WHERE g.origin = 'ripe'`,
  );
  const byId = new Map<number, StoredRipeGroup>(
    groups.rows.map((g) => [
      Number(g.id),
      { id: Number(g.id), name: g.name, handles: g.handles ?? [], networks: [] },
    ]),
  );
  const networks = await client.query<{
    id: string;
    group_id: string;
    network: string;
    name: string;
    description: string;
    rank: number | null;
  }>(
    `SELECT n.id, n.group_id, n.network::text AS network, n.name, n.description, n.rank
       FROM networks n JOIN groups g ON g.id = n.group_id
      WHERE n.origin = 'ripe' AND g.origin = 'ripe'`,
  );
  for (const n of networks.rows)
    byId.get(Number(n.group_id))?.networks.push({
      id: Number(n.id),
      network: n.network,
      name: n.name,
      description: n.description,
      rank: n.rank,
    });
  return [...byId.values()];
}

async function insertNetworks(client: pg.PoolClient, rows: { groupId: number; network: RipeNetwork }[]) {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO networks (group_id, network, name, description, rank, origin)
       SELECT g, n, name, d, r, 'ripe' FROM unnest($1::bigint[], $2::cidr[], $3::text[], $4::text[], $5::int[])
         AS t(g, n, name, d, r)
       -- The same CIDR put on the group by hand (catalog import) stays the operator's.
       ON CONFLICT (group_id, network) DO NOTHING`,
      [
        batch.map((r) => r.groupId),
        batch.map((r) => r.network.network),
        batch.map((r) => r.network.name),
        batch.map((r) => r.network.description),
        batch.map((r) => r.network.rank),
      ],
    );
  }
}

async function createGroups(client: pg.PoolClient, groups: RipeGroup[]): Promise<void> {
  const networks: { groupId: number; network: RipeNetwork }[] = [];
  for (const group of groups) {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO groups (name, description, origin) VALUES ($1, $2, 'ripe') RETURNING id`,
      [group.mailbox, `RIPE abuse contact ${group.handles.join(', ')}`],
    );
    const id = Number(rows[0]!.id);
    const mailbox = [group.mailbox];
    await client.query(
      `INSERT INTO group_settings (group_id, emails_info, emails_low, emails_medium, emails_high, emails_critical)
       VALUES ($1, $2, $2, $2, $2, $2)`,
      [id, mailbox],
    );
    await client.query('INSERT INTO ripe_group_contacts (group_id, mailbox, handles) VALUES ($1, $2, $3)', [
      id,
      group.mailbox,
      group.handles,
    ]);
    for (const network of group.networks) networks.push({ groupId: id, network });
  }
  await insertNetworks(client, networks);
}

/**
 * Diffs the plan with the catalog and, unless `dryRun`, applies it; both under the catalog import
 * lock, so the diff printed is the change made.
 */
export async function importRipe(
  pool: pg.Pool,
  groups: readonly RipeGroup[],
  options: { dryRun: boolean },
): Promise<RipeDiff> {
  try {
    return await inTransaction(pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('herald_catalog_import'))`);
      const stored = await storedRipeGroups(client);
      const handMade = await client.query<{ name: string }>(`SELECT name FROM groups WHERE origin <> 'ripe'`);
      const changes = diffRipe(groups, stored, new Set(handMade.rows.map((r) => r.name)));
      if (options.dryRun) throw new DryRun(changes.diff);

      if (changes.deleteGroupIds.length)
        await client.query('DELETE FROM groups WHERE id = ANY($1::bigint[])', [changes.deleteGroupIds]);
      for (let i = 0; i < changes.deleteNetworkIds.length; i += BATCH)
        await client.query('DELETE FROM networks WHERE id = ANY($1::bigint[])', [
          changes.deleteNetworkIds.slice(i, i + BATCH),
        ]);
      const renamed = changes.keep.filter((g) => g.from !== g.to);
      // Two steps, so mailboxes that trade places never meet the unique name.
      if (renamed.length)
        await client.query(`UPDATE groups SET name = name || ' ' || id WHERE id = ANY($1::bigint[])`, [
          renamed.map((g) => g.id),
        ]);
      const followMailbox = severities
        .map(
          (s) =>
            `emails_${s} = CASE WHEN emails_${s} = ARRAY[c.mailbox] THEN $2::text[] ELSE emails_${s} END`,
        )
        .join(', ');
      for (const group of renamed) {
        await client.query('UPDATE groups SET name = $2, updated_at = now() WHERE id = $1', [
          group.id,
          group.to,
        ]);
        await client.query(
          `UPDATE group_settings s SET ${followMailbox}, updated_at = now()
             FROM ripe_group_contacts c WHERE c.group_id = s.group_id AND s.group_id = $1`,
          [group.id, [group.to]],
        );
      }
      // Mailbox and handles of every group that stays, in batches.
      for (let i = 0; i < changes.keep.length; i += BATCH) {
        const batch = changes.keep.slice(i, i + BATCH);
        await client.query(
          `INSERT INTO ripe_group_contacts (group_id, mailbox, handles)
           SELECT id, mailbox, string_to_array(handles, ' ')
             FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(id, mailbox, handles)
           ON CONFLICT (group_id) DO UPDATE SET mailbox = EXCLUDED.mailbox, handles = EXCLUDED.handles,
             imported_at = now()`,
          [batch.map((g) => g.id), batch.map((g) => g.to), batch.map((g) => g.handles.join(' '))],
        );
      }
      for (let i = 0; i < changes.updateNetworks.length; i += BATCH) {
        const batch = changes.updateNetworks.slice(i, i + BATCH);
        await client.query(
          `UPDATE networks n SET name = t.name, description = t.d, rank = t.r
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) AS t(id, name, d, r) WHERE n.id = t.id`,
          [
            batch.map((u) => u.id),
            batch.map((u) => u.network.name),
            batch.map((u) => u.network.description),
            batch.map((u) => u.network.rank),
          ],
        );
      }
      await insertNetworks(client, changes.insertNetworks);
      await createGroups(client, changes.create);
      return changes.diff;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.diff;
    throw error;
  }
}
