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
    const onFrame = (now, meta) => {
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
