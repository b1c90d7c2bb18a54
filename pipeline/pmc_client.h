/* ptpcal's own PTP management client: one-call GET of a dataset and SET of
 * GRANDMASTER_SETTINGS_NP over ptp4l's UNIX socket (pmc_uds.h, pmc_wire.h). Used by
 * `ptpcal pmc`, `verify` and `watchdog`; nothing here scrapes logs or runs linuxptp's pmc. */
#ifndef PTPCAL_PMC_CLIENT_H
#define PTPCAL_PMC_CLIENT_H

#include "pipeline/pmc_uds.h"

enum pmc_result {
	PMC_OK = 0,
	PMC_NO_ANSWER = 1,  /* nothing came back within the timeout */
	PMC_ERROR_STATUS = 2, /* ptp4l answered MANAGEMENT_ERROR_STATUS (err names it) */
	PMC_IO_ERROR = 3,   /* could not send; err says why */
	PMC_BAD_DATA = 4,   /* the answer's dataset is too short */
};

/* GET id; the first answer's dataField decoded by the caller from ans->r.data. */
enum pmc_result pmc_get(struct pmc_uds *u, uint16_t id, struct pmc_answer *ans, int timeout_ms,
			char *err, size_t errlen);
enum pmc_result pmc_get_time_props_ds(struct pmc_uds *u, struct pmc_time_props *o, int timeout_ms,
				      char *err, size_t errlen);
enum pmc_result pmc_get_parent(struct pmc_uds *u, struct pmc_parent_ds *o, int timeout_ms,
			       char *err, size_t errlen);
enum pmc_result pmc_get_gm(struct pmc_uds *u, struct pmc_gm_settings *o, int timeout_ms,
			   char *err, size_t errlen);
/* SET GRANDMASTER_SETTINGS_NP; *applied receives what ptp4l answered (it echoes the new
 * settings: clock.c clock_management_set -> clock_management_get_response). */
enum pmc_result pmc_set_gm(struct pmc_uds *u, const struct pmc_gm_settings *s,
			   struct pmc_gm_settings *applied, int timeout_ms, char *err, size_t errlen);

#endif
