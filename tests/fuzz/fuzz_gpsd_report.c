/* One gpsd JSON report, decoded as the client does (gnss_unpack: libgps's decoder without
 * gps_unpack's endless loop), into an event and the health state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gps.h>

#include "capture/gpsd_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 20000)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	static struct gps_data_t g;
	memset(&g, 0, sizeof(g));
	gnss_unpack(buf, &g);
	struct gnss_event ev;
	struct gnss_limits lim;
	gnss_limits_default(&lim);
	lim.min_sats = 4;
	struct gnss_state st;
	gnss_state_init(&st, &lim, 0);
	if (gnss_event_from_message(buf, &g, 1, 1000000000, &ev)) {
		gnss_state_feed(&st, &ev);
		gnss_event_offset_ns(&ev);
	}
	gnss_state_tick(&st, 10000000000LL);
	struct gnss_health h;
	gnss_state_health(&st, 20000000000LL, &h);
	free(buf);
	return 0;
}
