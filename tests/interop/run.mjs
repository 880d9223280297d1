// Entry point of every interop test: `node run.mjs <case> [args...]` runs
// cases/<case>.mjs under the harness (hard timeout, cleanup, exit codes).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const needed = [
  'node_modules/livekit-client/dist/livekit-client.umd.js',
  'node_modules/livekit-server-sdk/package.json',
  'node_modules/playwright-core/package.json',
];
const missing = needed.filter((f) => !fs.existsSync(path.join(here, f)));
if (missing.length) {
  console.log(`SKIP: ${missing.join(', ')} missing; run \`npm ci\` in tests/interop (or .ci/install-deps)`);
  process.exit(77);
}

const [name, ...args] = process.argv.slice(2);
if (!name || !fs.existsSync(path.join(here, 'cases', `${name}.mjs`))) {
  console.log(`usage: node run.mjs <case> [args]; no case named ${name}`);
  process.exit(2);
}
// Where possible the test runs in a network namespace of its own that has
// nothing but a loopback interface: then the server, Chromium and every ICE
// candidate can only ever be on 127.0.0.1/::1. BC_INTEROP_NETNS=0 disables it.
const LO_UP = 'ip link set lo up && exec "$@"';
if (process.env.BC_INTEROP_NETNS !== '0' && !process.env.BC_INTEROP_IN_NETNS) {
  const probe = spawnSync('unshare', ['-rn', 'sh', '-c', LO_UP, 'sh', 'true'], { stdio: 'ignore' });
  if (probe.status === 0) {
    const child = spawn('unshare', ['-rn', 'sh', '-c', LO_UP, 'sh', process.execPath, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, BC_INTEROP_IN_NETNS: '1' },
    });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    await new Promise(() => {});
  }
  console.log('note: no private network namespace (unshare -rn failed); running on the host network, loopback addresses only');
}

const { main } = await import('./lib/harness.mjs');
const mod = await import(`./cases/${name}.mjs`);
await main(() => mod.default(args), { timeoutMs: mod.timeoutMs ?? 300000 });
