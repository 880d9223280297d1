// Test page driven by the interop harness through Playwright. Everything a
// test needs is on window.bc; every function returns plain JSON.
'use strict';

(() => {
  const LK = window.LivekitClient;
  const events = [];
  const tracks = [];
  const pcs = [];
  const dropped = [];
  const sockets = [];
  const fetches = [];
  let room = null;
  let connectStartedAt = null;
  let connectedAt = null;
  let disconnect = null;

  const ev = (type, data = {}) => events.push({ t: Date.now(), type, ...data });
  const redact = (url) => String(url).replace(/([?&](access_token|join_request)=)[^&]*/g, '$1…');
  const errJson = (e) => ({
    name: e?.name ?? 'Error',
    message: String(e?.message ?? e),
    code: e?.code ?? e?.reason ?? null,
    status: e?.status ?? null,
    reasonName: e?.reasonName ?? null,
  });

  // Capture-time stamp in the top row of a picture, the layout of
  // src/media/bc-capture-stamp.h: 64 blocks of W/64 pixels, marker 1010,
  // 48 bits of microseconds of the wall clock, a check byte (XOR of the six
  // value bytes and 0xA5), then black. White is luma 235, black luma 16.
  const STAMP_BLOCKS = 64;
  const VALUE_MASK = (1n << 48n) - 1n;
  const checkByte = (value) => {
    let c = 0xa5;
    for (let i = 0; i < 6; i++) c ^= Number((value >> BigInt(8 * i)) & 0xffn);
    return c;
  };
  function stampBits(us) {
    const value = BigInt(us) & VALUE_MASK;
    const bits = [1, 0, 1, 0];
    for (let i = 0; i < 48; i++) bits.push(Number((value >> BigInt(47 - i)) & 1n));
    const c = checkByte(value);
    for (let i = 0; i < 8; i++) bits.push((c >> (7 - i)) & 1);
    while (bits.length < STAMP_BLOCKS) bits.push(0);
    return bits;
  }
  function readStamp(data, width, refUs) {
    const block = Math.floor(width / STAMP_BLOCKS);
    if (block < 4) return null;
    const lo = Math.floor(block / 4);
    const hi = Math.max(lo + 1, block - Math.floor(block / 4));
    const bits = [];
    for (let i = 0; i < 60; i++) {
      let sum = 0;
      let n = 0;
      for (let y = lo; y < hi; y++) {
        for (let x = i * block + lo; x < i * block + hi; x++) {
          const o = (y * width + x) * 4;
          sum += (77 * data[o] + 150 * data[o + 1] + 29 * data[o + 2]) >> 8;
          n++;
        }
      }
      bits.push(sum / n >= 128 ? 1 : 0);
    }
    if (!(bits[0] && !bits[1] && bits[2] && !bits[3])) return null;
    let value = 0n;
    for (let i = 0; i < 48; i++) value = (value << 1n) | BigInt(bits[4 + i]);
    let c = 0;
    for (let i = 0; i < 8; i++) c = (c << 1) | bits[52 + i];
    if (c !== checkByte(value)) return null;
    const ref = BigInt(refUs);
    let full = (ref & ~VALUE_MASK) | value;
    if (full > ref + (1n << 47n)) full -= 1n << 48n;
    else if (full < ref - (1n << 47n)) full += 1n << 48n;
    return Number(full);
  }
  let readStamps = false;

  // Tests only ever use loopback. Chromium gathers host candidates on every
  // interface, so the candidates it would hand to the SFU are filtered here,
  // and bc.iceReport() later checks which pair was actually selected.
  const isLoopback = (a) => typeof a === 'string' && (a.startsWith('127.') || a === '::1' || a === '[::1]');
  const candidateAddress = (c) => c.address ?? String(c.candidate).split(' ')[4];
  const NativePC = window.RTCPeerConnection;
  class LoopbackPeerConnection extends NativePC {
    constructor(...args) {
      super(...args);
      pcs.push(this);
    }
    set onicecandidate(fn) {
      super.onicecandidate = typeof fn !== 'function' ? fn : (e) => {
        if (e.candidate && e.candidate.candidate && !isLoopback(candidateAddress(e.candidate))) {
          dropped.push(e.candidate.candidate);
          return;
        }
        fn.call(this, e);
      };
    }
    get onicecandidate() {
      return super.onicecandidate;
    }
  }
  window.RTCPeerConnection = LoopbackPeerConnection;

  // Record which signalling URLs the SDK tries (for the /rtc/v1 fallback).
  const NativeWS = window.WebSocket;
  window.WebSocket = class extends NativeWS {
    constructor(url, ...rest) {
      super(url, ...rest);
      const rec = { t: Date.now(), url: redact(url), opened: false, closeCode: null };
      sockets.push(rec);
      this.addEventListener('open', () => { rec.opened = true; });
      this.addEventListener('close', (e) => { rec.closeCode = e.code; });
    }
  };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const rec = { t: Date.now(), url: redact(typeof input === 'string' ? input : input.url), status: null };
    fetches.push(rec);
    try {
      const res = await nativeFetch(input, init);
      rec.status = res.status;
      return res;
    } catch (e) {
      rec.status = 'error: ' + String(e?.message ?? e);
      throw e;
    }
  };

  LK.setLogLevel('debug');

  function watchVideo(rec, track) {
    const el = track.attach();
    el.muted = true;
    el.playsInline = true;
    el.autoplay = true;
    document.getElementById('media').appendChild(el);
    let strip = null;
    const onFrame = (now, meta) => {
      const nowUs = Date.now() * 1000;
      if (readStamps && meta.width >= STAMP_BLOCKS * 4) {
        const block = Math.floor(meta.width / STAMP_BLOCKS);
        if (!strip || strip.canvas.width !== meta.width || strip.canvas.height !== block) {
          const c = document.createElement('canvas');
          c.width = meta.width;
          c.height = block;
          strip = c.getContext('2d', { willReadFrequently: true });
        }
        strip.drawImage(el, 0, 0, meta.width, block, 0, 0, meta.width, block);
        const stamp = readStamp(strip.getImageData(0, 0, meta.width, block).data, meta.width, nowUs);
        if (stamp !== null) {
          rec.latencies.push((nowUs - stamp) / 1000);
          if (rec.latencies.length > 5000) rec.latencies.splice(0, 1000);
        }
      }
      rec.frames++;
      if (rec.firstFrameAt === null) {
        rec.firstFrameAt = Date.now();
        ev('first-frame', { identity: rec.identity, sid: rec.sid });
      }
      rec.width = meta.width;
      rec.height = meta.height;
      el.requestVideoFrameCallback(onFrame);
    };
    el.requestVideoFrameCallback(onFrame);
    el.play().catch((e) => ev('play-error', { message: String(e) }));
  }

  function hookRoom(r) {
    const E = LK.RoomEvent;
    r.on(E.TrackSubscribed, (track, pub, participant) => {
      const rec = {
        identity: participant.identity,
        participantSid: participant.sid,
        sid: pub.trackSid,
        source: pub.source,
        kind: track.kind,
        mimeType: pub.mimeType ?? null,
        subscribedAt: Date.now(),
        unsubscribedAt: null,
        firstFrameAt: null,
        frames: 0,
        width: null,
        height: null,
        latencies: [],
      };
      tracks.push({ rec, track });
      ev('track-subscribed', { identity: rec.identity, sid: rec.sid, kind: rec.kind, source: rec.source });
      if (track.kind === 'video') {
        watchVideo(rec, track);
      } else {
        const el = track.attach();
        document.getElementById('media').appendChild(el);
      }
    });
    r.on(E.TrackUnsubscribed, (track, pub, participant) => {
      for (const t of tracks) {
        if (t.rec.sid === pub.trackSid && t.rec.unsubscribedAt === null) t.rec.unsubscribedAt = Date.now();
      }
      ev('track-unsubscribed', { identity: participant.identity, sid: pub.trackSid });
    });
    r.on(E.TrackSubscriptionFailed, (sid, participant, reason) =>
      ev('track-subscription-failed', { sid, identity: participant?.identity, reason: String(reason) }));
    r.on(E.TrackPublished, (pub, participant) =>
      ev('track-published', { identity: participant.identity, sid: pub.trackSid, kind: pub.kind, source: pub.source }));
    r.on(E.TrackUnpublished, (pub, participant) =>
      ev('track-unpublished', { identity: participant.identity, sid: pub.trackSid }));
    r.on(E.ParticipantConnected, (p) => ev('participant-connected', { identity: p.identity }));
    r.on(E.ParticipantDisconnected, (p) => ev('participant-disconnected', { identity: p.identity }));
    r.on(E.ConnectionStateChanged, (s) => ev('connection-state', { state: s }));
    r.on(E.Reconnecting, () => ev('reconnecting'));
    r.on(E.Reconnected, () => ev('reconnected'));
    r.on(E.SignalReconnecting, () => ev('signal-reconnecting'));
    r.on(E.TrackMuted, (pub, participant) => ev('track-muted', { identity: participant.identity, sid: pub.trackSid, kind: pub.kind }));
    r.on(E.TrackUnmuted, (pub, participant) => ev('track-unmuted', { identity: participant.identity, sid: pub.trackSid, kind: pub.kind }));
    r.on(E.LocalTrackPublished, (pub) => ev('local-track-published', { sid: pub.trackSid, kind: pub.kind }));
    r.on(E.ParticipantPermissionsChanged, (prev, p) =>
      ev('permissions-changed', { identity: p.identity, canPublish: p.permissions?.canPublish }));
    r.on(E.Disconnected, (reason) => {
      disconnect = { t: Date.now(), reason: reason ?? null, reasonName: reason === undefined ? null : LK.DisconnectReason[reason] };
      ev('disconnected', disconnect);
    });
  }

  async function inboundStats(track) {
    const out = { framesDecoded: null, packetsReceived: null, bytesReceived: null, codec: null };
    if (!track.receiver) return out;
    const report = await track.receiver.getStats();
    let codecId = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out.framesDecoded = s.framesDecoded ?? out.framesDecoded;
        out.packetsReceived = s.packetsReceived ?? out.packetsReceived;
        out.bytesReceived = s.bytesReceived ?? out.bytesReceived;
        out.totalSamplesReceived = s.totalSamplesReceived ?? null;
        codecId = s.codecId;
      }
    });
    if (codecId && report.get(codecId)) out.codec = report.get(codecId).mimeType;
    return out;
  }

  window.bc = {
    version: () => ({ sdk: LK.version, protocol: LK.protocolVersion, supported: LK.isBrowserSupported() }),

    videoCodecs: () => (RTCRtpSender.getCapabilities('video')?.codecs ?? []).map((c) => c.mimeType),

    // opts.defaults: use the SDK's default room options (single PC first);
    // otherwise go straight to the dual-PC /rtc path.
    async connect(url, token, opts = {}) {
      room = opts.defaults ? new LK.Room() : new LK.Room({
        adaptiveStream: false,
        dynacast: false,
        singlePeerConnection: false,
      });
      hookRoom(room);
      connectStartedAt = Date.now();
      try {
        await room.connect(url, token, { autoSubscribe: opts.autoSubscribe ?? true });
      } catch (e) {
        ev('connect-error', errJson(e));
        return { ok: false, error: errJson(e) };
      }
      connectedAt = Date.now();
      const lp = room.localParticipant;
      return {
        ok: true,
        identity: lp.identity,
        sid: lp.sid,
        room: room.name,
        connectStartedAt,
        connectedAt,
        permissions: lp.permissions ? {
          canPublish: lp.permissions.canPublish,
          canSubscribe: lp.permissions.canSubscribe,
          canPublishSources: [...(lp.permissions.canPublishSources ?? [])],
        } : null,
        serverVersion: room.serverInfo?.version ?? null,
      };
    },

    async publish(opts = {}) {
      const { codec = 'vp8', audio = false, width = 1280, height = 720, fps = 30 } = opts;
      const result = { ok: true, tracks: [] };
      try {
        const video = await LK.createLocalVideoTrack({ resolution: { width, height, frameRate: fps } });
        const pub = await room.localParticipant.publishTrack(video, {
          source: LK.Track.Source.Camera,
          videoCodec: codec,
          simulcast: false,
          backupCodec: false,
        });
        result.tracks.push({ sid: pub.trackSid, kind: 'video', source: pub.source, mimeType: pub.mimeType ?? null });
        if (audio) {
          const mic = await LK.createLocalAudioTrack();
          const apub = await room.localParticipant.publishTrack(mic, { source: LK.Track.Source.Microphone });
          result.tracks.push({ sid: apub.trackSid, kind: 'audio', source: apub.source });
        }
      } catch (e) {
        ev('publish-error', errJson(e));
        return { ok: false, error: errJson(e), tracks: result.tracks };
      }
      return result;
    },

    // Publishes a 30 fps canvas whose frames carry their capture time.
    async publishStamped(opts = {}) {
      const { codec = 'h264', width = 1280, height = 720, fps = 30 } = opts;
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d');
      const block = Math.floor(width / STAMP_BLOCKS);
      let n = 0;
      const draw = () => {
        n++;
        ctx.fillStyle = 'rgb(40,60,90)';
        ctx.fillRect(0, 0, width, height);
        ctx.fillStyle = 'rgb(200,120,40)';
        ctx.fillRect((n * 8) % width, block * 2 + ((n * 3) % (height - block * 6)), width / 6, height / 6);
        ctx.font = `${Math.floor(height / 8)}px sans-serif`;
        ctx.fillStyle = 'white';
        ctx.fillText(String(n), width / 3, height / 2);
        const bits = stampBits(Date.now() * 1000);
        for (let i = 0; i < STAMP_BLOCKS; i++) {
          ctx.fillStyle = bits[i] ? 'rgb(235,235,235)' : 'rgb(16,16,16)';
          ctx.fillRect(i * block, 0, block, block);
        }
      };
      draw();
      setInterval(draw, 1000 / fps);
      const mst = canvas.captureStream(fps).getVideoTracks()[0];
      const track = new LK.LocalVideoTrack(mst, { width, height, frameRate: fps }, true);
      window.bc.stampedTrack = track;
      try {
        const pub = await room.localParticipant.publishTrack(track, {
          source: LK.Track.Source.Camera,
          videoCodec: codec,
          simulcast: false,
          backupCodec: false,
          videoEncoding: { maxBitrate: 3_000_000, maxFramerate: fps },
        });
        return { ok: true, sid: pub.trackSid };
      } catch (e) {
        return { ok: false, error: errJson(e) };
      }
    },

    // Unpublishes and republishes the stamped track `cycles` times.
    async republishCycles(cycles, opts = {}) {
      const track = window.bc.stampedTrack;
      for (let i = 0; i < cycles; i++) {
        await room.localParticipant.unpublishTrack(track, false);
        await room.localParticipant.publishTrack(track, {
          source: LK.Track.Source.Camera,
          videoCodec: opts.codec ?? 'h264',
          simulcast: false,
          backupCodec: false,
        });
      }
      return { ok: true };
    },

    setReadStamps(on) {
      readStamps = !!on;
      for (const { rec } of tracks) rec.latencies = [];
      return readStamps;
    },

    // Lies to the SDK about our own grants so that it really sends an
    // AddTrack: the server has to refuse it by itself.
    async forcePublish(opts = {}) {
      const lp = room.localParticipant;
      const real = lp.permissions;
      lp.permissions = Object.assign(Object.create(Object.getPrototypeOf(real ?? {})), real, {
        canPublish: true,
        canPublishSources: [],
      });
      try {
        return await window.bc.publish(opts);
      } finally {
        lp.permissions = real;
      }
    },

    async state() {
      const out = [];
      for (const { rec, track } of tracks) {
        out.push({ ...rec, stats: await inboundStats(track).catch(() => null) });
      }
      return {
        connectionState: room?.state ?? null,
        identity: room?.localParticipant?.identity ?? null,
        connectStartedAt,
        connectedAt,
        disconnect,
        tracks: out,
        localTracks: room ? [...room.localParticipant.trackPublications.values()].map((p) => ({ sid: p.trackSid, kind: p.kind, source: p.source })) : [],
        remote: room ? [...room.remoteParticipants.values()].map((p) => ({
          identity: p.identity,
          sid: p.sid,
          tracks: [...p.trackPublications.values()].map((t) => ({ sid: t.trackSid, kind: t.kind, source: t.source, subscribed: t.isSubscribed })),
        })) : [],
        events,
        sockets,
        fetches,
      };
    },

    async muteVideo(muted) {
      const pub = room.localParticipant.getTrackPublication(LK.Track.Source.Camera);
      const t = Date.now();
      if (muted) await pub.mute();
      else await pub.unmute();
      return { t, sid: pub.trackSid };
    },

    // LiveKit's own fault injection: 'signal-reconnect' drops the signal
    // socket (resume), 'full-reconnect' forces a full rejoin.
    async simulate(scenario) {
      const t = Date.now();
      await room.simulateScenario(scenario);
      return { t };
    },

    async disconnect() {
      const t = Date.now();
      await room.disconnect();
      return { t };
    },

    // The candidate pairs each peer connection actually uses.
    async iceReport() {
      const out = { dropped: dropped.length, droppedSample: dropped.slice(0, 3), pcs: [] };
      for (const pc of pcs) {
        if (pc.connectionState === 'closed') continue;
        const report = await pc.getStats();
        let pairId = null;
        report.forEach((s) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
        });
        if (!pairId) {
          report.forEach((s) => {
            if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id;
          });
        }
        const pair = pairId ? report.get(pairId) : null;
        const local = pair ? report.get(pair.localCandidateId) : null;
        const remote = pair ? report.get(pair.remoteCandidateId) : null;
        out.pcs.push({
          connectionState: pc.connectionState,
          local: local ? { address: local.address, port: local.port, type: local.candidateType, protocol: local.protocol } : null,
          remote: remote ? { address: remote.address, port: remote.port, type: remote.candidateType, protocol: remote.protocol } : null,
        });
      }
      return out;
    },
  };
})();
