// SPDX-License-Identifier: GPL-2.0
/* perfpilot record (not implemented yet). */
#include <stdio.h>
#include "commands.h"

int cmd_record(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "perfpilot: 'record' is not implemented yet\n");
	return 1;
}
