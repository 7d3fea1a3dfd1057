// SPDX-License-Identifier: GPL-2.0
/* perfpilot diff (not implemented yet). */
#include <stdio.h>
#include "commands.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "perfpilot: 'diff' is not implemented yet\n");
	return 1;
}
