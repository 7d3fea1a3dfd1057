// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "cli.h"
int cmd_top(int argc, char **argv) { (void)argc; (void)argv; usage_error("top: not yet"); }
