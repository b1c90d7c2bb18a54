#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pipeline/ptp4l_conf_scan.h"

void ptp4l_scan_text(const char *text, struct ptp4l_scan *out)
{
	out->v = NULL;
	out->n = 0;
	char section[64] = "";
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)(len < 1023 ? len : 1023), p);
		p += len + (nl ? 1 : 0);
		lineno++;
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		size_t l = strlen(s);
		while (l && isspace((unsigned char)s[l - 1]))
			s[--l] = '\0';
		if (!*s || *s == '#')
			continue;
		struct ptp4l_line e;
		memset(&e, 0, sizeof(e));
		e.line = lineno;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close) {
				e.bad_section = true;
			} else {
				*close = '\0';
				char *name = s + 1;
				while (isspace((unsigned char)*name))
					name++;
				size_t nl2 = strlen(name);
				while (nl2 && isspace((unsigned char)name[nl2 - 1]))
					name[--nl2] = '\0';
				snprintf(section, sizeof(section), "%s", name);
				continue;
			}
		} else {
			size_t ol = strcspn(s, " \t");
			snprintf(e.option, sizeof(e.option), "%.*s", (int)(ol < 63 ? ol : 63), s);
			const char *v = s + ol;
			while (isspace((unsigned char)*v))
				v++;
			snprintf(e.value, sizeof(e.value), "%s", v);
		}
		snprintf(e.section, sizeof(e.section), "%s", section);
		out->v = xrealloc(out->v, sizeof(e) * (size_t)(out->n + 1));
		out->v[out->n++] = e;
	}
}

void ptp4l_scan_free(struct ptp4l_scan *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const struct ptp4l_line *ptp4l_scan_get(const struct ptp4l_scan *s, const char *section,
					const char *option)
{
	const struct ptp4l_line *found = NULL;
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i].section, section) == 0 && strcmp(s->v[i].option, option) == 0)
			found = &s->v[i];
	return found;
}
