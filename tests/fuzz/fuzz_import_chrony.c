/* The importer of chrony tracking, statistics, measurements and refclocks logs on arbitrary bytes. */
#define IMPORT_NAME "chrony"
#define IMPORT_FORMATS LOG_CHRONY, LOG_CHRONY_TRACKING, LOG_CHRONY_STATISTICS, \
	LOG_CHRONY_MEASUREMENTS, LOG_CHRONY_REFCLOCKS
#include "tests/fuzz/import_common.h"
