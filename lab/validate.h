/* ptpcal validate-switch: two-point measurement of a switch (device under test) from either
 * the emulated switch's own per-frame log or two captures taken on either side of it with a
 * common clock. Per direction: latency of PTP event messages, its distribution and PDV, loss;
 * the asymmetry (mean fwd - mean rev) with a 95 % interval; for a transparent clock, the error
 * of the correction it wrote against the residence time measured from outside. Pass/fail
 * against the user's limits. */
#ifndef PTPCAL_VALIDATE_H
#define PTPCAL_VALIDATE_H

int cmd_validate_switch(int argc, char **argv);

#endif
