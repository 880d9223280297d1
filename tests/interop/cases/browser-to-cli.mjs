// Issue 4, test 3 (and test 7 with "sdk-token"): livekit-client publishes
// the fake camera from Chromium and bountycam-cli watches in raw mode until
// it decoded 60 frames. With "sdk-token" the cli's token is minted by
// livekit-server-sdk rather than by the backend.
import { AccessToken } from 'livekit-server-sdk';
import { assert, connect, log, openParticipant, runCli, setup } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function (args) {
  const codec = args.includes('h264') ? 'h264' : 'vp8';
  const { server, s, streamerTok, requesterTok, pageUrl, browser } = await setup();
  let viewerTok = requesterTok;
  if (args.includes('sdk-token')) {
    const at = new AccessToken(server.creds.key, server.creds.secret, { identity: 'sdk-made-cli-viewer', ttl: '10m' });
    at.addGrant({ roomJoin: true, room: s.session.room, canSubscribe: true, canPublish: false });
    viewerTok = { url: streamerTok.url, token: await at.toJwt() };
  }

  const pub = await openParticipant(browser, pageUrl, 'streamer');
  await connect(pub, streamerTok);
  const published = await pub.call('publish', { codec, width: 1280, height: 720, fps: 30 });
  assert(published.ok, `Chromium publishes ${codec}`, published);

  const cli = runCli(['watch', '--livekit-url', viewerTok.url, '--token', viewerTok.token, '--frames', '60', '--duration', '120'],
    { label: 'cli viewer', timeout: 150000 });
  const r = await cli.done;
  log('cli viewer exit:', JSON.stringify(r), 'last JSON lines:', JSON.stringify(cli.json.slice(-3)));
  assert(r.code === 0, `the cli viewer decoded its 60 frames and exited 0 (exit ${r.code})`, cli.json.slice(-10));
  const counts = cli.json.map((j) => j.frames_decoded ?? j.frames ?? j.stats?.frames_decoded ?? 0).filter(Number.isFinite);
  assert(counts.some((n) => n >= 60), 'the cli reports ≥ 60 decoded frames', cli.json.slice(-10));
  const summary = cli.json.find((j) => j.type === 'summary');
  if (summary?.codec) assert(String(summary.codec).toLowerCase() === codec, `the cli decoded ${codec}`, summary);
}
