// Issue 3, test 6: approving the session through the API ends the room:
// both browsers are disconnected with ROOM_DELETED and the session's events
// tell the story (stream_active, then stream_inactive/stream_ended).
// "reject" does the same through a rejection; "timeout" lets the session go
// idle past a short session timeout and runs the cleanup route.
import { api, apiOk, assert, connect, eventTypes, getSession, log, openParticipant, setup, sleep, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 360000;
const IDLE_S = 30;

export default async function (args) {
  const mode = args.includes('reject') ? 'reject' : args.includes('timeout') ? 'timeout' : 'approve';
  const { server, s, streamerTok, requesterTok, pageUrl, browser } = await setup(
    // Only our POST /api/cleanup runs the cleanup, not the server's timer.
    mode === 'timeout' ? { serverEnv: { BOUNTYCAM_SESSION_TIMEOUT: String(IDLE_S), BOUNTYCAM_CLEANUP_INTERVAL: '86400' } } : {});
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
  log(`session before ${mode}:`, live.status, JSON.stringify(eventTypes(live)));

  let endEvent = 'stream_ended';
  if (mode === 'timeout') {
    endEvent = 'session_timeout';
    // Idle means no new event; the stream itself goes on meanwhile.
    const last = Date.parse(live.last_activity_at);
    const wait = (Number.isFinite(last) ? last : Date.now()) + IDLE_S * 1000 + 1500 - Date.now();
    log(`waiting ${Math.round(wait / 1000)} s for the session to go idle`);
    await sleep(Math.max(0, wait));
    await waitFor(async () => {
      const r = await api(s.base, 'POST', '/api/cleanup', {}, server.cleanupKey);
      if (r.status !== 200) throw new Error(`POST /api/cleanup answered ${r.status}: ${r.text}`);
      const sess = await getSession(s);
      return sess.status === 'ended';
    }, { timeout: 60000, interval: 2000, what: 'the cleanup to time the session out' });
    log('the cleanup timed the session out');
  } else {
    await apiOk(s.base, 'POST', `/api/sessions/${s.session.id}/${mode}`, {}, s.requester.accessToken);
    log(mode === 'approve' ? 'approved' : 'rejected');
  }

  for (const p of [pub, sub]) {
    const st = await waitFor(async () => {
      const x = await p.call('state');
      return x.disconnect && x;
    }, { timeout: 30000, what: `${p.label} to be disconnected` });
    assert(st.disconnect.reasonName === 'ROOM_DELETED', `${p.label} disconnected with ROOM_DELETED`, st.disconnect);
  }

  const ended = await waitFor(async () => {
    const sess = await getSession(s);
    return eventTypes(sess).includes(endEvent) && sess;
  }, { timeout: 30000, what: `${endEvent} in the session events` });
  const types = eventTypes(ended);
  log(`session after ${mode}:`, ended.status, ended.outcome, JSON.stringify(types));
  assert(types.includes('stream_active'), 'the events include stream_active', types);
  assert(types.includes(endEvent), `the events include ${endEvent}`, types);
  assert(types.indexOf('stream_active') < types.lastIndexOf(endEvent), `stream_active comes before ${endEvent}`, types);
  assert(ended.status === 'ended', `the session is over (${ended.status}, ${ended.outcome})`, ended.status);
}
