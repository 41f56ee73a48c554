// A generated RIPE split dump (gzip, RPSL as RIPE writes it, `source: RIPE # Filtered`) of about
// `objects` objects: 2 % roles with an abuse-mailbox, 2 % organisations with an abuse-c, and
// address ranges nested as in the real database: per organisation an IPv4 allocation (/16, its
// contact from the org), assignments inside it (/24 and ranges that are not one CIDR, a third
// with an abuse-c of their own, the rest inheriting), and IPv6 allocations with /48 assignments.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { prng } from '../../scripts/demo/generate-events';

export interface RipeDumpFiles {
  files: string[];
  objects: number;
  ranges: number;
}

class GzipWriter {
  private readonly gzip = createGzip({ level: 6 });
  private readonly done: Promise<unknown>;
  constructor(file: string) {
    const out = createWriteStream(file);
    this.gzip.pipe(out);
    this.done = once(out, 'finish');
  }
  async write(text: string): Promise<void> {
    if (!this.gzip.write(text)) await once(this.gzip, 'drain');
  }
  async close(): Promise<void> {
    this.gzip.end();
    await this.done;
  }
}

const ip4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const header = "#\n# generated for herald's benchmark: not RIPE data\n#\n\n";

export async function writeRipeDump(dir: string, objects: number, seed: number): Promise<RipeDumpFiles> {
  const random = prng(seed);
  const contacts = Math.max(1, Math.floor(objects / 50));
  const names = ['role', 'organisation', 'inetnum', 'inet6num'];
  const files = names.map((n) => path.join(dir, `ripe.db.${n}.gz`));
  const [roles, orgs, inetnums, inet6nums] = files.map((f) => new GzipWriter(f)) as [
    GzipWriter,
    GzipWriter,
    GzipWriter,
    GzipWriter,
  ];
  for (const w of [roles, orgs, inetnums, inet6nums]) await w.write(header);
  for (let i = 0; i < contacts; i++) {
    await roles.write(
      `role:           Abuse team ${i}\naddress:        Street ${i}\n                City\nnic-hdl:        AR${i}-RIPE\n` +
        `abuse-mailbox:  abuse@net${i}.example\nmnt-by:         MNT-${i}\nsource:         RIPE # Filtered\n\n`,
    );
    await orgs.write(
      `organisation:   ORG-N${i}-RIPE\norg-name:       Network ${i}\norg-type:       LIR\nabuse-c:        AR${i}-RIPE\n` +
        `mnt-ref:        MNT-${i}\nsource:         RIPE # Filtered\n\n`,
    );
  }
  let ranges = 0;
  const budget = objects - 2 * contacts;
  const country = () => (random() < 0.1 ? 'CZ' : random() < 0.5 ? 'DE' : 'NL');
  const range = async (writer: GzipWriter, cls: string, value: string, netname: string, extra: string) => {
    ranges++;
    await writer.write(
      `${cls}:${' '.repeat(16 - cls.length - 1)}${value}\nnetname:        ${netname}\ncountry:        ${country()}\n${extra}` +
        `status:         ASSIGNED PA\nmnt-by:         MNT-X\nsource:         RIPE # Filtered\n\n`,
    );
  };
  let allocation = 0;
  while (ranges < budget) {
    const org = allocation % contacts;
    const base = ((10 + Math.floor(allocation / 256)) * 2 ** 24 + (allocation % 256) * 2 ** 16) >>> 0;
    await range(
      inetnums,
      'inetnum',
      `${ip4(base)} - ${ip4(base + 0xffff)}`,
      `ALLOC-${allocation}`,
      `org:            ORG-N${org}-RIPE\n`,
    );
    // 255 assignments per /16 at most, one in five v6.
    for (let k = 0; k < 200 && ranges < budget; k++) {
      const own = random() < 0.33 ? `abuse-c:        AR${Math.floor(random() * contacts)}-RIPE\n` : '';
      if (k % 5 === 4) {
        const v6 = `2001:db8:${allocation.toString(16)}:${k.toString(16)}::/64`;
        await range(
          inet6nums,
          'inet6num',
          v6,
          `V6-${allocation}-${k}`,
          own || `org:            ORG-N${org}-RIPE\n`,
        );
      } else if (k % 7 === 3) {
        const from = base + k * 256 + 10;
        await range(inetnums, 'inetnum', `${ip4(from)} - ${ip4(from + 100)}`, `PART-${allocation}-${k}`, own);
      } else {
        const from = base + k * 256;
        await range(inetnums, 'inetnum', `${ip4(from)} - ${ip4(from + 255)}`, `NET-${allocation}-${k}`, own);
      }
    }
    allocation++;
  }
  for (const w of [roles, orgs, inetnums, inet6nums]) await w.close();
  return { files, objects: 2 * contacts + ranges, ranges };
}
