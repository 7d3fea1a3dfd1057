/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands; each returns the process exit code. */
#ifndef PP_COMMANDS_H
#define PP_COMMANDS_H

int cmd_stat(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_capacity(int argc, char **argv);

#endif
