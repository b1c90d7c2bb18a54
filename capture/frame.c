#include <string.h>

#include <pcap/dlt.h>

#include "capture/frame.h"
#include "capture/ptp_wire.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ_OLD 0x9100
#define IPPROTO_UDP_ 17

const char *frame_encap_name(enum frame_encap e)
{
	switch (e) {
	case ENCAP_L2: return "L2";
	case ENCAP_UDP4: return "UDPv4";
	case ENCAP_UDP6: return "UDPv6";
	}
	return "?";
}

bool frame_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

static enum frame_result malformed(enum malformed *why, enum malformed m)
{
	*why = m;
	return FRAME_MALFORMED;
}

static enum frame_result udp(const uint8_t *p, size_t n, struct frame_info *fi,
			     enum malformed *why)
{
	if (n < 8)
		return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_UDP_SHORT);
	uint16_t sport = rd16(p), dport = rd16(p + 2), ulen = rd16(p + 4);
	if (ulen < 8)
		return malformed(why, MAL_UDP_LENGTH);
	if (ulen > n) {
		if (!fi->truncated)
			return malformed(why, MAL_UDP_LENGTH);
		ulen = (uint16_t)n; /* cut by the snapshot length: decode what is there */
	}
	fi->sport = sport;
	fi->dport = dport;
	bool ptp_port = dport == PTP_EVENT_PORT || dport == PTP_GENERAL_PORT;
	if (!ptp_port && (sport == PTP_EVENT_PORT || sport == PTP_GENERAL_PORT))
		ptp_port = true; /* unicast replies to an ephemeral port */
	if (!ptp_port)
		return FRAME_OTHER;
	fi->ptp = p + 8;
	fi->ptp_len = (size_t)ulen - 8;
	return FRAME_PTP;
}

static enum frame_result ipv4(const uint8_t *p, size_t n, struct frame_info *fi,
			      enum malformed *why)
{
	if (n < 20)
		return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_IP_SHORT);
	if ((p[0] >> 4) != 4)
		return malformed(why, MAL_IP_HEADER);
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t total = rd16(p + 2);
	if (ihl < 20 || total < ihl)
		return malformed(why, MAL_IP_HEADER);
	if (ihl > n)
		return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_IP_SHORT);
	if (total > n) {
		if (!fi->truncated)
			return malformed(why, MAL_IP_HEADER);
		total = n;
	}
	uint16_t frag = rd16(p + 6);
	if (p[9] != IPPROTO_UDP_)
		return FRAME_OTHER;
	if ((frag & 0x2000) || (frag & 0x1fff))
		return malformed(why, MAL_IP_FRAGMENT);
	fi->encap = ENCAP_UDP4;
	return udp(p + ihl, total - ihl, fi, why);
}

static enum frame_result ipv6(const uint8_t *p, size_t n, struct frame_info *fi,
			      enum malformed *why)
{
	if (n < 40)
		return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_IP_SHORT);
	if ((p[0] >> 4) != 6)
		return malformed(why, MAL_IP_HEADER);
	size_t plen = rd16(p + 4);
	size_t avail = n - 40;
	if (plen > avail) {
		if (!fi->truncated)
			return malformed(why, MAL_IP_HEADER);
		plen = avail;
	}
	uint8_t next = p[6];
	const uint8_t *q = p + 40;
	size_t left = plen;
	for (int hops = 0; hops < 8; hops++) {
		switch (next) {
		case IPPROTO_UDP_:
			fi->encap = ENCAP_UDP6;
			return udp(q, left, fi, why);
		case 0:  /* hop-by-hop options */
		case 43: /* routing */
		case 60: /* destination options */
		case 51: { /* authentication header: length in 4-octet units, minus 2 */
			if (left < 8)
				return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_IP6_EXT);
			size_t elen = next == 51 ? ((size_t)q[1] + 2) * 4 : ((size_t)q[1] + 1) * 8;
			if (elen > left)
				return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_IP6_EXT);
			next = q[0];
			q += elen;
			left -= elen;
			break;
		}
		case 44:
			return malformed(why, MAL_IP_FRAGMENT);
		default:
			return FRAME_OTHER;
		}
	}
	return malformed(why, MAL_IP6_EXT);
}

/* From an ethertype onwards: VLAN tags, then PTP / IPv4 / IPv6. Forced inline (three call
 * sites): a call per packet for a few comparisons. */
static inline __attribute__((always_inline)) enum frame_result
ethertype(uint16_t type, const uint8_t *p, size_t n, struct frame_info *fi, enum malformed *why)
{
	if (type == PTP_ETHERTYPE) { /* the common case first: untagged PTP over Ethernet */
		fi->encap = ENCAP_L2;
		fi->ptp = p;
		fi->ptp_len = n;
		return FRAME_PTP;
	}
	while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD) {
		if (fi->nvlan == 4)
			return malformed(why, MAL_VLAN_DEPTH);
		if (n < 4)
			return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_LINK_SHORT);
		fi->vlan[fi->nvlan++] = rd16(p) & 0x0fff;
		type = rd16(p + 2);
		p += 4;
		n -= 4;
	}
	switch (type) {
	case PTP_ETHERTYPE:
		fi->encap = ENCAP_L2;
		fi->ptp = p;
		fi->ptp_len = n;
		return FRAME_PTP;
	case ETH_P_IPV4:
		return ipv4(p, n, fi, why);
	case ETH_P_IPV6:
		return ipv6(p, n, fi, why);
	default:
		return FRAME_OTHER;
	}
}

static enum frame_dir sll_dir(unsigned pkttype)
{
	/* linux/if_packet.h: PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4 */
	if (pkttype == 4)
		return DIR_OUT;
	if (pkttype <= 3)
		return DIR_IN;
	return DIR_UNKNOWN;
}

static enum frame_result raw_ip(const uint8_t *p, size_t n, struct frame_info *fi,
				enum malformed *why)
{
	if (n < 1)
		return malformed(why, MAL_IP_SHORT);
	switch (p[0] >> 4) {
	case 4: return ipv4(p, n, fi, why);
	case 6: return ipv6(p, n, fi, why);
	default: return malformed(why, MAL_IP_HEADER);
	}
}

enum frame_result frame_decode(int dlt, const uint8_t *pkt, size_t caplen, size_t wirelen,
			       struct frame_info *fi, enum malformed *why)
{
	/* Field by field, not memset: this runs once per packet. */
	fi->encap = ENCAP_L2;
	fi->dir = DIR_UNKNOWN;
	fi->nvlan = 0;
	fi->sport = fi->dport = 0;
	fi->ptp = NULL;
	fi->ptp_len = 0;
	*why = MAL_NONE;
	fi->truncated = caplen < wirelen;
	/* Ethernet, by far the most common link type, tested before the switch. */
	if (dlt == DLT_EN10MB) {
		if (caplen < 14)
			return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_LINK_SHORT);
		uint16_t type = rd16(pkt + 12);
		if (type < 0x0600)
			return FRAME_OTHER; /* IEEE 802.3 length field: LLC, never PTP */
		return ethertype(type, pkt + 14, caplen - 14, fi, why);
	}
	switch (dlt) {
	case DLT_LINUX_SLL: {
		if (caplen < 16)
			return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_LINK_SHORT);
		fi->dir = sll_dir(rd16(pkt));
		return ethertype(rd16(pkt + 14), pkt + 16, caplen - 16, fi, why);
	}
	case DLT_LINUX_SLL2: {
		if (caplen < 20)
			return malformed(why, fi->truncated ? MAL_SNAPLEN : MAL_LINK_SHORT);
		fi->dir = sll_dir(pkt[10]);
		return ethertype(rd16(pkt), pkt + 20, caplen - 20, fi, why);
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return raw_ip(pkt, caplen, fi, why);
	case DLT_NULL:
	case DLT_LOOP:
		if (caplen < 4)
			return malformed(why, MAL_LINK_SHORT);
		return raw_ip(pkt + 4, caplen - 4, fi, why);
	default:
		return malformed(why, MAL_LINK_TYPE);
	}
}
