"""Python `ssl` peer for memtls interop tests: SSLObject over two MemoryBIOs, pumped over TCP by hand.

usage: python3 python_peer.py ROLE PORT SCENARIO CAFILE [CERTFILE KEYFILE]
  ROLE      client (connect to 127.0.0.1:PORT) or server (listen on 127.0.0.1:PORT, 0 = ephemeral;
            prints "LISTENING <port>" once listening)
  SCENARIO  what to do after the handshake (always: write PY_MSG, read exactly len(MEMTLS_MSG) bytes):
    python-closes   unwrap() until both close_notifys are exchanged
    memtls-closes   read until SSLZeroReturnError (memtls's close_notify), then unwrap() to answer
    python-unidir   send our close_notify (one unwrap() call), then close the socket without waiting
    memtls-unidir   read until SSLZeroReturnError, then close the socket without answering
    truncate        close the TCP socket without close_notify
    expect-eof      read until the transport ends; memtls closes it without close_notify
    pha-answer      client with post_handshake_auth (and CERTFILE KEYFILE): the memtls server asks for the
                    certificate after the handshake; write PY_MSG again after the read that answered, then unwrap()
    pha-request     server with post_handshake_auth and CERT_REQUIRED against CAFILE (SSL_VERIFY_POST_HANDSHAKE):
                    verify_client_post_handshake() before writing PY_MSG; the memtls client answers while reading
                    it; report the peer certificate's subject, then unwrap()
Prints exactly one line "RESULT {json}" and exits 0 (or 1 on an unexpected exception, still printing RESULT).
"""

import json
import os
import signal
import socket
import ssl
import sys

PY_MSG = b"hello from python\n"
MEMTLS_MSG = b"hello from memtls\n"
TIMEOUT_S = 15


def result(**fields):
    print("RESULT " + json.dumps(fields), flush=True)


class Conn:
    def __init__(self, sock, sslobj, incoming, outgoing):
        self.sock, self.obj, self.incoming, self.outgoing = sock, sslobj, incoming, outgoing
        self.eof = False

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def fill(self):
        data = self.sock.recv(65536) if not self.eof else b""
        if data:
            self.incoming.write(data)
        elif not self.eof:
            self.eof = True
            self.incoming.write_eof()
        else:
            raise RuntimeError("WANT_READ after transport EOF")

    def call(self, fn, *args):
        """Retry fn on SSLWantReadError, moving bytes between the socket and the BIOs."""
        while True:
            try:
                ret = fn(*args)
                self.flush()
                return ret
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()

    def read_exactly(self, n):
        buf = b""
        while len(buf) < n:
            buf += self.call(self.obj.read, n - len(buf))
        return buf

    def read_until_close(self):
        """Read until memtls's close_notify; returns the bytes read before it.

        SSLObject.read() returns b"" for a received close_notify (CPython maps SSL_ERROR_ZERO_RETURN with
        only RECEIVED set to an empty read); SSLZeroReturnError is the other spelling of the same event.
        """
        buf = b""
        try:
            while True:
                data = self.call(self.obj.read, 65536)
                if not data:
                    return buf
                buf += data
        except ssl.SSLZeroReturnError:
            return buf


def main():
    signal.alarm(TIMEOUT_S + 5)  # hard deadline in case the test harness does not kill us
    role, port, scenario, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if role == "client":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile)
        if len(sys.argv) > 6:
            ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    if scenario.startswith("pha-"):
        # Client: send post_handshake_auth. Server: with a verify mode, SSL_VERIFY_POST_HANDSHAKE (no request in the
        # handshake, only when asked).
        ctx.post_handshake_auth = True
        if role == "server":
            ctx.load_verify_locations(cafile)
            ctx.verify_mode = ssl.CERT_REQUIRED
    # MEMTLS_PY_TLS=TLSv1_2 pins TLS 1.2 (minimum and maximum_version); the default is TLS 1.3 only.
    version = getattr(ssl.TLSVersion, os.environ.get("MEMTLS_PY_TLS", "TLSv1_3"))
    ctx.minimum_version = version
    ctx.maximum_version = version
    # Some Python builds (Debian's 3.11) set OP_IGNORE_UNEXPECTED_EOF by default; clear it so a truncation is an
    # error whichever python3 runs this.
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    if role == "client":
        sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
        obj = ctx.wrap_bio(incoming, outgoing, server_side=False, server_hostname="localhost")
    else:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind(("127.0.0.1", port))
        lsock.listen(1)
        lsock.settimeout(TIMEOUT_S)
        print("LISTENING %d" % lsock.getsockname()[1], flush=True)
        sock, _ = lsock.accept()
        lsock.close()
        obj = ctx.wrap_bio(incoming, outgoing, server_side=True)
    sock.settimeout(TIMEOUT_S)
    c = Conn(sock, obj, incoming, outgoing)
    base = {"role": role, "scenario": scenario}
    try:
        c.call(obj.do_handshake)
        base["version"] = obj.version()
        if scenario == "pha-request":
            base["peer_before"] = bool(obj.getpeercert())
            obj.verify_client_post_handshake()
        c.call(obj.write, PY_MSG)
        base["got"] = c.read_exactly(len(MEMTLS_MSG)).decode("latin1")
        if scenario == "python-closes":
            c.call(obj.unwrap)
            result(outcome="closed", **base)
        elif scenario == "memtls-closes":
            base["extra"] = c.read_until_close().decode("latin1")
            c.call(obj.unwrap)  # close_notify already received: sends ours and returns
            result(outcome="closed", **base)
        elif scenario == "python-unidir":
            try:
                obj.unwrap()
                base["unwrap"] = "returned"
            except ssl.SSLWantReadError:
                base["unwrap"] = "want-read"
            c.flush()
            result(outcome="sent-close-notify", **base)
        elif scenario == "memtls-unidir":
            base["extra"] = c.read_until_close().decode("latin1")
            result(outcome="received-close-notify", **base)
        elif scenario == "pha-answer":
            c.call(obj.write, PY_MSG)
            c.call(obj.unwrap)
            result(outcome="closed", **base)
        elif scenario == "pha-request":
            cert = obj.getpeercert()
            base["peer_subject"] = dict(x[0] for x in cert["subject"]) if cert else None
            c.call(obj.unwrap)
            result(outcome="closed", **base)
        elif scenario == "truncate":
            result(outcome="truncated", **base)
        elif scenario == "expect-eof":
            try:
                data = c.read_until_close()
                result(outcome="clean-close", extra=data.decode("latin1"), **base)
            except ssl.SSLEOFError as e:
                result(outcome="SSLEOFError", error=str(e), **base)
        else:
            raise ValueError("unknown scenario " + scenario)
    except Exception as e:  # report, do not hide: the test asserts on the outcome
        result(outcome="exception", type=type(e).__name__, error=str(e), **base)
        sock.close()
        return 1
    sock.close()  # no close_notify of our own beyond what the scenario sent
    return 0


if __name__ == "__main__":
    sys.exit(main())
