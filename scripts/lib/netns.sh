# Network-namespace helpers shared by the lab and the end-to-end tests (source this file).
#
# Rules it enforces: only namespaces and processes this shell created are touched; processes
# are stopped by PID, never by name; everything is removed on exit, Ctrl-C or failure (trap).
# Nothing here changes the host clock: every ptp4l it configures is `free_running 1`.

NETNS_LIST=""
NETNS_PIDS=""
NETNS_SLEEPER=""
NETNS_CLEANED=0

netns_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "needs root (network namespaces and veth)" >&2
        return 77
    fi
    if ! ip netns list >/dev/null 2>&1; then
        echo "'ip netns' does not work here" >&2
        return 77
    fi
}

netns_cleanup() {
    [ "$NETNS_CLEANED" = 1 ] && return 0
    NETNS_CLEANED=1
    for pid in $NETNS_PIDS; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # give them a moment to flush logs and captures, then insist
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=""
        for pid in $NETNS_PIDS; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    for pid in $NETNS_PIDS; do kill -KILL "$pid" 2>/dev/null || true; done
    [ -z "$NETNS_SLEEPER" ] || kill "$NETNS_SLEEPER" 2>/dev/null || true
    for ns in $NETNS_LIST; do ip netns del "$ns" 2>/dev/null || true; done
    NETNS_PIDS=""
    NETNS_LIST=""
}

# netns_trap: install the cleanup on exit and on INT/TERM (exit 130/143 after cleaning).
netns_trap() {
    trap 'netns_cleanup' EXIT
    trap 'netns_cleanup; exit 130' INT
    trap 'netns_cleanup; exit 143' TERM
}

# netns_sleep SECONDS: sleep, but let the INT/TERM trap run at once: a shell runs a trap only
# when its foreground child has ended, so a plain 9-minute sleep held Ctrl-C or a kill for 9
# minutes. The sleeper is ended by netns_cleanup.
netns_sleep() {
    sleep "$1" &
    NETNS_SLEEPER=$!
    wait "$NETNS_SLEEPER"
    NETNS_SLEEPER=""
}

# netns_add NAME: create a namespace with lo up; remembered for cleanup.
netns_add() {
    ip netns add "$1" || return 1
    NETNS_LIST="$NETNS_LIST $1"
    ip -n "$1" link set lo up
}

# netns_veth NS_A IF_A NS_B IF_B [ADDR_A ADDR_B]: a veth pair between two namespaces, up,
# with optional IPv4 addresses (CIDR).
netns_veth() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
    if [ -n "${5:-}" ]; then
        ip -n "$1" addr add "$5" dev "$2"
        ip -n "$3" addr add "$6" dev "$4"
    fi
}

# netns_bg NS LOG CMD...: run CMD in NS in the background, output to LOG; sets NETNS_LAST_PID.
netns_bg() {
    ns=$1 log=$2
    shift 2
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
    NETNS_LAST_PID=$!
    NETNS_PIDS="$NETNS_PIDS $NETNS_LAST_PID"
}

# netns_stop PID: stop one process we started (TERM, then wait for it).
netns_stop() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null
    return 0
}

# The installed linuxptp's major version (3 for Debian 12's 3.1.1).
ptp4l_major() {
    ptp4l -v 2>/dev/null | sed -n 's/^\([0-9][0-9]*\)\..*/\1/p' | head -n 1
}

# ptp4l_conf ROLE TRANSPORT [EXTRA...] > file: a lab ptp4l.conf (free_running, software
# timestamps), version-aware: linuxptp < 4.0 knows slaveOnly, 4.0+ clientOnly (linuxptp
# config.c of v3.1.1 and v4.0).
# Optional environment: PTP4L_LOG_SYNC / PTP4L_LOG_DELAY_REQ (log2 s, default -3);
# PTP4L_UDS=PATH gives this ptp4l its own management socket (uds_address, and in 4.0+ also
# uds_ro_address PATH-ro; both options checked in config.c of v3.1.1 and v4.0), so that
# several ptp4l on one host (namespaces share the file system) do not take each other's
# /var/run/ptp4l.
ptp4l_conf() {
    role=$1 transport=$2
    shift 2
    echo "[global]"
    echo "free_running 1"
    echo "time_stamping software"
    echo "network_transport $transport"
    echo "logSyncInterval ${PTP4L_LOG_SYNC:--3}"
    echo "logMinDelayReqInterval ${PTP4L_LOG_DELAY_REQ:--3}"
    echo "logAnnounceInterval -2"
    echo "announceReceiptTimeout 3"
    if [ -n "${PTP4L_UDS:-}" ]; then
        echo "uds_address $PTP4L_UDS"
        if [ "$(ptp4l_major)" -ge 4 ] 2>/dev/null; then echo "uds_ro_address $PTP4L_UDS-ro"; fi
    fi
    if [ "$role" = gm ]; then
        echo "priority1 64"
        echo "clockClass 6"
    else
        if [ "$(ptp4l_major)" -ge 4 ] 2>/dev/null; then echo "clientOnly 1"; else echo "slaveOnly 1"; fi
    fi
    for line in "$@"; do echo "$line"; done
}
