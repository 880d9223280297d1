#include "config.h"

#include "bc-store.h"

#include <string.h>

G_DEFINE_QUARK (bc - store - error - quark, bc_store_error)
G_DEFINE_INTERFACE (BcStore, bc_store, G_TYPE_OBJECT)

static void
bc_store_default_init (BcStoreInterface *iface)
{
}

void
bc_user_free (BcUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->email);
  g_free (user->display_name);
  /* The hash is not a secret in the usual sense, but no copy should linger. */
  if (user->password_hash)
    memset (user->password_hash, 0, strlen (user->password_hash));
  g_free (user->password_hash);
  g_free (user);
}

void
bc_bounty_free (BcBounty *bounty)
{
  if (bounty == NULL)
    return;
  g_free (bounty->id);
  g_free (bounty->requester_id);
  g_free (bounty->requester_name);
  g_free (bounty->title);
  g_free (bounty->description);
  g_free (bounty->status);
  g_free (bounty->session_id);
  g_free (bounty);
}

void
bc_stream_event_free (BcStreamEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->session_id);
  g_free (event->event_type);
  g_free (event->source);
  g_free (event->participant);
  g_free (event);
}

void
bc_session_free (BcSession *session)
{
  if (session == NULL)
    return;
  g_free (session->id);
  g_free (session->bounty_id);
  g_free (session->title);
  g_free (session->room_name);
  g_free (session->status);
  g_free (session->outcome);
  g_free (session->stream_status);
  g_free (session->streamer_id);
  g_free (session->streamer_name);
  g_free (session->requester_id);
  g_free (session->requester_name);
  g_clear_pointer (&session->events, g_ptr_array_unref);
  g_free (session);
}

void
bc_room_deletion_free (BcRoomDeletion *deletion)
{
  if (deletion == NULL)
    return;
  g_free (deletion->room_name);
  g_free (deletion);
}

gboolean
bc_session_is_active (const BcSession *session)
{
  return g_strcmp0 (session->status, "ended") != 0;
}

BcUser *
bc_store_create_user (BcStore *self,
                      const char *email,
                      const char *display_name,
                      const char *password_hash,
                      gint64 points,
                      gint64 now,
                      GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->create_user (self, email, display_name, password_hash, points,
                                                 now, error);
}

BcUser *
bc_store_get_user (BcStore *self, const char *id, const char *email, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->get_user (self, id, email, error);
}

char *
bc_store_create_login (BcStore *self,
                       const char *user_id,
                       const char *refresh_hash,
                       gint64 expires_at,
                       gint64 now,
                       GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->create_login (self, user_id, refresh_hash, expires_at, now,
                                                  error);
}

gboolean
bc_store_rotate_refresh (BcStore *self,
                         const char *old_hash,
                         const char *new_hash,
                         gint64 new_expires_at,
                         gint64 now,
                         char **out_login_id,
                         char **out_user_id,
                         GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->rotate_refresh (self, old_hash, new_hash, new_expires_at, now,
                                                    out_login_id, out_user_id, error);
}

char *
bc_store_find_login (BcStore *self, const char *refresh_hash, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->find_login (self, refresh_hash, error);
}

gboolean
bc_store_revoke_login (BcStore *self, const char *login_id, gint64 now, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->revoke_login (self, login_id, now, error);
}

gboolean
bc_store_login_is_active (BcStore *self, const char *login_id, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->login_is_active (self, login_id, error);
}

BcBounty *
bc_store_create_bounty (BcStore *self,
                        const char *id,
                        const char *requester_id,
                        const char *title,
                        const char *description,
                        gint64 reward_points,
                        gint64 now,
                        GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->create_bounty (self, id, requester_id, title, description,
                                                   reward_points, now, error);
}

GPtrArray *
bc_store_list_bounties (
    BcStore *self, BcBountyList which, const char *user_id, guint limit, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->list_bounties (self, which, user_id, limit, error);
}

BcBounty *
bc_store_get_bounty (BcStore *self, const char *id, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->get_bounty (self, id, error);
}

BcBounty *
bc_store_cancel_bounty (BcStore *self, const char *id, gint64 now, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->cancel_bounty (self, id, now, error);
}

BcSession *
bc_store_accept_bounty (BcStore *self,
                        const char *bounty_id,
                        const char *streamer_id,
                        const char *session_id,
                        gint64 now,
                        GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->accept_bounty (self, bounty_id, streamer_id, session_id, now,
                                                   error);
}

BcSession *
bc_store_get_session (BcStore *self, const char *id, gboolean with_events, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->get_session (self, id, with_events, error);
}

GPtrArray *
bc_store_list_sessions (BcStore *self, const char *user_id, guint limit, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->list_sessions (self, user_id, limit, error);
}

BcStreamEvent *
bc_store_add_stream_event (BcStore *self,
                           const char *session_id,
                           const char *event_type,
                           const char *source,
                           const char *participant,
                           const char *webhook_id,
                           gint64 now,
                           GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->add_stream_event (self, session_id, event_type, source,
                                                      participant, webhook_id, now, error);
}

gboolean
bc_store_record_webhook (
    BcStore *self, const char *webhook_id, const char *event, gint64 now, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->record_webhook (self, webhook_id, event, now, error);
}

BcSession *
bc_store_settle_session (
    BcStore *self, const char *session_id, BcSettleOutcome outcome, gint64 now, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->settle_session (self, session_id, outcome, now, error);
}

GPtrArray *
bc_store_list_idle_sessions (BcStore *self, gint64 idle_before, guint limit, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->list_idle_sessions (self, idle_before, limit, error);
}

gboolean
bc_store_prune (BcStore *self, gint64 before, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->prune (self, before, error);
}

GPtrArray *
bc_store_due_room_deletions (BcStore *self, gint64 now, guint limit, GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), NULL);
  return BC_STORE_GET_IFACE (self)->due_room_deletions (self, now, limit, error);
}

gboolean
bc_store_finish_room_deletion (BcStore *self,
                               const char *room_name,
                               gboolean done,
                               gint64 next_attempt_at,
                               const char *last_error,
                               GError **error)
{
  g_return_val_if_fail (BC_IS_STORE (self), FALSE);
  return BC_STORE_GET_IFACE (self)->finish_room_deletion (self, room_name, done, next_attempt_at,
                                                          last_error, error);
}
