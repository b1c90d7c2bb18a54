#include "capture/malformed.h"

static const struct {
	const char *name, *text;
} table[MAL_COUNT] = {
	[MAL_NONE] = { "none", "not malformed" },
	[MAL_LINK_SHORT] = { "link_short", "frame shorter than its link-layer header" },
	[MAL_LINK_TYPE] = { "link_type", "unsupported capture link type" },
	[MAL_VLAN_DEPTH] = { "vlan_depth", "more than 4 stacked VLAN tags" },
	[MAL_IP_SHORT] = { "ip_short", "IP header truncated" },
	[MAL_IP_HEADER] = { "ip_header", "bad IP version, header length or total length" },
	[MAL_IP_FRAGMENT] = { "ip_fragment", "fragmented IP datagram" },
	[MAL_IP6_EXT] = { "ip6_ext", "broken IPv6 extension header chain" },
	[MAL_UDP_SHORT] = { "udp_short", "UDP header truncated" },
	[MAL_UDP_LENGTH] = { "udp_length", "UDP length inconsistent with the datagram" },
	[MAL_SNAPLEN] = { "snaplen", "PTP message cut by the capture snapshot length" },
	[MAL_PTP_SHORT] = { "ptp_short", "PTP message shorter than the 34-byte header" },
	[MAL_PTP_VERSION] = { "ptp_version", "versionPTP is not 2" },
	[MAL_PTP_LENGTH] = { "ptp_length", "messageLength wrong for the data or the type" },
	[MAL_PTP_TYPE] = { "ptp_type", "reserved PTP messageType" },
	[MAL_PTP_TIMESTAMP] = { "ptp_timestamp", "timestamp nanoseconds >= 10^9 or out of range" },
	[MAL_PTP_TLV] = { "ptp_tlv", "TLV overruns the message or has an odd length" },
};

const char *malformed_name(enum malformed m)
{
	return (unsigned)m < MAL_COUNT ? table[m].name : "?";
}

const char *malformed_text(enum malformed m)
{
	return (unsigned)m < MAL_COUNT ? table[m].text : "?";
}
