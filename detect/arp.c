/*
 * The arp detectors: being written (issue 13).
 */
#include "detect.h"

static struct param arp_params[] = {
	{ .name = NULL },
};

static void
arp_packet(const struct dpkt *p)
{
	(void)p;
}

const struct det_module arp_module = {
	.name = "arp",
	.params = arp_params,
	.packet = arp_packet,
};
