#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <unistd.h>

#include "bc-camera-private.h"
#include "bc-media-enums.h"
#include "bc-media-error.h"
#include "bc-media-private.h"

struct _BcPipeWireFd
{
  int fd;
};

struct _BcCamera
{
  GObject parent_instance;

  char *id;
  char *name;
  BcCameraKind kind;
  GstDevice *device;
  BcPipeWireFd *fd;
};

G_DEFINE_FINAL_TYPE (BcCamera, bc_camera, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

BcPipeWireFd *
_bc_pipewire_fd_new (int fd)
{
  BcPipeWireFd *self = g_atomic_rc_box_new0 (BcPipeWireFd);

  self->fd = fd;
  return self;
}

BcPipeWireFd *
_bc_pipewire_fd_ref (BcPipeWireFd *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
pipewire_fd_clear (gpointer data)
{
  BcPipeWireFd *self = data;

  if (self->fd >= 0)
    close (self->fd);
}

void
_bc_pipewire_fd_unref (BcPipeWireFd *self)
{
  g_atomic_rc_box_release_full (self, pipewire_fd_clear);
}

int
_bc_pipewire_fd_get (BcPipeWireFd *self)
{
  return self->fd;
}

static void
bc_camera_dispose (GObject *object)
{
  BcCamera *self = BC_CAMERA (object);

  g_clear_object (&self->device);
  g_clear_pointer (&self->fd, _bc_pipewire_fd_unref);

  G_OBJECT_CLASS (bc_camera_parent_class)->dispose (object);
}

static void
bc_camera_finalize (GObject *object)
{
  BcCamera *self = BC_CAMERA (object);

  g_free (self->id);
  g_free (self->name);

  G_OBJECT_CLASS (bc_camera_parent_class)->finalize (object);
}

static void
bc_camera_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcCamera *self = BC_CAMERA (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_camera_class_init (BcCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_camera_dispose;
  object_class->finalize = bc_camera_finalize;
  object_class->get_property = bc_camera_get_property;

  /**
   * BcCamera:id:
   *
   * A stable identifier: "test" for the test pattern, the device path
   * (/dev/video0) for V4L2, the node name or serial for PipeWire.
   */
  properties[PROP_ID] =
      g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * BcCamera:name:
   *
   * The human-readable name, for a camera menu.
   */
  properties[PROP_NAME] =
      g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
      g_param_spec_enum ("kind", NULL, NULL, BC_TYPE_CAMERA_KIND, BC_CAMERA_KIND_TEST_PATTERN,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_camera_init (BcCamera *self)
{
}

/**
 * bc_camera_new_test_pattern:
 *
 * Returns: (transfer full): the moving test pattern, a camera that always works
 */
BcCamera *
bc_camera_new_test_pattern (void)
{
  BcCamera *self = g_object_new (BC_TYPE_CAMERA, NULL);

  self->id = g_strdup ("test");
  self->name = g_strdup ("Test pattern");
  self->kind = BC_CAMERA_KIND_TEST_PATTERN;
  return self;
}

static char *
device_id (GstDevice *device, BcCameraKind kind)
{
  g_autoptr (GstStructure) props = gst_device_get_properties (device);
  static const char *const keys[] = {
    "api.v4l2.path", "device.path", "object.path", "node.name", "object.serial", NULL,
  };

  for (guint i = 0; props != NULL && keys[i] != NULL; i++)
    {
      const GValue *v = gst_structure_get_value (props, keys[i]);

      if (v == NULL)
        continue;
      if (G_VALUE_HOLDS_STRING (v) && g_value_get_string (v) != NULL)
        return g_value_dup_string (v);
      if (G_VALUE_TYPE (v) != G_TYPE_INVALID)
        return gst_value_serialize (v);
    }
  return gst_device_get_display_name (device);
}

BcCamera *
_bc_camera_new_for_device (GstDevice *device, BcCameraKind kind, BcPipeWireFd *fd)
{
  BcCamera *self = g_object_new (BC_TYPE_CAMERA, NULL);

  self->device = g_object_ref (device);
  self->kind = kind;
  self->name = gst_device_get_display_name (device);
  self->id = device_id (device, kind);
  if (fd != NULL)
    self->fd = _bc_pipewire_fd_ref (fd);
  return self;
}

static gboolean
is_grey_format (const char *format)
{
  return g_str_has_prefix (format, "GRAY") || g_str_has_prefix (format, "Y1") ||
         g_strcmp0 (format, "Y8") == 0;
}

/* Infrared cameras (face unlock) offer greyscale formats only; they are no
 * use for a live stream and confuse people choosing a camera. */
gboolean
_bc_camera_is_usable_device (GstDevice *device)
{
  g_autoptr (GstCaps) caps = gst_device_get_caps (device);

  if (caps == NULL)
    return FALSE;
  if (gst_caps_is_any (caps))
    return TRUE;

  for (guint i = 0; i < gst_caps_get_size (caps); i++)
    {
      const GstStructure *s = gst_caps_get_structure (caps, i);
      const GValue *formats;

      if (!gst_structure_has_name (s, "video/x-raw"))
        {
          /* image/jpeg and friends decode to colour */
          if (g_str_has_prefix (gst_structure_get_name (s), "image/") ||
              g_str_has_prefix (gst_structure_get_name (s), "video/"))
            return TRUE;
          continue;
        }
      formats = gst_structure_get_value (s, "format");
      if (formats == NULL)
        return TRUE;
      if (G_VALUE_HOLDS_STRING (formats))
        {
          if (!is_grey_format (g_value_get_string (formats)))
            return TRUE;
        }
      else if (GST_VALUE_HOLDS_LIST (formats))
        {
          for (guint j = 0; j < gst_value_list_get_size (formats); j++)
            {
              const GValue *f = gst_value_list_get_value (formats, j);

              if (G_VALUE_HOLDS_STRING (f) && !is_grey_format (g_value_get_string (f)))
                return TRUE;
            }
        }
    }
  return FALSE;
}

const char *
bc_camera_get_id (BcCamera *self)
{
  g_return_val_if_fail (BC_IS_CAMERA (self), NULL);

  return self->id;
}

const char *
bc_camera_get_name (BcCamera *self)
{
  g_return_val_if_fail (BC_IS_CAMERA (self), NULL);

  return self->name;
}

BcCameraKind
bc_camera_get_kind (BcCamera *self)
{
  g_return_val_if_fail (BC_IS_CAMERA (self), BC_CAMERA_KIND_TEST_PATTERN);

  return self->kind;
}

/**
 * bc_camera_get_device:
 *
 * Returns: (transfer none) (nullable): the GStreamer device, %NULL for the test pattern
 */
GstDevice *
bc_camera_get_device (BcCamera *self)
{
  g_return_val_if_fail (BC_IS_CAMERA (self), NULL);

  return self->device;
}

typedef struct
{
  gint64 area;
  int fps_num;
  int fps_den;
  gboolean raw;
  gint64 overshoot;
} CapsScore;

static gboolean
score_better (const CapsScore *a, const CapsScore *b)
{
  /* Enough pixels first, then frame rate, then raw over JPEG (no decode
   * cost), then the least to scale away. */
  if (a->area != b->area)
    return a->area > b->area;
  if ((gint64) a->fps_num * b->fps_den != (gint64) b->fps_num * a->fps_den)
    return (gint64) a->fps_num * b->fps_den > (gint64) b->fps_num * a->fps_den;
  if (a->raw != b->raw)
    return a->raw;
  return a->overshoot < b->overshoot;
}

/**
 * bc_camera_choose_caps_from:
 * @available: what a camera offers
 * @width: wanted width
 * @height: wanted height
 * @framerate: wanted frames per second
 *
 * Picks the capture format closest to @width×@height at @framerate without
 * going below it where the camera can do better: raw or JPEG, never greyscale.
 *
 * Returns: (transfer full) (nullable): fixed caps, or %NULL if nothing fits
 */
GstCaps *
bc_camera_choose_caps_from (const GstCaps *available, int width, int height, int framerate)
{
  GstStructure *best = NULL;
  CapsScore best_score = { 0 };

  for (guint i = 0; i < gst_caps_get_size (available); i++)
    {
      GstStructure *s = gst_structure_copy (gst_caps_get_structure (available, i));
      gboolean raw = gst_structure_has_name (s, "video/x-raw");
      CapsScore score;
      int w = 0, h = 0, n = 0, d = 1;
      const char *format;

      if ((!raw && !gst_structure_has_name (s, "image/jpeg")) ||
          gst_caps_features_is_any (gst_caps_get_features (available, i)) ||
          !gst_caps_features_is_equal (gst_caps_get_features (available, i),
                                       GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY))
        {
          gst_structure_free (s);
          continue;
        }

      gst_structure_fixate_field_nearest_int (s, "width", width);
      gst_structure_fixate_field_nearest_int (s, "height", height);
      gst_structure_fixate_field_nearest_fraction (s, "framerate", framerate, 1);
      if (raw)
        gst_structure_fixate_field (s, "format");
      format = gst_structure_get_string (s, "format");
      if (raw && (format == NULL || is_grey_format (format)))
        {
          gst_structure_free (s);
          continue;
        }
      gst_structure_fixate (s);

      if (!gst_structure_get_int (s, "width", &w) || !gst_structure_get_int (s, "height", &h))
        {
          gst_structure_free (s);
          continue;
        }
      if (!gst_structure_get_fraction (s, "framerate", &n, &d) || d == 0)
        {
          n = 0;
          d = 1;
        }

      score.area = (gint64) MIN (w, width) * MIN (h, height);
      /* Frame rates above the wanted one count as the wanted one. */
      if ((gint64) n > (gint64) framerate * d)
        {
          score.fps_num = framerate;
          score.fps_den = 1;
        }
      else
        {
          score.fps_num = n;
          score.fps_den = d;
        }
      score.raw = raw;
      score.overshoot = (gint64) w * h - score.area;

      if (best == NULL || score_better (&score, &best_score))
        {
          g_clear_pointer (&best, gst_structure_free);
          best = s;
          best_score = score;
        }
      else
        gst_structure_free (s);
    }

  if (best == NULL)
    return NULL;
  return gst_caps_new_full (best, NULL);
}

/**
 * bc_camera_choose_caps:
 * @width: wanted width
 * @height: wanted height
 * @framerate: wanted frames per second
 *
 * Returns: (transfer full) (nullable): the capture caps to ask the camera for
 */
GstCaps *
bc_camera_choose_caps (BcCamera *self, int width, int height, int framerate)
{
  g_autoptr (GstCaps) available = NULL;

  g_return_val_if_fail (BC_IS_CAMERA (self), NULL);

  if (self->kind == BC_CAMERA_KIND_TEST_PATTERN)
    return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                                width, "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION,
                                framerate, 1, NULL);

  available = gst_device_get_caps (self->device);
  if (available == NULL)
    return NULL;
  return bc_camera_choose_caps_from (available, width, height, framerate);
}

/**
 * bc_camera_create_source:
 * @error: return location for an error
 *
 * Returns: (transfer floating): a new live source element for this camera
 */
GstElement *
bc_camera_create_source (BcCamera *self, GError **error)
{
  GstElement *src;

  g_return_val_if_fail (BC_IS_CAMERA (self), NULL);

  if (self->kind == BC_CAMERA_KIND_TEST_PATTERN)
    {
      src = _bc_media_make_element ("videotestsrc", NULL, error);
      if (src == NULL)
        return NULL;
      /* A moving picture: a still one would make encoders look far cheaper
       * than with a real camera. */
      g_object_set (src, "is-live", TRUE, "horizontal-speed", 4, NULL);
      _bc_media_set_arg (src, "pattern", "smpte");
      return src;
    }

  src = gst_device_create_element (self->device, NULL);
  if (src == NULL)
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_FAILED,
                   "The camera “%s” could not be opened", self->name);
      return NULL;
    }
  /* The portal's PipeWire remote: pipewiresrc duplicates the fd when it
   * connects, so ours must stay open as long as the camera exists. */
  if (self->fd != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (src), "fd"))
    g_object_set (src, "fd", _bc_pipewire_fd_get (self->fd), NULL);
  return src;
}
