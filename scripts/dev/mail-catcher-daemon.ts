// Entry point of the mail catcher as a background process of the local stack.
import { startMailCatcher } from './mail-catcher';

const [smtpPort, httpPort, storeDir] = process.argv.slice(2);
const catcher = await startMailCatcher({
  smtpPort: Number(smtpPort),
  httpPort: Number(httpPort),
  storeDir,
});
console.log(`mail catcher: SMTP ${catcher.smtpUrl}, web ${catcher.webUrl}`);
const stop = async () => {
  await catcher.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
