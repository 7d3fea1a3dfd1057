/* SPDX-License-Identifier: GPL-2.0 */
/* The version of perfpilot, printed by --version and written into stores. */
#ifndef PP_VERSION_H
#define PP_VERSION_H

#define PERFPILOT_VERSION "0.1.0"

#endif
