/* The emulated switch: forwards Ethernet frames between network interfaces with AF_PACKET,
 * delaying each one per direction (lab/delay_model.h), optionally acting as an IEEE 1588
 * end-to-end transparent clock (exact or deliberately faulty), and logging every frame's
 * fate with its receive, planned and actual transmit times on one clock: the exact truth of
 * the one-way delays it added.
 *
 * Topology: port 0 is the upstream port (the grandmaster's side); ports 1..N are downstream.
 * A frame from port 0 to port k is "fwd" (master -> slave) and takes port k's fwd delay; a
 * frame from port k to any port is "rev" (k -> master) or "x" (k -> another client) and takes
 * port k's rev delay. Every frame is flooded to all other ports (a hub with delays). Queues
 * are FIFO per path (ingress, egress) unless a spec says order=free or reorders a frame.
 *
 * Timestamps: receive = the kernel's software receive timestamp (SO_TIMESTAMPING, as ptp4l
 * and tcpdump read it), transmit = the kernel's software transmit timestamp taken in the
 * egress driver (veth_xmit's skb_tx_timestamp), read back from the socket's error queue.
 * Both CLOCK_REALTIME. Sending happens at the planned time by clock_nanosleep to a few us
 * before, then a busy-wait on clock_gettime. */
#ifndef PTPCAL_SWITCH_H
#define PTPCAL_SWITCH_H

int lab_switch_main(int argc, char **argv);

#endif
