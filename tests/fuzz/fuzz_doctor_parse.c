/* doctor's parsers on arbitrary text: ethtool -T and -c output, ptp4l.conf scanning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/ethtool_parse.h"
#include "pipeline/ptp4l_conf_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct ethtool_ts t;
	ethtool_parse_ts(text, &t);
	if (t.nfilters < 0 || t.nfilters > ETHTOOL_MAX_FILTERS)
		abort();
	ethtool_filters_fit(&t, "L2");
	ethtool_filters_fit(&t, "UDPv4");
	struct ethtool_coalesce c;
	ethtool_parse_coalesce(text, &c);
	struct ptp4l_scan s;
	ptp4l_scan_text(text, &s);
	ptp4l_scan_get(&s, "global", "clock_servo");
	ptp4l_scan_free(&s);
	free(text);
	return 0;
}
