/* Configuration parsing and editing on arbitrary text: load, validate as ptp4l.conf, get, set
 * (twice: the second must change nothing), directive replacement, and the diff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf_edit.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool any_server(const char *line, void *ctx)
{
	(void)ctx;
	char buf[256];
	const char *tok[4];
	return conf_tokens(line, buf, sizeof(buf), tok, 4) >= 1 && strcmp(tok[0], "server") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-conf-%d", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct conf_file cf;
	if (conf_load(&cf, path, false)) {
		char *before = conf_render(&cf);
		conf_ptp4l_validate(&cf);
		conf_ptp4l_get(&cf, "global", "delayAsymmetry");
		conf_ptp4l_set(&cf, "global", "delayAsymmetry", "-100");
		if (conf_ptp4l_set(&cf, "global", "delayAsymmetry", "-100"))
			abort(); /* setting the same value twice must be idempotent */
		conf_ptp4l_unset(&cf, "eth0", "x");
		conf_directive_set(&cf, any_server, NULL, "server 192.0.2.1", "c");
		char *after = conf_render(&cf);
		if (strlen(before) < 20000) {
			char *d = conf_diff(before, after, path);
			free(d);
		}
		free(before);
		free(after);
		conf_free(&cf);
	}
	unlink(path);
	return 0;
}
