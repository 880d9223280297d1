/* Words for the user: errors, times and amounts as the app shows them. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-client-error.h"

/**
 * bc_describe_error:
 *
 * Turns an error of the lower layers into a sentence a user can act on.
 * The server's own message is used where it speaks to the user (validation).
 */
char *
bc_describe_error (const GError *error)
{
  if (error == NULL)
    return g_strdup (_ ("Something went wrong."));

  if (error->domain == BC_CLIENT_ERROR)
    {
      switch ((BcClientError) error->code)
        {
        case BC_CLIENT_ERROR_UNREACHABLE:
          return g_strdup (_ ("Can’t reach the BountyCam server. Check the server address and "
                              "your network connection."));
        case BC_CLIENT_ERROR_UNAUTHORIZED:
          return g_strdup (_ ("Your login has expired. Please sign in again."));
        case BC_CLIENT_ERROR_FORBIDDEN:
          return g_strdup (_ ("You are not allowed to do that."));
        case BC_CLIENT_ERROR_NOT_FOUND:
          return g_strdup (_ ("It no longer exists."));
        case BC_CLIENT_ERROR_CONFLICT:
          return g_strdup (error->message && *error->message
                               ? error->message
                               : _ ("Someone got there first. The list has been refreshed."));
        case BC_CLIENT_ERROR_THROTTLED:
          {
            guint seconds = bc_client_error_get_retry_after (error);

            if (seconds > 0)
              return g_strdup_printf (ngettext ("Too many attempts. Try again in %u second.",
                                                "Too many attempts. Try again in %u seconds.",
                                                seconds),
                                      seconds);
            return g_strdup (_ ("Too many attempts. Wait a moment and try again."));
          }
        case BC_CLIENT_ERROR_INVALID_INPUT:
          return g_strdup (error->message);
        case BC_CLIENT_ERROR_SERVER:
          return g_strdup (_ ("The server had a problem. Try again in a moment."));
        case BC_CLIENT_ERROR_INSECURE:
          return g_strdup (_ ("This server does not use a secure connection (https), so BountyCam "
                              "will not send your login to it."));
        case BC_CLIENT_ERROR_NO_CREDENTIALS:
          return g_strdup (_ ("Please sign in."));
        default:
          break;
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_ ("Cancelled."));

  return g_strdup (error->message);
}

char *
bc_format_relative_time (GDateTime *time)
{
  g_autoptr (GDateTime) now = NULL;
  GTimeSpan span;
  gint64 minutes, hours, days;

  if (time == NULL)
    return g_strdup ("");

  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (now, time);
  minutes = span / G_TIME_SPAN_MINUTE;
  hours = span / G_TIME_SPAN_HOUR;
  days = span / G_TIME_SPAN_DAY;

  if (minutes < 1)
    return g_strdup (_ ("just now"));
  if (hours < 1)
    return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", (gulong) minutes),
                            (int) minutes);
  if (days < 1)
    return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", (gulong) hours), (int) hours);
  return g_strdup_printf (ngettext ("%d day ago", "%d days ago", (gulong) days), (int) days);
}

char *
bc_format_points (gint64 points)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, points);

  /* Translators: an amount of points, the app's currency; %s is the number */
  return g_strdup_printf (ngettext ("%s point", "%s points", (gulong) ABS (points)), number);
}
