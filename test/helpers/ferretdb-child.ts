/**
 * Child process for the "no orphans" test: starts one FerretDB runner through the launcher, prints
 * `PID <runner pid>` on stdout, then idles until it is killed. Usage: ferretdb-child.ts <bin> <dataDir>
 */
import { silentLogger } from '../../src/logger.js';
import { startFerretDb } from '../../src/store/embedded-server.js';

const [binPath, dataDir] = process.argv.slice(2);
if (!binPath || !dataDir) throw new Error('usage: ferretdb-child.ts <bin> <dataDir>');
const server = await startFerretDb({ binPath, dataDir, logger: silentLogger() });
process.stdout.write(`PID ${server.pid}\n`);
setInterval(() => undefined, 60_000);
