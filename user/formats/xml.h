/* SPDX-License-Identifier: GPL-2.0 */
/* Text inside XML, SVG and HTML documents. */
#ifndef PP_XML_H
#define PP_XML_H

#include <stdio.h>

/* Write s with & < > " ' escaped (valid in XML and HTML5 alike); control
 * characters other than tab are left out. */
void xml_escape(FILE *out, const char *s);

#endif
