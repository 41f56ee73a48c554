// Entry point used by bin/herald. Exits explicitly: open handles (pools, SDK connections) must not
// keep a finished command alive. A pipe whose reader is slower than the command (a busy parent,
// `| head`-like consumers) leaves writes queued in libuv even on Linux, and process.exit would drop
// them: the exit waits until stdout and stderr have flushed what was written.
import { main } from './main';

const code = await main();
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => {
    if (stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
  });
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
