// SPDX-License-Identifier: GPL-2.0
/* The endpoint's listen address: ADDR:PORT parsed, loopback or not (see
 * http.h). */
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "daemon/http.h"

#define LISTEN_EXAMPLES "e.g. 127.0.0.1:9464 (this host only), 0.0.0.0:9464 (every interface) or [::1]:9464"

/* The port at p: 0 to 65535 in at most 5 digits, or -1 */
static long port_number(const char *p)
{
	long v = 0;
	size_t n;

	for (n = 0; p[n]; n++) {
		if (p[n] < '0' || p[n] > '9' || n == 5)
			return -1;
		v = v * 10 + (p[n] - '0');
	}
	return n && v <= 65535 ? v : -1;
}

int http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_flags = AI_NUMERICHOST }, *res;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	const char *host, *end, *port;
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	bool v6;
	long p;

	if (!s || !*s) {
		snprintf(err, errlen, "no listen address: give ADDR:PORT, " LISTEN_EXAMPLES);
		return -1;
	}
	v6 = s[0] == '[';
	if (v6) {
		host = s + 1;
		end = strchr(host, ']');
		if (!end) {
			snprintf(err, errlen, "%s: no ']' after the IPv6 address: e.g. [::1]:9464", s);
			return -1;
		}
		if (end[1] != ':') {
			snprintf(err, errlen, "%s: no port after the address: e.g. [::1]:9464", s);
			return -1;
		}
		port = end + 2;
	} else {
		host = s;
		end = strrchr(s, ':');
		if (!end) {
			snprintf(err, errlen, "%s: no port: give ADDR:PORT, " LISTEN_EXAMPLES, s);
			return -1;
		}
		if (memchr(s, ':', (size_t)(end - s))) {
			snprintf(err, errlen, "%s: an IPv6 address goes in brackets, e.g. [::1]:9464", s);
			return -1;
		}
		port = end + 1;
	}
	if (end == host) {
		snprintf(err, errlen, "%s: no address before the port: " LISTEN_EXAMPLES, s);
		return -1;
	}
	if ((size_t)(end - host) >= sizeof(addr)) {
		snprintf(err, errlen, "%s: the address is too long", s);
		return -1;
	}
	p = port_number(port);
	if (p < 0) {
		snprintf(err, errlen, "%s: the port must be a number from 0 to 65535", s);
		return -1;
	}
	memcpy(addr, host, (size_t)(end - host));
	addr[end - host] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (!v6) {
		if (!strcasecmp(addr, "localhost"))
			snprintf(addr, sizeof(addr), "127.0.0.1");
		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1) {
			snprintf(err, errlen, "%s: %s is not an IPv4 address (no host name but localhost is resolved): "
				 LISTEN_EXAMPLES, s, addr);
			return -1;
		}
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		*len = sizeof(*in);
		return 0;
	}
	if (getaddrinfo(addr, NULL, &hints, &res) || !res) {
		snprintf(err, errlen, "%s: %s is not an IPv6 address: e.g. [::1]:9464", s, addr);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	return 0;
}

bool http_listen_is_loopback(const char *listen)
{
	struct sockaddr_storage ss;
	struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	socklen_t len;
	char err[256];

	if (http_parse_listen(listen, &ss, &len, err, sizeof(err)))
		return false;
	if (ss.ss_family == AF_INET)
		return ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24 == 127;
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}
