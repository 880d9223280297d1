// livekit-client (Chromium) against the SFU alone (bc-sfu-server, no
// backend): a streamer publishes, a viewer decodes, then leaves are checked.
// Reuses the interop harness and its npm packages; skips (77) without them.
// Usage: node sfu-js.mjs <bc-sfu-server> [vp8|h264] [audio]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.join(here, '..', 'interop');
if (!fs.existsSync(path.join(interop, 'node_modules', 'livekit-server-sdk'))) {
  console.log('SKIP: tests/interop/node_modules missing (npm ci)');
  process.exit(77);
}
const H = await import(path.join(interop, 'lib', 'harness.mjs'));
const require = createRequire(path.join(interop, 'package.json'));
const { AccessToken } = require('livekit-server-sdk');

const [serverBin, ...args] = process.argv.slice(2);
const codec = args.includes('h264') ? 'h264' : 'vp8';
const audio = args.includes('audio');

const lines = [];

async function startSfu(key, secret) {
  const child = spawn(serverBin, [], {
    env: { ...process.env, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret, BC_SFU_DEPARTURE_TIMEOUT: "2", G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG ?? "" },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  H.onFailure(() => ['---- sfu output ----', ...lines.slice(-300)]);
  H.onCleanup(() => child.kill('SIGTERM'));
  readline.createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  return new Promise((resolve) => {
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      const m = l.match(/listening on http:\/\/([^/]+)\//);
      if (m) resolve(`ws://${m[1]}`);
    });
  });
}

async function token(key, secret, identity, grants) {
  const at = new AccessToken(key, secret, { identity, name: identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, room: 'sfu-js', ...grants });
  return at.toJwt();
}

await H.main(async () => {
  const key = 'sfu-js-key';
  const secret = crypto.randomBytes(24).toString('base64url');
  const url = await startSfu(key, secret);
  const pageUrl = await H.startPageServer();
  const browser = await H.launchBrowser();
  const pub = await H.openParticipant(browser, pageUrl, 'streamer');
  const sub = await H.openParticipant(browser, pageUrl, 'viewer');

  const pc = await H.connect(pub, { url, token: await token(key, secret, 'streamer', { canSubscribe: false }) });
  H.assert(pc.permissions?.canPublish === true, 'streamer may publish', pc);
  const published = await pub.call('publish', { codec, audio, width: 640, height: 480, fps: 30 });
  H.assert(published.ok, `streamer publishes ${codec}`, published);

  const sc = await H.connect(sub, { url, token: await token(key, secret, 'viewer', { canPublish: false }) });
  H.assert(sc.permissions?.canPublish === false, 'viewer may not publish', sc);
  const st = await H.waitForFrames(sub, { identity: 'streamer', frames: 60 });
  const video = st.tracks.find((t) => t.kind === 'video');
  H.log('video track:', JSON.stringify(video));
  H.assert(video.source === 'camera', 'source camera', video);
  if (audio) {
    await H.waitFor(async () => {
      const s2 = await sub.call('state');
      return s2.tracks.find((t) => t.kind === 'audio' && t.stats?.packetsReceived > 20);
    }, { timeout: 60000, what: 'audio packets' });
    H.assert(true, 'audio received');
  }
  const t = await pub.call('disconnect');
  const seen = await H.waitFor(async () => {
    const s2 = await sub.call('state');
    return s2.events.find((e) => e.type === 'participant-disconnected' || e.type === 'participantDisconnected');
  }, { timeout: 10000, what: 'viewer sees the streamer leave' });
  H.log(`viewer saw the leave after ${seen.t - t.t} ms`);
  if (process.env.SFU_JS_DUMP) console.log(lines.join('\n'));
}, { timeoutMs: 240000 });
