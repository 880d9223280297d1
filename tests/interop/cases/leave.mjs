// Issue 3, test 5: a participant leaving is seen by the other within 2 s,
// counted from the moment the leaving client sends its leave (both pages
// read the same system clock).
import { assert, connect, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;
const LIMIT_MS = 2000;

async function seenLeaving(watcher, identity, since) {
  const e = await waitFor(async () => {
    const st = await watcher.call('state');
    return st.events.find((x) => x.type === 'participant-disconnected' && x.identity === identity && x.t >= since);
  }, { timeout: 30000, interval: 100, what: `${watcher.label} to see ${identity} leave` });
  return e.t - since;
}

export default async function () {
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');

  await connect(pub, streamerTok);
  assert((await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 })).ok, 'the streamer publishes');
  await connect(sub, requesterTok);
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 10 });
  await waitFor(async () => (await pub.call('state')).remote.some((p) => p.identity === requesterTok.identity),
    { what: 'the streamer to see the requester' });

  // The requester leaves; the streamer must notice.
  const { t: t1 } = await sub.call('disconnect');
  const d1 = await seenLeaving(pub, requesterTok.identity, t1);
  log(`streamer saw the requester leave after ${d1} ms`);
  assert(d1 <= LIMIT_MS, `the requester's leave reaches the streamer within ${LIMIT_MS} ms (${d1} ms)`);

  // A requester joins again; now the streamer leaves.
  const sub2 = await openParticipant(browser, pageUrl, 'requester-again');
  await connect(sub2, requesterTok);
  await waitForFrames(sub2, { identity: streamerTok.identity, frames: 10 });
  const { t: t2 } = await pub.call('disconnect');
  const d2 = await seenLeaving(sub2, streamerTok.identity, t2);
  log(`requester saw the streamer leave after ${d2} ms`);
  assert(d2 <= LIMIT_MS, `the streamer's leave reaches the requester within ${LIMIT_MS} ms (${d2} ms)`);
  const st = await sub2.call('state');
  assert(st.tracks.every((t) => t.unsubscribedAt !== null), "the streamer's tracks are unsubscribed", st.tracks);
  assert(st.connectionState === 'connected', 'the requester stays connected to the room', st.connectionState);
}
