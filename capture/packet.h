/* A decoded PTP packet: where and when it was captured, how it was encapsulated, and the
 * message. The unit that flows from a packet source (file or interface) to the pairer. */
#ifndef PTPCAL_PACKET_H
#define PTPCAL_PACKET_H

#include <stdint.h>

#include "capture/frame.h"
#include "capture/ptp_wire.h"
#include "common/ptime.h"

struct ptp_packet {
	uint64_t frame;          /* 1-based frame number in the capture (tshark's frame.number) */
	struct ptime ts;         /* capture timestamp, exact to the capture's resolution */
	struct frame_info fi;
	struct ptp_msg msg;
};

#endif
