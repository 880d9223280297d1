#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include "bc-cli.h"

int
bc_cli_cmd_publish (BcCli *cli, int argc, char **argv)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                  "Publishing is not available in this build yet");
  return bc_cli_fail (cli, error);
}

int
bc_cli_cmd_watch (BcCli *cli, int argc, char **argv)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                  "Watching is not available in this build yet");
  return bc_cli_fail (cli, error);
}
