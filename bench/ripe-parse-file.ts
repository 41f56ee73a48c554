// `herald catalog import-ripe`'s reading as one process, for the RIPE bench: the dumps read,
// parsed and resolved into groups and networks (everything but the database diff), or with
// --lines-only just gunzipped and split into lines (the bench's baseline).
//   node --import tsx bench/ripe-parse-file.ts [--lines-only] [--country CC] FILE...
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { LineSplitter } from '../client/monitor/line-splitter';
import { readDumps } from '../client/ripe/read-dumps';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'lines-only': { type: 'boolean', default: false }, country: { type: 'string', multiple: true } },
});
if (positionals.length === 0) {
  process.stderr.write('usage: ripe-parse-file.ts [--lines-only] [--country CC] FILE...\n');
  process.exit(2);
}

if (values['lines-only']) {
  let lines = 0;
  for (const file of positionals) {
    const splitter = new LineSplitter(0, 64 * 1024);
    let offset = 0;
    const sink = () => {
      lines++;
    };
    await pipeline(createReadStream(file), createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        splitter.push(chunk, offset, sink);
        offset += chunk.length;
      }
    });
  }
  process.stdout.write(`${JSON.stringify({ lines })}\n`);
} else {
  const plan = await readDumps(positionals, { countries: values.country ?? [] });
  process.stdout.write(`${JSON.stringify(plan.counts)}\n`);
}
