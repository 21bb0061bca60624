/*
 * The dns detectors: being written (issue 13).
 */
#include "detect.h"

static struct param dns_params[] = {
	{ .name = NULL },
};

static void
dns_packet(const struct dpkt *p)
{
	(void)p;
}

const struct det_module dns_module = {
	.name = "dns",
	.params = dns_params,
	.packet = dns_packet,
};
