/* Where the ptp4l@ / phc2sys@ units of a system read their configuration. */
#ifndef PTPCAL_PTP4L_PATHS_H
#define PTPCAL_PTP4L_PATHS_H

#include <stddef.h>

/* The file ptp4l@.service passes with -f (Debian: /etc/linuxptp/ptp4l.conf, the default when
 * no unit says otherwise), with %I/%i replaced by iface; the first unit found in systemd's
 * order (/etc, then the vendor directories) under root wins. The path returned is absolute
 * on the target system (not prefixed with root). */
void ptp4l_conf_path(const char *root, const char *iface, char *out, size_t len);

/* ptp4l's read-write management socket: uds_address from the ptp4l.conf above if it sets
 * one, else linuxptp's default (config.c: /var/run/ptp4l up to v4.4; /var/run/ptp/ptp4l in
 * later releases, used when only that one exists). Into out (absolute, live system). */
void ptp4l_uds_path(const char *iface, char *out, size_t len);

#endif
