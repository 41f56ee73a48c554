// Entry point used by bin/herald. Exits explicitly: open handles (pools, SDK connections) must not
// keep a finished command alive, and stdout/stderr are synchronous for files and pipes on POSIX.
import { main } from './main';

process.exit(await main());
