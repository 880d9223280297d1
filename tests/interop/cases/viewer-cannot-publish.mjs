// Issue 3, test 3: the requester's token has no canPublish. The SDK refuses
// to publish with a permission error, and when the SDK is made to send the
// AddTrack anyway, the SFU refuses it: no track of the requester appears.
import { AccessToken } from 'livekit-server-sdk';
import { assert, connect, log, openParticipant, setup, sleep, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function () {
  const { server, s, streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');
  const obs = await openParticipant(browser, pageUrl, 'observer');

  await connect(pub, streamerTok);
  const published = await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 });
  assert(published.ok, 'the streamer publishes', published);
  const sc = await connect(sub, requesterTok);
  assert(sc.permissions && sc.permissions.canPublish === false, 'the SDK sees canPublish false for the requester', sc.permissions);

  const r1 = await sub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 });
  log('publish with the requester token:', JSON.stringify(r1));
  assert(!r1.ok, 'publishing with the requester token fails');
  assert(r1.error.name === 'PublishTrackError' && /permission/i.test(r1.error.message) && r1.error.status === 403,
    'the SDK reports a permission error (403)', r1.error);

  // A subscriber that is allowed to see everything, made with LiveKit's SDK.
  const at = new AccessToken(server.creds.key, server.creds.secret, { identity: 'interop-observer', ttl: '10m' });
  at.addGrant({ roomJoin: true, room: s.session.room, canSubscribe: true, canPublish: false });
  await connect(obs, { url: streamerTok.url, token: await at.toJwt() });
  await waitForFrames(obs, { identity: streamerTok.identity, frames: 10 });

  const r2 = await sub.call('forcePublish', { codec: 'vp8', width: 640, height: 480, fps: 30 });
  log('AddTrack sent anyway:', JSON.stringify(r2));
  assert(!r2.ok, 'the SFU does not accept an AddTrack without canPublish', r2);

  await sleep(3000);
  const stObs = await obs.call('state');
  const stPub = await pub.call('state');
  const fromRequester = (st) => st.remote.find((p) => p.identity === requesterTok.identity)?.tracks ?? [];
  assert(fromRequester(stObs).length === 0, 'the observer sees no track published by the requester', stObs.remote);
  assert(!stObs.tracks.some((t) => t.identity === requesterTok.identity), 'the observer receives no media from the requester', stObs.tracks);
  assert(fromRequester(stPub).length === 0, 'the streamer sees no track published by the requester', stPub.remote);
  const stSub = await sub.call('state');
  assert(stSub.connectionState === 'connected' || stSub.disconnect !== null, 'the requester is connected or was told to leave', stSub.connectionState);
  const still = await waitForFrames(obs, { identity: streamerTok.identity, frames: 30 });
  assert(still.tracks.length >= 1, 'the streamer keeps streaming to others');
}
