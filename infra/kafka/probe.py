#!/usr/bin/env python3
"""Asks a Kafka broker for its metadata over the wire (standard library only).

    probe.py HOST:PORT [--timeout SECONDS] [--topics] [--group-coordinator] [--quiet]

Sends one Metadata request (API key 3, version 4: answered by every broker from Kafka 1.0 to
4.x) and exits 0 when the broker answers with at least one live broker, 1 when it answers
otherwise or cannot be reached. What it learnt goes to stderr, unless --quiet; --topics also
lists the topics (with their partition counts) on stdout, one per line.

--group-coordinator also asks for a consumer group's coordinator (FindCoordinator, API key 10,
version 1) and fails unless it has one: the first such request makes the broker create its
__consumer_offsets topic, so once this passes the first consumer group joins at once.
"""

import argparse
import socket
import struct
import sys

API_METADATA = 3
API_FIND_COORDINATOR = 10
CORRELATION_ID = 0x4B50524F  # "KPRO"
CLIENT_ID = b"caseflow-probe"


class Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ValueError("response ends early")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def int8(self) -> int:
        return self.take(">b")

    def int16(self) -> int:
        return self.take(">h")

    def int32(self) -> int:
        return self.take(">i")

    def string(self):
        n = self.int16()
        if n < 0:
            return None
        if self.pos + n > len(self.data):
            raise ValueError("response ends early")
        s = self.data[self.pos : self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def array(self, item):
        n = self.int32()
        return [] if n < 0 else [item() for _ in range(n)]


def frame(api_key: int, version: int, body: bytes) -> bytes:
    header = struct.pack(">hhih", api_key, version, CORRELATION_ID, len(CLIENT_ID)) + CLIENT_ID
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def call(sock: socket.socket, request: bytes) -> Reader:
    sock.sendall(request)
    (size,) = struct.unpack(">i", recv_exactly(sock, 4))
    if size < 4 or size > 64 * 1024 * 1024:
        raise ValueError(f"implausible response size {size}")
    r = Reader(recv_exactly(sock, size))
    if r.int32() != CORRELATION_ID:
        raise ValueError("response carries another correlation id")
    return r


def metadata(sock: socket.socket, all_topics: bool):
    # Metadata v4 body: topics, null (-1) for every topic or an empty array (0) for none; then
    # allow_auto_topic_creation = false.
    r = call(sock, frame(API_METADATA, 4, struct.pack(">ib", -1 if all_topics else 0, 0)))
    r.int32()  # throttle_time_ms
    brokers = r.array(lambda: (r.int32(), r.string(), r.int32(), r.string()))
    cluster_id = r.string()
    controller_id = r.int32()

    def topic():
        error = r.int16()
        name = r.string()
        internal = r.int8() != 0

        def partition():
            r.int16()  # error_code
            r.int32()  # partition_index
            r.int32()  # leader_id
            r.array(r.int32)  # replica_nodes
            r.array(r.int32)  # isr_nodes

        partitions = r.array(partition)
        return name, error, internal, len(partitions)

    topics = r.array(topic)
    return brokers, cluster_id, controller_id, topics


def group_coordinator(sock: socket.socket, group: str):
    """(error_code, "node@host:port") of the coordinator of a consumer group."""
    key = group.encode()
    # FindCoordinator v1 body: key, key_type 0 (a consumer group).
    r = call(sock, frame(API_FIND_COORDINATOR, 1, struct.pack(">h", len(key)) + key + b"\x00"))
    r.int32()  # throttle_time_ms
    error = r.int16()
    r.string()  # error_message
    node, host, port = r.int32(), r.string(), r.int32()
    return error, f"{node}@{host}:{port}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address", help="HOST:PORT of the broker")
    ap.add_argument("--timeout", type=float, default=3.0, help="socket timeout in seconds (default 3)")
    ap.add_argument("--topics", action="store_true", help="also list the topics on stdout")
    ap.add_argument(
        "--group-coordinator", action="store_true", help="also require a consumer group coordinator"
    )
    ap.add_argument("--quiet", action="store_true", help="say nothing, only set the exit code")
    args = ap.parse_args()

    host, sep, port = args.address.rpartition(":")
    if not sep or not host or not port.isdigit():
        ap.error(f"address must be HOST:PORT, got {args.address!r}")

    def say(msg: str):
        if not args.quiet:
            print(f"probe: {msg}", file=sys.stderr)

    try:
        with socket.create_connection((host, int(port)), timeout=args.timeout) as sock:
            sock.settimeout(args.timeout)
            brokers, cluster_id, controller_id, topics = metadata(sock, args.topics)
            listed = ", ".join(f"{node}@{h}:{p}" for node, h, p, _ in brokers) or "none"
            say(f"{args.address}: cluster {cluster_id}, controller {controller_id}, brokers {listed}")
            if args.topics:
                for name, error, internal, partitions in sorted(topics, key=lambda t: t[0] or ""):
                    flags = (" internal" if internal else "") + (f" error={error}" if error else "")
                    print(f"{name}\t{partitions}{flags}")
            if not brokers:
                return 1
            if args.group_coordinator:
                error, coordinator = group_coordinator(sock, "caseflow-kafka-probe")
                if error:
                    # 15 (COORDINATOR_NOT_AVAILABLE) while __consumer_offsets is being created.
                    say(f"{args.address}: no group coordinator yet (error code {error})")
                    return 1
                say(f"{args.address}: group coordinator {coordinator}")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        say(f"{args.address}: no answer ({e.__class__.__name__}: {e})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
