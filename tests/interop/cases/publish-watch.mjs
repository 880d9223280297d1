// Issue 3, test 1 (and 2 with "audio"): livekit-client publishes the fake
// camera in one Chromium context, and another context, the requester,
// decodes it through the built-in SFU.
import { assert, checkLoopbackOnly, connect, log, openParticipant, setup, waitFor, waitForFrames } from '../lib/harness.mjs';

export const timeoutMs = 300000;

export default async function (args) {
  const codec = args.includes('h264') ? 'h264' : 'vp8';
  const audio = args.includes('audio');
  const { streamerTok, requesterTok, pageUrl, browser } = await setup();

  const pub = await openParticipant(browser, pageUrl, 'streamer');
  const sub = await openParticipant(browser, pageUrl, 'requester');
  if (codec === 'h264') {
    const codecs = await pub.call('videoCodecs');
    assert(codecs.includes('video/H264'), 'this Chromium can encode H.264', codecs);
  }

  // "viewer-first": the requester is in the room before any track exists,
  // so the track reaches it through a re-offer.
  const viewerFirst = args.includes('viewer-first');
  let sc;
  if (viewerFirst) sc = await connect(sub, requesterTok);
  const pc = await connect(pub, streamerTok);
  assert(pc.identity === streamerTok.identity, 'the streamer joins with its token identity', pc);
  assert(pc.permissions?.canPublish === true, 'the JoinResponse gives the streamer canPublish', pc.permissions);
  const published = await pub.call('publish', { codec, audio, width: 1280, height: 720, fps: 30 });
  assert(published.ok, `the streamer publishes ${codec}${audio ? ' + audio' : ''}`, published);

  if (!viewerFirst) sc = await connect(sub, requesterTok);
  assert(sc.permissions?.canPublish === false, 'the JoinResponse denies the requester canPublish', sc.permissions);

  const st = await waitForFrames(sub, { identity: streamerTok.identity, frames: 60 });
  const video = st.tracks.find((t) => t.kind === 'video' && t.identity === streamerTok.identity);
  log('video track:', JSON.stringify(video));
  assert(video.frames >= 60, `the requester rendered ${video.frames} frames (≥ 60)`);
  assert(video.source === 'camera', 'the track source is camera', video.source);
  assert(video.identity === streamerTok.identity, "the track's participant is the streamer", video.identity);
  await waitFor(async () => {
    const s2 = await sub.call('state');
    const v = s2.tracks.find((t) => t.sid === video.sid);
    return v?.stats?.framesDecoded >= 60 && v;
  }, { timeout: 30000, what: 'getStats framesDecoded ≥ 60' }).then((v) => {
    log(`getStats: framesDecoded ${v.stats.framesDecoded}, codec ${v.stats.codec}, ${v.width}x${v.height}`);
    assert(String(v.stats.codec).toLowerCase() === `video/${codec}`, `the decoded codec is ${codec}`, v.stats);
  });

  if (audio) {
    const a = await waitFor(async () => {
      const s2 = await sub.call('state');
      return s2.tracks.find((t) => t.kind === 'audio' && t.identity === streamerTok.identity && t.stats?.packetsReceived > 20);
    }, { timeout: 60000, what: 'audio packets from the streamer' });
    log('audio track:', JSON.stringify(a));
    assert(a.source === 'microphone', 'the audio track source is microphone', a.source);
    assert(String(a.stats.codec).toLowerCase() === 'audio/opus', 'the audio codec is Opus', a.stats);
  }

  await checkLoopbackOnly(pub);
  await checkLoopbackOnly(sub);
}
