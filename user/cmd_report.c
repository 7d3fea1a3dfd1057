// SPDX-License-Identifier: GPL-2.0
/* perfpilot report (not implemented yet). */
#include <stdio.h>
#include "commands.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "perfpilot: 'report' is not implemented yet\n");
	return 1;
}
