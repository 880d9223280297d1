/* bc-store.h: the storage interface every route goes through
 *
 * The routes never see SQL. A store implements these operations, each one a
 * single transaction; BcSqliteStore is the default, and a PostgreSQL store
 * only has to implement the same interface.
 *
 * Calls are synchronous. The SQLite store answers in tens of microseconds
 * (indexed point queries, WAL), so the routes call it straight from the main
 * loop; see bc-sqlite-store.c for why.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BC_STORE_ERROR (bc_store_error_quark ())

typedef enum
{
  BC_STORE_ERROR_FAILED,
  BC_STORE_ERROR_NOT_FOUND,
  BC_STORE_ERROR_EXISTS,
  BC_STORE_ERROR_CONFLICT,
  BC_STORE_ERROR_INSUFFICIENT_POINTS,
  BC_STORE_ERROR_TOKEN_INVALID,
  BC_STORE_ERROR_TOKEN_REUSED,
  BC_STORE_ERROR_DUPLICATE,
} BcStoreError;

GQuark bc_store_error_quark (void);

typedef struct
{
  char *id;
  char *email;
  char *display_name;
  char *password_hash;
  gint64 points;
  gint64 created_at;
} BcUser;

typedef struct
{
  char *id;
  char *requester_id;
  char *requester_name;
  char *title;
  char *description;
  char *status;
  char *session_id; /* NULL until accepted */
  gint64 reward_points;
  gint64 created_at;
  gint64 updated_at;
} BcBounty;

typedef struct
{
  gint64 id;
  char *session_id;
  char *event_type;
  char *source;
  char *participant;
  gint64 created_at;
} BcStreamEvent;

typedef struct
{
  char *id;
  char *bounty_id;
  char *title;
  char *room_name;
  char *status;        /* pending, live, ended */
  char *outcome;       /* NULL, approved, rejected, timed_out */
  char *stream_status; /* idle, started, active, inactive, ended */
  char *streamer_id;
  char *streamer_name;
  char *requester_id;
  char *requester_name;
  gint64 reward_points;
  gint64 created_at;
  gint64 last_activity_at;
  gint64 ended_at;   /* 0 while active */
  GPtrArray *events; /* of BcStreamEvent; NULL unless asked for */
} BcSession;

typedef struct
{
  char *room_name;
  gint attempts;
} BcRoomDeletion;

void bc_user_free (BcUser *user);
void bc_bounty_free (BcBounty *bounty);
void bc_stream_event_free (BcStreamEvent *event);
void bc_session_free (BcSession *session);
void bc_room_deletion_free (BcRoomDeletion *deletion);

gboolean bc_session_is_active (const BcSession *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcUser, bc_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcBounty, bc_bounty_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcStreamEvent, bc_stream_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSession, bc_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcRoomDeletion, bc_room_deletion_free)

typedef enum
{
  BC_BOUNTY_LIST_OPEN_OF_OTHERS,
  BC_BOUNTY_LIST_MINE,
} BcBountyList;

typedef enum
{
  BC_SETTLE_APPROVED,
  BC_SETTLE_REJECTED,
  BC_SETTLE_TIMED_OUT,
} BcSettleOutcome;

#define BC_TYPE_STORE (bc_store_get_type ())
G_DECLARE_INTERFACE (BcStore, bc_store, BC, STORE, GObject)

struct _BcStoreInterface
{
  GTypeInterface parent_iface;

  BcUser *(*create_user) (BcStore *self,
                          const char *email,
                          const char *display_name,
                          const char *password_hash,
                          gint64 points,
                          gint64 now,
                          GError **error);
  BcUser *(*get_user) (BcStore *self, const char *id, const char *email, GError **error);

  char *(*create_login) (BcStore *self,
                         const char *user_id,
                         const char *refresh_hash,
                         gint64 expires_at,
                         gint64 now,
                         GError **error);
  gboolean (*rotate_refresh) (BcStore *self,
                              const char *old_hash,
                              const char *new_hash,
                              gint64 new_expires_at,
                              gint64 now,
                              char **out_login_id,
                              char **out_user_id,
                              GError **error);
  char *(*find_login) (BcStore *self, const char *refresh_hash, GError **error);
  gboolean (*revoke_login) (BcStore *self, const char *login_id, gint64 now, GError **error);
  gboolean (*login_is_active) (BcStore *self, const char *login_id, GError **error);

  BcBounty *(*create_bounty) (BcStore *self,
                              const char *id,
                              const char *requester_id,
                              const char *title,
                              const char *description,
                              gint64 reward_points,
                              gint64 now,
                              GError **error);
  GPtrArray *(*list_bounties) (
      BcStore *self, BcBountyList which, const char *user_id, guint limit, GError **error);
  BcBounty *(*get_bounty) (BcStore *self, const char *id, GError **error);
  BcBounty *(*cancel_bounty) (BcStore *self, const char *id, gint64 now, GError **error);
  BcSession *(*accept_bounty) (BcStore *self,
                               const char *bounty_id,
                               const char *streamer_id,
                               const char *session_id,
                               gint64 now,
                               GError **error);

  BcSession *(*get_session) (BcStore *self, const char *id, gboolean with_events, GError **error);
  GPtrArray *(*list_sessions) (BcStore *self, const char *user_id, guint limit, GError **error);
  BcStreamEvent *(*add_stream_event) (BcStore *self,
                                      const char *session_id,
                                      const char *event_type,
                                      const char *source,
                                      const char *participant,
                                      const char *webhook_id,
                                      gint64 now,
                                      GError **error);
  gboolean (*record_webhook) (
      BcStore *self, const char *webhook_id, const char *event, gint64 now, GError **error);
  BcSession *(*settle_session) (
      BcStore *self, const char *session_id, BcSettleOutcome outcome, gint64 now, GError **error);
  GPtrArray *(*list_idle_sessions) (BcStore *self, gint64 idle_before, guint limit, GError **error);

  gboolean (*prune) (BcStore *self, gint64 before, GError **error);

  GPtrArray *(*due_room_deletions) (BcStore *self, gint64 now, guint limit, GError **error);
  gboolean (*finish_room_deletion) (BcStore *self,
                                    const char *room_name,
                                    gboolean done,
                                    gint64 next_attempt_at,
                                    const char *last_error,
                                    GError **error);
};

BcUser *bc_store_create_user (BcStore *self,
                              const char *email,
                              const char *display_name,
                              const char *password_hash,
                              gint64 points,
                              gint64 now,
                              GError **error);
/* Looks up by @id, or by @email when @id is NULL. */
BcUser *bc_store_get_user (BcStore *self, const char *id, const char *email, GError **error);

/* Starts a login family with its first refresh token; returns the login id. */
char *bc_store_create_login (BcStore *self,
                             const char *user_id,
                             const char *refresh_hash,
                             gint64 expires_at,
                             gint64 now,
                             GError **error);
/* Replaces @old_hash by @new_hash in its login. A token that was already
 * rotated revokes its whole login and fails with BC_STORE_ERROR_TOKEN_REUSED. */
gboolean bc_store_rotate_refresh (BcStore *self,
                                  const char *old_hash,
                                  const char *new_hash,
                                  gint64 new_expires_at,
                                  gint64 now,
                                  char **out_login_id,
                                  char **out_user_id,
                                  GError **error);
char *bc_store_find_login (BcStore *self, const char *refresh_hash, GError **error);
gboolean bc_store_revoke_login (BcStore *self, const char *login_id, gint64 now, GError **error);
gboolean bc_store_login_is_active (BcStore *self, const char *login_id, GError **error);

/* Escrows the reward in the same transaction. */
BcBounty *bc_store_create_bounty (BcStore *self,
                                  const char *id,
                                  const char *requester_id,
                                  const char *title,
                                  const char *description,
                                  gint64 reward_points,
                                  gint64 now,
                                  GError **error);
GPtrArray *bc_store_list_bounties (
    BcStore *self, BcBountyList which, const char *user_id, guint limit, GError **error);
BcBounty *bc_store_get_bounty (BcStore *self, const char *id, GError **error);
/* Only an open bounty; returns its reward to the requester. */
BcBounty *bc_store_cancel_bounty (BcStore *self, const char *id, gint64 now, GError **error);
/* Only an open bounty of someone else; fails with CONFLICT when it is taken. */
BcSession *bc_store_accept_bounty (BcStore *self,
                                   const char *bounty_id,
                                   const char *streamer_id,
                                   const char *session_id,
                                   gint64 now,
                                   GError **error);

BcSession *
bc_store_get_session (BcStore *self, const char *id, gboolean with_events, GError **error);
GPtrArray *bc_store_list_sessions (BcStore *self, const char *user_id, guint limit, GError **error);
/* Logs an event, moves the status along and counts as activity. With
 * @webhook_id, a webhook already handled fails with DUPLICATE. An ended
 * session fails with CONFLICT. */
BcStreamEvent *bc_store_add_stream_event (BcStore *self,
                                          const char *session_id,
                                          const char *event_type,
                                          const char *source,
                                          const char *participant,
                                          const char *webhook_id,
                                          gint64 now,
                                          GError **error);
/* Returns FALSE with DUPLICATE when @webhook_id was seen before. */
gboolean bc_store_record_webhook (
    BcStore *self, const char *webhook_id, const char *event, gint64 now, GError **error);
/* Ends an active session exactly once: moves the escrow, logs stream_ended
 * (or session_timeout) and queues the deletion of its room. */
BcSession *bc_store_settle_session (
    BcStore *self, const char *session_id, BcSettleOutcome outcome, gint64 now, GError **error);
/* Ids (char *) of active sessions whose last activity is before @idle_before. */
GPtrArray *
bc_store_list_idle_sessions (BcStore *self, gint64 idle_before, guint limit, GError **error);

/* Forgets webhook ids received and refresh tokens that expired before @before. */
gboolean bc_store_prune (BcStore *self, gint64 before, GError **error);

GPtrArray *bc_store_due_room_deletions (BcStore *self, gint64 now, guint limit, GError **error);
gboolean bc_store_finish_room_deletion (BcStore *self,
                                        const char *room_name,
                                        gboolean done,
                                        gint64 next_attempt_at,
                                        const char *last_error,
                                        GError **error);

G_END_DECLS
