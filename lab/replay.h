/* ptpcal lab replay: a lab dataset (manifest + client capture + switch log + ptp4l log) run
 * back through capture and the bias estimate, and checked against its truth.
 *
 * Truth, per exchange, from the switch's own log (one clock, exact): the Sync's and the
 * Delay_Req's residence in the switch minus any transparent-clock correction added for them,
 *   predicted offset_i = theta + (d_ms,i - d_sm,i)/2,  theta = 0 (one host clock),
 * which is IEEE 1588's offset of a free-running slave (offset = slave - master). The capture
 * adds the lab's floor (veth legs, the capture tap's early Delay_Req timestamp, errata item
 * 9), measured on a zero-asymmetry dataset (--floor-from) or given (--floor). */
#ifndef PTPCAL_REPLAY_H
#define PTPCAL_REPLAY_H

int lab_replay_main(int argc, char **argv);

#endif
