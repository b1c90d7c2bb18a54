/* Entry points of the subcommands, one per command, defined in the module that owns it.
 * Each takes argv with argv[0] = the command name and returns an exit code (common/log.h).
 * The table that maps names to them is in ptpcal.c. */
#ifndef PTPCAL_COMMANDS_H
#define PTPCAL_COMMANDS_H
int cmd_capture(int argc, char **argv);   /* capture/capture_cmd.c */
int cmd_lab(int argc, char **argv);       /* lab/lab_cmd.c */
int cmd_validate_switch(int argc, char **argv); /* lab/validate.c */
int cmd_analyze(int argc, char **argv);   /* analyze/analyze_cmd.c */
int cmd_calibrate(int argc, char **argv); /* calibrate/calibrate_cmd.c */
int cmd_report(int argc, char **argv);    /* report/report_cmd.c */
int cmd_shm(int argc, char **argv);       /* capture/shm_cmd.c */
int cmd_setup(int argc, char **argv);     /* pipeline/setup_cmd.c */
int cmd_pmc(int argc, char **argv);       /* pipeline/pmc_cmd.c */
int cmd_phc(int argc, char **argv);       /* capture/clock_cmd.c */
int cmd_pps(int argc, char **argv);       /* capture/clock_cmd.c */
int cmd_extts(int argc, char **argv);     /* capture/clock_cmd.c */
int cmd_truth(int argc, char **argv);     /* capture/clock_cmd.c */
int cmd_gnss(int argc, char **argv);      /* capture/gnss_cmd.c */
int cmd_doctor(int argc, char **argv);    /* pipeline/doctor_cmd.c */
int cmd_verify(int argc, char **argv);    /* pipeline/verify_cmd.c */
int cmd_import(int argc, char **argv);    /* capture/import_cmd.c */
int cmd_leap(int argc, char **argv);      /* common/leap_cmd.c */
int cmd_sync(int argc, char **argv);      /* pipeline/sync_cmd.c */
int cmd_watchdog(int argc, char **argv);  /* pipeline/watchdog_cmd.c */
int cmd_monitor(int argc, char **argv);   /* pipeline/monitor_cmd.c */

#endif
