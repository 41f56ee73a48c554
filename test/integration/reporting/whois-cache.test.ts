// The worker's whois follows the catalog: runs share one while the groups, networks and
// report_base_only stay as they are, and the first run after a committed change gets a new one
// (migration 0860's token); a change not committed yet is not seen.
import { describe, expect, it } from 'vitest';
import { currentWhois } from '../../../activities/reporting/whois-cache';
import { demoCatalogDatabase } from '../store/helpers';

const database = demoCatalogDatabase();

describe("the worker's whois", () => {
  it('is shared while the catalog stays and rebuilt after each committed change', async () => {
    const db = database();
    const [first, concurrent] = await Promise.all([currentWhois(db.pool), currentWhois(db.pool)]);
    expect(concurrent).toBe(first);
    expect(first.lookup('192.0.2.70')).toEqual({
      chain: ['university-dorms', 'university'],
      fallback: ['csirt-national'],
    });
    expect(await currentWhois(db.pool)).toBe(first);

    // A network removed, in a transaction still open: not seen; committed: seen.
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`DELETE FROM networks WHERE name = 'UNI-DORMS'`);
      const during = await currentWhois(db.pool);
      expect(during.lookup('192.0.2.70').chain).toEqual(['university-dorms', 'university']);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    const afterDelete = await currentWhois(db.pool);
    expect(afterDelete).not.toBe(first);
    expect(afterDelete.lookup('192.0.2.70')).toEqual({ chain: ['university'], fallback: ['csirt-national'] });

    // A group renamed.
    await db.pool.query(`UPDATE groups SET name = 'uni' WHERE name = 'university'`);
    expect((await currentWhois(db.pool)).lookup('192.0.2.70').chain).toEqual(['uni']);

    // The global setting: an address only a base network covers goes to its owner.
    expect((await currentWhois(db.pool)).lookup('198.51.100.200')).toEqual({
      chain: [],
      fallback: ['csirt-national'],
    });
    await db.pool.query('UPDATE global_settings SET report_base_only = true WHERE id');
    expect((await currentWhois(db.pool)).lookup('198.51.100.200')).toEqual({
      chain: ['csirt-national'],
      fallback: [],
    });
  });
});
