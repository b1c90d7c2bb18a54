#include <stdio.h>
#include <string.h>

#include "pipeline/pmc_client.h"

static enum pmc_result query(struct pmc_uds *u, enum pmc_action action, uint16_t id,
			     const uint8_t *data, size_t dlen, struct pmc_answer *ans, int timeout_ms,
			     char *err, size_t errlen)
{
	int n = pmc_uds_query(u, action, id, data, dlen, ans, 1, timeout_ms, err, errlen);
	if (n < 0)
		return PMC_IO_ERROR;
	if (n == 0) {
		snprintf(err, errlen, "%s: no answer to %s %s within %d ms (ptp4l not running, or "
				      "another domainNumber?)",
			 u->remote.sun_path, action == PMC_SET ? "SET" : "GET", pmc_id_name(id),
			 timeout_ms);
		return PMC_NO_ANSWER;
	}
	if (ans->r.error) {
		snprintf(err, errlen, "%s: ptp4l answered %s to %s %s", u->remote.sun_path,
			 pmc_error_name(ans->r.error_id), action == PMC_SET ? "SET" : "GET",
			 pmc_id_name(id));
		return PMC_ERROR_STATUS;
	}
	return PMC_OK;
}

enum pmc_result pmc_get(struct pmc_uds *u, uint16_t id, struct pmc_answer *ans, int timeout_ms,
			char *err, size_t errlen)
{
	return query(u, PMC_GET, id, NULL, 0, ans, timeout_ms, err, errlen);
}

#define GET_AS(fn, type, id, decode)                                                          \
	enum pmc_result fn(struct pmc_uds *u, type *o, int timeout_ms, char *err, size_t errlen) \
	{                                                                                      \
		struct pmc_answer a;                                                           \
		enum pmc_result r = pmc_get(u, id, &a, timeout_ms, err, errlen);               \
		if (r != PMC_OK)                                                               \
			return r;                                                              \
		if (!decode(a.r.data, a.r.data_len, o)) {                                      \
			snprintf(err, errlen, "%s: %s answer too short (%zu bytes)",           \
				 u->remote.sun_path, pmc_id_name(id), a.r.data_len);            \
			return PMC_BAD_DATA;                                                   \
		}                                                                              \
		return PMC_OK;                                                                 \
	}

GET_AS(pmc_get_time_props_ds, struct pmc_time_props, PMC_ID_TIME_PROPERTIES_DATA_SET,
       pmc_get_time_props)
GET_AS(pmc_get_parent, struct pmc_parent_ds, PMC_ID_PARENT_DATA_SET, pmc_get_parent_ds)
GET_AS(pmc_get_gm, struct pmc_gm_settings, PMC_ID_GRANDMASTER_SETTINGS_NP, pmc_get_gm_settings)

enum pmc_result pmc_set_gm(struct pmc_uds *u, const struct pmc_gm_settings *s,
			   struct pmc_gm_settings *applied, int timeout_ms, char *err, size_t errlen)
{
	uint8_t data[8];
	size_t n = pmc_put_gm_settings(s, data, sizeof(data));
	struct pmc_answer a;
	enum pmc_result r = query(u, PMC_SET, PMC_ID_GRANDMASTER_SETTINGS_NP, data, n, &a,
				  timeout_ms, err, errlen);
	if (r != PMC_OK)
		return r;
	if (applied && !pmc_get_gm_settings(a.r.data, a.r.data_len, applied)) {
		snprintf(err, errlen, "%s: GRANDMASTER_SETTINGS_NP answer too short", u->remote.sun_path);
		return PMC_BAD_DATA;
	}
	return PMC_OK;
}
