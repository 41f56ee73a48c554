// Entry point used by bin/herald.
import { main } from './main';

const code = await main();
// Let pending output flush; long-running commands (worker, dev daemons) never reach here early.
process.exitCode = code;
