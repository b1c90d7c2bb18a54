/* The importer of ntpsec peerstats, loopstats and rawstats on arbitrary bytes. */
#define IMPORT_NAME "ntpsec"
#define IMPORT_FORMATS LOG_NTPSEC_PEERSTATS, LOG_NTPSEC_LOOPSTATS, LOG_NTPSEC_RAWSTATS
#include "tests/fuzz/import_common.h"
