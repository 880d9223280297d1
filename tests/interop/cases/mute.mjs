// The streamer mutes and unmutes the camera: the viewer is told both ways
// (MuteTrackRequest relayed as a participant update) and frames resume.
import { assert, connect, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

const framesOf = (st, identity) =>
  st.tracks.filter((t) => t.kind === 'video' && t.identity === identity).reduce((n, t) => n + t.frames, 0);

export default async function () {
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');
  await connect(pub, streamerTok);
  assert((await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 })).ok, 'the streamer publishes');
  await connect(sub, requesterTok);
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 30 });

  const m = await pub.call('muteVideo', true);
  const muted = await waitFor(async () => (await sub.call('state')).events.find((e) => e.type === 'track-muted' && e.sid === m.sid && e.t >= m.t),
    { timeout: 30000, what: 'the viewer to see the camera muted' });
  log(`viewer saw the mute after ${muted.t - m.t} ms`);
  assert(muted.identity === streamerTok.identity, 'the muted track is the streamer\'s camera', muted);

  const before = framesOf(await sub.call('state'), streamerTok.identity);
  const u = await pub.call('muteVideo', false);
  const unmuted = await waitFor(async () => (await sub.call('state')).events.find((e) => e.type === 'track-unmuted' && e.sid === u.sid && e.t >= u.t),
    { timeout: 30000, what: 'the viewer to see the camera unmuted' });
  log(`viewer saw the unmute after ${unmuted.t - u.t} ms`);
  const after = await waitFor(async () => {
    const n = framesOf(await sub.call('state'), streamerTok.identity);
    return n >= before + 30 && n;
  }, { timeout: 60000, what: 'frames after the unmute' });
  assert(after >= before + 30, `frames flow after the unmute (${before} → ${after})`);
}
