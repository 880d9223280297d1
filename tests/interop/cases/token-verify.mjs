// Issue 2: the LiveKit tokens minted by the backend verify with LiveKit's
// official server SDK and carry the grants of each role.
import { TokenVerifier } from 'livekit-server-sdk';
import { assert, livekitToken, log, makeSession, startServer } from '../lib/harness.mjs';

export const timeoutMs = 120000;

const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

export default async function () {
  const server = await startServer();
  const s = await makeSession(server);
  const verifier = new TokenVerifier(server.creds.key, server.creds.secret);
  const now = Math.floor(Date.now() / 1000);

  for (const role of ['streamer', 'requester']) {
    const user = s[role].user;
    const r = await livekitToken(s, role);
    assert(typeof r.token === 'string' && r.token.split('.').length === 3, `${role}: the token route returns a JWT`);
    assert(typeof r.url === 'string' && /^wss?:\/\//.test(r.url), `${role}: the token route returns a ws(s) url (${r.url})`);
    assert(r.room === s.session.room, `${role}: room is the session's room`, r.room);
    assert(r.role === role, `${role}: role is ${role}`, r.role);

    let claims;
    try {
      claims = await verifier.verify(r.token);
    } catch (e) {
      assert(false, `${role}: livekit-server-sdk TokenVerifier accepts the token (${e.code ?? e.message})`);
    }
    log(`${role} claims:`, JSON.stringify({ ...claims, metadata: claims.metadata }));
    assert(claims.iss === server.creds.key, `${role}: iss is the API key`, claims.iss);
    assert(claims.sub === r.identity, `${role}: sub is the identity the route reported`, { sub: claims.sub, identity: r.identity });
    assert(claims.sub === String(user.id), `${role}: identity is the user id`, { sub: claims.sub, user: user.id });
    assert(typeof claims.name === 'string' && claims.name.length > 0, `${role}: name is set`, claims.name);
    assert(Number.isInteger(claims.exp) && claims.exp > now, `${role}: exp is in the future`, claims.exp);
    assert(Number.isInteger(claims.nbf) && claims.nbf <= now + 60, `${role}: nbf is set and not in the future`, claims.nbf);
    const v = claims.video ?? {};
    assert(v.roomJoin === true, `${role}: video.roomJoin`, v);
    assert(v.room === s.session.room, `${role}: video.room is the session's room`, v);
    assert(typeof claims.metadata === 'string' && claims.metadata.includes(role), `${role}: metadata carries the role`, claims.metadata);
    if (role === 'streamer') {
      assert(v.canPublish === true, 'streamer: canPublish true', v);
      assert(v.canSubscribe === false, 'streamer: canSubscribe false', v);
      assert(Array.isArray(v.canPublishSources) && sameSet(v.canPublishSources, ['camera', 'microphone']),
        'streamer: canPublishSources camera and microphone', v);
      assert(r.can_publish === true, 'streamer: can_publish true in the answer', r.can_publish);
    } else {
      assert(v.canPublish === false, 'requester: canPublish false', v);
      assert(v.canSubscribe === true, 'requester: canSubscribe true', v);
      assert(r.can_publish === false, 'requester: can_publish false in the answer', r.can_publish);
    }

    let rejected = false;
    try {
      await new TokenVerifier(server.creds.key, 'not-the-secret-not-the-secret-0123456789').verify(r.token);
    } catch {
      rejected = true;
    }
    assert(rejected, `${role}: the SDK rejects the token under another secret`);
  }
}
