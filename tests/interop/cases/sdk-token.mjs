// Issue 4, test 7's precondition: a token minted by livekit-server-sdk is
// accepted by the built-in SFU, and one signed with another secret is not.
import { AccessToken } from 'livekit-server-sdk';
import { assert, connect, openParticipant, setup, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function () {
  const { server, s, streamerTok, pageUrl, browser } = await setup();
  const mint = async (secret) => {
    const at = new AccessToken(server.creds.key, secret, { identity: 'sdk-made-viewer', name: 'SDK viewer', ttl: '10m' });
    at.addGrant({ roomJoin: true, room: s.session.room, canSubscribe: true, canPublish: false });
    return at.toJwt();
  };
  const good = await mint(server.creds.secret);
  const bad = await mint('some-other-secret-some-other-secret-0123');
  const httpUrl = streamerTok.url.replace(/^ws/, 'http').replace(/\/$/, '');

  const vGood = await fetch(`${httpUrl}/rtc/validate?access_token=${encodeURIComponent(good)}`);
  assert(vGood.status === 200, `/rtc/validate accepts the SDK token (${vGood.status})`, await vGood.text());
  const vBad = await fetch(`${httpUrl}/rtc/validate?access_token=${encodeURIComponent(bad)}`);
  assert(vBad.status === 401, `/rtc/validate refuses a token signed with another secret (${vBad.status})`, await vBad.text());

  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'sdk-viewer');
  await connect(pub, streamerTok);
  assert((await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 })).ok, 'the streamer publishes');
  const c = await connect(sub, { url: streamerTok.url, token: good });
  assert(c.identity === 'sdk-made-viewer', 'the SDK-token viewer joins with its identity', c.identity);
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 30 });
}
