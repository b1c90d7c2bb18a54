/* The importer of ptp4l and phc2sys logs (plain, syslog, journal) on arbitrary bytes. */
#define IMPORT_NAME "linuxptp"
#define IMPORT_FORMATS LOG_PTP4L, LOG_PHC2SYS
#include "tests/fuzz/import_common.h"
