// Issue 4, test 2: bountycam-cli publishes (test pattern, raw mode with the
// streamer's token from the backend) and livekit-client in Chromium decodes
// it: the right identity, source camera, the codec asked for.
import { assert, checkLoopbackOnly, connect, log, openParticipant, runCli, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function (args) {
  const codec = args.includes('h264') ? 'h264' : 'vp8';
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();
  const cli = runCli(['publish', '--livekit-url', streamerTok.url, '--token', streamerTok.token,
    '--camera', 'test', '--codec', codec, '--duration', '120'], { label: 'cli publisher' });

  const sub = await openParticipant(browser, pageUrl, 'requester');
  await connect(sub, requesterTok);
  const st = await waitForFrames(sub, { identity: streamerTok.identity, frames: 60, timeout: 120000 });
  const video = st.tracks.find((t) => t.kind === 'video' && t.identity === streamerTok.identity);
  log('video track:', JSON.stringify(video));
  assert(video.source === 'camera', 'the cli track source is camera', video.source);
  assert(video.identity === streamerTok.identity, "the track's participant is the streamer", video.identity);
  const v = await waitFor(async () => {
    const s2 = await sub.call('state');
    const x = s2.tracks.find((t) => t.sid === video.sid);
    return x?.stats?.framesDecoded >= 60 && x;
  }, { timeout: 30000, what: 'getStats framesDecoded ≥ 60' });
  log(`getStats: framesDecoded ${v.stats.framesDecoded}, codec ${v.stats.codec}, ${v.width}x${v.height}`);
  assert(String(v.stats.codec).toLowerCase() === `video/${codec}`, `Chromium decodes ${codec} from the cli`, v.stats);
  await checkLoopbackOnly(sub);
  assert(cli.exited() === null, 'the cli publisher is still streaming', cli.exited());
  const r = await cli.stop();
  log('cli publisher stopped:', JSON.stringify(r));
  assert(r.code === 0 || r.code === 130, `the cli leaves cleanly on SIGINT (exit ${r.code})`, r);
}
