// Reproducible IDEA events for G groups: scripts/demo/generate-events.ts (seeded) with every
// source moved into one group's /24 (a second seeded stream picks the group and host).
import { createWriteStream } from 'node:fs';
import { generateEvents, prng } from '../../scripts/demo/generate-events';

export async function writeEventsFile(
  file: string,
  options: { count: number; groups: number; seed: number; now: Date },
): Promise<void> {
  const pick = prng(options.seed + 1_000_003);
  const out = createWriteStream(file);
  for (const event of generateEvents({ count: options.count, seed: options.seed, now: options.now })) {
    const g = Math.floor(pick() * options.groups);
    const host = 1 + Math.floor(pick() * 254);
    const source = (event.Source as Record<string, unknown>[])[0]!;
    delete source.IP6;
    source.IP4 = [`10.${g >> 8}.${g & 255}.${host}`];
    if (!out.write(`${JSON.stringify(event)}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
