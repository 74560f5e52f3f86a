// Starts the system under test once for the whole run (see stack.js) and stops it afterwards.
// The workers find it in E2E_STACK, which they inherit from this process.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, startStack, stackEnv } from './stack.js';

export default async function globalSetup() {
  rmSync(path.join(ARTIFACTS, 'screenshots'), { recursive: true, force: true });
  rmSync(path.join(ARTIFACTS, 'logs'), { recursive: true, force: true });
  const started = Date.now();
  const stack = await startStack();
  Object.assign(process.env, stackEnv(stack));
  process.stdout.write(`e2e: Profiles at ${stack.appUrl} (haproxy over ${stack.backendUrls.length} serves and ${stack.pids.workers.length} workers), database ${stack.dbName}, started in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return async () => {
    await stack.stop();
  };
}
