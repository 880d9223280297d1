// Issue 3, test 4: livekit-client with its default room options tries the
// single-PC /rtc/v1 path first and falls back to /rtc.
import { assert, checkLoopbackOnly, connect, log, openParticipant, setup, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function () {
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');

  await connect(pub, streamerTok, { defaults: true });
  const published = await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 });
  assert(published.ok, 'the streamer publishes with default options', published);
  await connect(sub, requesterTok, { defaults: true });
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 30 });

  for (const p of [pub, sub]) {
    const st = await p.call('state');
    log(`${p.label} sockets:`, JSON.stringify(st.sockets), 'fetches:', JSON.stringify(st.fetches));
    const path = (u) => new URL(u).pathname;
    assert(st.sockets.length >= 2, `${p.label}: the SDK opened more than one signalling socket`, st.sockets);
    assert(path(st.sockets[0].url) === '/rtc/v1', `${p.label}: the SDK tried /rtc/v1 first`, st.sockets);
    assert(!st.sockets[0].opened, `${p.label}: /rtc/v1 was refused`, st.sockets[0]);
    const v = st.fetches.find((f) => path(f.url) === '/rtc/v1/validate');
    assert(v && v.status === 404, `${p.label}: /rtc/v1/validate answered 404`, st.fetches);
    const ok = st.sockets.find((s) => path(s.url) === '/rtc' && s.opened);
    assert(ok, `${p.label}: the SDK then joined through /rtc`, st.sockets);
  }
  await checkLoopbackOnly(sub);
}
