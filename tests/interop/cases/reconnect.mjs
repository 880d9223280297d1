// livekit-client's own fault injection against the SFU: the signal socket
// drops (the SDK resumes with reconnect=1) and a forced full reconnect (the
// SDK rejoins and republishes), for the viewer and for the publisher. Each
// time the room comes back and frames flow again without a new connect().
import { assert, connect, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 420000;

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

  for (const scenario of ['signal-reconnect', 'full-reconnect']) {
    for (const who of [sub, pub]) {
      const before = framesOf(await sub.call('state'), streamerTok.identity);
      const { t } = await who.call('simulate', scenario);
      log(`${who.label}: ${scenario}`);
      const back = await waitFor(async () => {
        const st = await who.call('state');
        return st.events.find((e) => e.t >= t && e.type === 'reconnected') && st;
      }, { timeout: 60000, what: `${who.label} to reconnect after ${scenario}` });
      const e = back.events.find((x) => x.t >= t && x.type === 'reconnected');
      log(`${who.label} reconnected ${e.t - t} ms after ${scenario}`);
      const socks = back.sockets.filter((x) => x.t >= t);
      log(`${who.label} signalling since:`, JSON.stringify(socks.map((x) => ({ url: x.url.replace(/^.*\/rtc/, '/rtc'), opened: x.opened }))));
      // The SFU may disable resuming (ClientConfiguration.resume_connection),
      // in which case the SDK rejoins instead; both are LiveKit behaviour.
      const resumed = socks.some((x) => x.opened && /[?&]reconnect=1/.test(x.url));
      log(`${who.label} came back by ${resumed ? 'resuming (reconnect=1)' : 'a full rejoin'}`);
      assert(back.connectionState === 'connected', `${who.label} is connected again after ${scenario}`, back.connectionState);
      const after = await waitFor(async () => {
        const n = framesOf(await sub.call('state'), streamerTok.identity);
        return n >= before + 30 && n;
      }, { timeout: 60000, what: `frames to flow again after ${who.label} ${scenario}` });
      assert(after >= before + 30, `frames flow again after ${who.label} ${scenario} (${before} → ${after})`);
      for (const p of [pub, sub]) {
        const st = await p.call('state');
        assert(st.disconnect === null, `${p.label} was never disconnected`, st.disconnect);
      }
    }
  }
}
