-- BountyCam schema, version 1: accounts, logins, bounties, sessions and the points ledger.
-- Timestamps are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  points INTEGER NOT NULL CHECK (points >= 0),
  created_at INTEGER NOT NULL
);

-- One row per login (a "family" of refresh tokens). Revoking it ends every token of that login.
CREATE TABLE logins (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX logins_user ON logins (user_id);

-- Only the SHA-256 of a refresh token is stored. rotated_at is set when it has been used once.
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  login_id TEXT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER
);
CREATE INDEX refresh_tokens_login ON refresh_tokens (login_id);

CREATE TABLE bounties (
  id TEXT PRIMARY KEY,
  requester_id TEXT NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  reward_points INTEGER NOT NULL CHECK (reward_points > 0),
  status TEXT NOT NULL
    CHECK (status IN ('open', 'accepted', 'completed', 'rejected', 'expired', 'cancelled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX bounties_status ON bounties (status, created_at);
CREATE INDEX bounties_requester ON bounties (requester_id, created_at);

-- A bounty has at most one session: UNIQUE (bounty_id) is what lets exactly one accept win.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  bounty_id TEXT NOT NULL UNIQUE REFERENCES bounties (id),
  streamer_id TEXT NOT NULL REFERENCES users (id),
  requester_id TEXT NOT NULL REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'live', 'ended')),
  outcome TEXT CHECK (outcome IN ('approved', 'rejected', 'timed_out')),
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX sessions_streamer ON sessions (streamer_id, created_at);
CREATE INDEX sessions_requester ON sessions (requester_id, created_at);
CREATE INDEX sessions_activity ON sessions (status, last_activity_at);

-- Every movement of points. A bounty's reward is escrowed once and settled (paid out or
-- returned) once: UNIQUE (bounty_id, phase) makes a second settlement impossible.
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  bounty_id TEXT NOT NULL REFERENCES bounties (id),
  phase TEXT NOT NULL CHECK (phase IN ('escrow', 'settle')),
  kind TEXT NOT NULL CHECK (kind IN ('escrow', 'payout', 'refund')),
  user_id TEXT NOT NULL REFERENCES users (id),
  points INTEGER NOT NULL CHECK (points > 0),
  created_at INTEGER NOT NULL,
  UNIQUE (bounty_id, phase)
);
