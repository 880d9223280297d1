-- BountyCam schema, version 2: the WebRTC fields of live sessions.
-- Each session streams in its own LiveKit room (named after the session id), has a stream
-- status, and logs its stream events.

ALTER TABLE sessions ADD COLUMN room_name TEXT;
UPDATE sessions SET room_name = id WHERE room_name IS NULL;
CREATE UNIQUE INDEX sessions_room ON sessions (room_name);

ALTER TABLE sessions ADD COLUMN stream_status TEXT NOT NULL DEFAULT 'idle'
  CHECK (stream_status IN ('idle', 'started', 'active', 'inactive', 'ended'));

CREATE TABLE stream_events (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  event_type TEXT NOT NULL CHECK (event_type IN ('stream_started', 'stream_active',
                                                 'stream_inactive', 'stream_ended',
                                                 'session_timeout')),
  source TEXT NOT NULL CHECK (source IN ('client', 'livekit', 'server')),
  participant TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX stream_events_session ON stream_events (session_id, id);

-- LiveKit may deliver a webhook more than once; each event id is handled once.
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL
);

-- Rooms that LiveKit must still be asked to delete (retried until it answers).
CREATE TABLE room_deletions (
  room_name TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT
);
