// Issue 3, test 6: approving the session through the API ends the room:
// both browsers are disconnected with ROOM_DELETED and the session's events
// tell the story (stream_active, then stream_inactive/stream_ended).
import { apiOk, assert, connect, eventTypes, getSession, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function () {
  const { s, streamerTok, requesterTok, pageUrl, browser } = await setup();
  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');

  await connect(pub, streamerTok);
  assert((await pub.call('publish', { codec: 'vp8', width: 640, height: 480, fps: 30 })).ok, 'the streamer publishes');
  await connect(sub, requesterTok);
  await waitForFrames(sub, { identity: streamerTok.identity, frames: 30 });

  const live = await waitFor(async () => {
    const sess = await getSession(s);
    return eventTypes(sess).includes('stream_active') && sess;
  }, { timeout: 30000, what: 'stream_active in the session events (from the track_published webhook)' });
  log('session before approve:', live.status, JSON.stringify(eventTypes(live)));

  await apiOk(s.base, 'POST', `/api/sessions/${s.session.id}/approve`, {}, s.requester.accessToken);
  log('approved');

  for (const p of [pub, sub]) {
    const st = await waitFor(async () => {
      const x = await p.call('state');
      return x.disconnect && x;
    }, { timeout: 30000, what: `${p.label} to be disconnected` });
    assert(st.disconnect.reasonName === 'ROOM_DELETED', `${p.label} disconnected with ROOM_DELETED`, st.disconnect);
  }

  const ended = await waitFor(async () => {
    const sess = await getSession(s);
    return eventTypes(sess).includes('stream_ended') && sess;
  }, { timeout: 30000, what: 'stream_ended in the session events' });
  const types = eventTypes(ended);
  log('session after approve:', ended.status, ended.outcome, JSON.stringify(types));
  assert(types.includes('stream_active'), 'the events include stream_active', types);
  assert(types.includes('stream_ended'), 'the events include stream_ended', types);
  assert(types.indexOf('stream_active') < types.lastIndexOf('stream_ended'), 'stream_active comes before stream_ended', types);
  assert(ended.status === 'ended' || ended.status === 'completed' || ended.status === 'approved',
    `the session is over (${ended.status})`, ended.status);
}
