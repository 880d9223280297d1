// The streamer unpublishes and republishes its camera 20 times in a row, more
// than the SFU's 16-track limit: every publish succeeds (each unpublished
// section, inactive in livekit-client's next offer, frees its track) and the
// viewer decodes the last one.
import { assert, connect, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function () {
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');
  await connect(pub, streamerTok);
  assert((await pub.call('publishStamped', { codec: 'vp8', width: 640, height: 480, fps: 30 })).ok,
    'the streamer publishes');
  await connect(sub, requesterTok);
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 30 });

  const started = Date.now();
  const cyc = await pub.call('republishCycles', 20, { codec: 'vp8' });
  assert(cyc.ok, 'Chromium unpublished and republished 20 times', cyc);
  log(`20 unpublish/publish cycles took ${Date.now() - started} ms`);
  const local = (await pub.call('state')).localTracks.filter((t) => t.kind === 'video');
  assert(local.length === 1, 'one camera track is published', local);

  const seen = await waitFor(async () => {
    const st = await sub.call('state');
    return st.tracks.find((t) => t.sid === local[0].sid && t.frames >= 30);
  }, { timeout: 90000, interval: 500, what: 'the viewer to decode 30 frames of the last track' });
  assert(seen.identity === streamerTok.identity, 'the last track is the streamer\'s camera', seen);
}
