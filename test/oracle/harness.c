/*
 * Differential oracle: runs one scenario (a test/oracle/scenarios file, read from stdin) on a client SSL
 * and a server SSL of the system libssl (OpenSSL 3.0 API) and prints one line per step:
 *
 *   <step>\t<ret>\t<SSL_get_error>\t<SSL_get_shutdown>\t<first queued reason>\t<bytes written>
 *
 * `-` stands for "not applicable" (SSL_get_error for a step that is no SSL I/O call, flags of a freed
 * SSL, an empty error queue). <bytes written> is the acting side's BIO_number_written in total for the
 * current connection. test/oracle/runner.ts prints the same lines from memtls; scenario syntax is in
 * test/oracle/README.md.
 *
 * Transports (a `transport` line before the first step):
 *   mem (default)   each side reads one BIO_s_mem and writes another; bytes move only by `deliver`,
 *                   exactly like test/util/link.ts. Empty reads retry (mem_eof -1); `eof X` sets it to 0.
 *   pair N M        BIO_new_bio_pair: the client's end holds at most N unread bytes, the server's M.
 *                   Bytes arrive at once; `eof X` is BIO_shutdown_wr on the peer's end.
 *
 * Post-handshake authentication (`pha <client-cert.pem> <client-key.pem>` after the version): the client has a
 * certificate and SSL_set_post_handshake_auth; the server verifies clients against <ca.pem> with
 * SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_POST_HANDSHAKE (asked after the handshake only).
 *
 * usage: harness <server-cert.pem> <server-key.pem> <ca.pem> [tls1.2|tls1.3 [pha <cert> <key>]]  < scenario
 * Build: cc -O1 -o harness harness.c -lssl -lcrypto
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_IO (1 << 20)

typedef struct {
    char name;          /* 'c' or 's' */
    SSL_CTX *ctx;
    SSL *ssl;           /* NULL once freed */
    BIO *rbio, *wbio;   /* our own references (mem: two BIOs; pair: the same end twice) */
    unsigned char *wbuf; /* the one write buffer of this side: retries pass the same pointer */
    unsigned char *rbuf;
} Side;

static Side C = { .name = 'c' }, S = { .name = 's' };
static int pair_mode = 0;
static long pair_c = 17 * 1024, pair_s = 17 * 1024;
static int steps_seen = 0;
static SSL_SESSION *saved = NULL;
static int lineno = 0;

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "harness: line %d: ", lineno);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    ERR_print_errors_fp(stderr);
    exit(2);
}

/* The protocol version both sides are pinned to: TLS1_3_VERSION, or TLS1_2_VERSION with "tls1.2". */
static int version = TLS1_3_VERSION;
/* The server's tickets: SSL_OP_NO_TICKET (stateful TLS 1.3 tickets, TLS 1.2 session IDs) unless "tickets" asks
 * for OpenSSL's default (stateless tickets in both versions). */
static int no_ticket = 1;
/* Post-handshake authentication: the client's certificate and key (NULL: not configured). */
static const char *pha_cert = NULL, *pha_key = NULL;

static SSL_CTX *make_ctx(int server, const char *cert, const char *key, const char *ca)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

    if (ctx == NULL
        || !SSL_CTX_set_min_proto_version(ctx, version)
        || !SSL_CTX_set_max_proto_version(ctx, version)
        || !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256")
        || !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256")
        /* in TLS 1.2 supported_groups also limits the curve of an ECDSA certificate (RFC 8422 §5.1): P-256 */
        || !SSL_CTX_set1_groups_list(ctx, version == TLS1_2_VERSION ? "X25519:P-256" : "X25519"))
        die("context setup failed");
    /* memtls never renegotiates: a server answers a ClientHello with a no_renegotiation warning (OpenSSL 3.0 with
     * this option does the same), a client ignores a HelloRequest (OpenSSL's client with it sends the warning) */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    if (server) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1
            || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1
            || SSL_CTX_check_private_key(ctx) != 1)
            die("cannot load %s / %s", cert, key);
        /* SSL_OP_NO_TICKET: stateful TLS 1.3 tickets (an id into the server's cache), TLS 1.2 session IDs into
         * the cache; without it ("tickets"), OpenSSL's default stateless tickets in both versions */
        if (no_ticket)
            SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"memtls-oracle", 13);
        if (pha_cert != NULL) {
            if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
                die("cannot load %s", ca);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_POST_HANDSHAKE, NULL);
        }
    } else {
        if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
            die("cannot load %s", ca);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (pha_cert != NULL) {
            if (SSL_CTX_use_certificate_file(ctx, pha_cert, SSL_FILETYPE_PEM) != 1
                || SSL_CTX_use_PrivateKey_file(ctx, pha_key, SSL_FILETYPE_PEM) != 1)
                die("cannot load %s / %s", pha_cert, pha_key);
            SSL_CTX_set_post_handshake_auth(ctx, 1);
        }
    }
    return ctx;
}

static void free_conn(Side *x)
{
    if (x->ssl != NULL)
        SSL_free(x->ssl);
    x->ssl = NULL;
    BIO_free(x->rbio);
    if (x->wbio != x->rbio)
        BIO_free(x->wbio);
    x->rbio = x->wbio = NULL;
}

/* A fresh client/server pair with fresh BIOs; the client offers the saved session, if any. */
static void new_conn(void)
{
    free_conn(&C);
    free_conn(&S);
    C.ssl = SSL_new(C.ctx);
    S.ssl = SSL_new(S.ctx);
    if (C.ssl == NULL || S.ssl == NULL)
        die("SSL_new failed");
    SSL_set_connect_state(C.ssl);
    SSL_set_accept_state(S.ssl);
    if (!SSL_set_tlsext_host_name(C.ssl, "localhost") || !SSL_set1_host(C.ssl, "localhost"))
        die("cannot set the host name");
    if (saved != NULL && !SSL_set_session(C.ssl, saved))
        die("SSL_set_session failed");
    if (pair_mode) {
        BIO *b1, *b2;

        if (!BIO_new_bio_pair(&b1, (size_t)pair_c, &b2, (size_t)pair_s))
            die("BIO_new_bio_pair failed");
        C.rbio = C.wbio = b1;
        S.rbio = S.wbio = b2;
        BIO_up_ref(b1);
        BIO_up_ref(b2);
        SSL_set_bio(C.ssl, b1, b1);
        SSL_set_bio(S.ssl, b2, b2);
    } else {
        Side *xs[2] = { &C, &S };

        for (int i = 0; i < 2; i++) {
            Side *x = xs[i];

            x->rbio = BIO_new(BIO_s_mem());
            x->wbio = BIO_new(BIO_s_mem());
            if (x->rbio == NULL || x->wbio == NULL)
                die("BIO_new failed");
            BIO_set_mem_eof_return(x->rbio, -1);
            BIO_up_ref(x->rbio);
            BIO_up_ref(x->wbio);
            SSL_set_bio(x->ssl, x->rbio, x->wbio);
        }
    }
}

static Side *side_of(const char *tok)
{
    if (strcmp(tok, "c") == 0)
        return &C;
    if (strcmp(tok, "s") == 0)
        return &S;
    die("unknown side '%s'", tok);
    return NULL;
}

static long num_arg(const char *tok, long max)
{
    char *end;
    long v;

    if (tok == NULL)
        die("missing number");
    v = strtol(tok, &end, 10);
    if (*end != '\0' || v < 0 || v > max)
        die("bad number '%s'", tok);
    return v;
}

static uint64_t option_bit(const char *name)
{
    if (strcmp(name, "ignore_eof") == 0)
        return SSL_OP_IGNORE_UNEXPECTED_EOF;
    if (strcmp(name, "no_ticket") == 0)
        return SSL_OP_NO_TICKET;
    if (strcmp(name, "no_renegotiation") == 0)
        return SSL_OP_NO_RENEGOTIATION;
    die("unknown option '%s'", name);
    return 0;
}

static long mode_bit(const char *name)
{
    if (strcmp(name, "auto_retry") == 0)
        return SSL_MODE_AUTO_RETRY;
    if (strcmp(name, "partial_write") == 0)
        return SSL_MODE_ENABLE_PARTIAL_WRITE;
    if (strcmp(name, "moving_buffer") == 0)
        return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
    die("unknown mode '%s'", name);
    return 0;
}

static SSL *live(Side *x)
{
    if (x->ssl == NULL)
        die("side %c was freed", x->name);
    return x->ssl;
}

/* Move up to n bytes of what `from` wrote into what `to` reads (mem transport only). */
static long deliver(Side *from, Side *to, long n, int corrupt_last)
{
    long avail = (long)BIO_ctrl_pending(from->wbio);
    long len = n < avail ? n : avail;
    unsigned char *tmp;

    if (pair_mode)
        die("deliver needs the mem transport");
    if (len <= 0)
        return 0;
    tmp = OPENSSL_malloc((size_t)len);
    if (tmp == NULL || BIO_read(from->wbio, tmp, (int)len) != (int)len)
        die("BIO_read failed");
    if (corrupt_last)
        tmp[len - 1] ^= 1;
    if (BIO_write(to->rbio, tmp, (int)len) != (int)len)
        die("BIO_write failed");
    OPENSSL_free(tmp);
    return len;
}

static void out_line(const char *step, const char *ret, const char *err, Side *x, int with_reason)
{
    char flags[16], wrote[32];
    const char *reason = "-";
    unsigned long e = with_reason ? ERR_peek_error() : 0;
    char unknown[64];

    if (e != 0) {
        reason = ERR_reason_error_string(e);
        if (reason == NULL) {
            snprintf(unknown, sizeof(unknown), "reason(%d)", ERR_GET_REASON(e));
            reason = unknown;
        }
    }
    if (x != NULL && x->ssl != NULL)
        snprintf(flags, sizeof(flags), "%d", SSL_get_shutdown(x->ssl));
    else
        strcpy(flags, "-");
    if (x != NULL && x->wbio != NULL)
        snprintf(wrote, sizeof(wrote), "%lu", (unsigned long)BIO_number_written(x->wbio));
    else
        strcpy(wrote, "-");
    printf("%s\t%s\t%s\t%s\t%s\t%s\n", step, ret, err, flags, reason, wrote);
    fflush(stdout);
}

static void io_line(const char *step, Side *x, int ret, int err)
{
    char r[16], e[16];

    snprintf(r, sizeof(r), "%d", ret);
    snprintf(e, sizeof(e), "%d", err);
    out_line(step, r, e, x, 1);
}

static void val_line(const char *step, Side *x, long v)
{
    char r[24];

    snprintf(r, sizeof(r), "%ld", v);
    out_line(step, r, "-", x, 1);
}

/* Both sides call SSL_do_handshake in turn until both return 1 (bytes flow by themselves in pair mode). */
static int drive_handshake(void)
{
    int rc = -1, rs = -1;

    for (int i = 0; i < 10000 && (rc != 1 || rs != 1); i++) {
        if (rc != 1) {
            ERR_clear_error();
            rc = SSL_do_handshake(live(&C));
            if (rc != 1 && SSL_get_error(C.ssl, rc) != SSL_ERROR_WANT_READ && SSL_get_error(C.ssl, rc) != SSL_ERROR_WANT_WRITE)
                return rc;
        }
        if (!pair_mode)
            deliver(&C, &S, MAX_IO, 0);
        if (rs != 1) {
            ERR_clear_error();
            rs = SSL_do_handshake(live(&S));
            if (rs != 1 && SSL_get_error(S.ssl, rs) != SSL_ERROR_WANT_READ && SSL_get_error(S.ssl, rs) != SSL_ERROR_WANT_WRITE)
                return rs;
        }
        if (!pair_mode)
            deliver(&S, &C, MAX_IO, 0);
    }
    return rc == 1 && rs == 1 ? 1 : -1;
}

static void run_step(char **tok, int ntok, const char *step)
{
    const char *op = tok[0];

    ERR_clear_error();
    if (strcmp(op, "transport") == 0) {
        if (steps_seen > 0)
            die("transport must come before the first step");
        if (ntok == 2 && strcmp(tok[1], "mem") == 0) {
            pair_mode = 0;
        } else if (ntok == 4 && strcmp(tok[1], "pair") == 0) {
            pair_mode = 1;
            pair_c = num_arg(tok[2], MAX_IO);
            pair_s = num_arg(tok[3], MAX_IO);
            if (pair_c < 1 || pair_s < 1)
                die("pair sizes must be >= 1");
        } else {
            die("transport mem | transport pair N M");
        }
        new_conn();
        return;
    }
    steps_seen++;
    if (strcmp(op, "deliver") == 0 || strcmp(op, "deliver_corrupt") == 0) {
        int c2s;
        long n;

        if (ntok != 3)
            die("deliver c2s|s2c N|all");
        if (strcmp(tok[1], "c2s") == 0)
            c2s = 1;
        else if (strcmp(tok[1], "s2c") == 0)
            c2s = 0;
        else
            die("deliver c2s|s2c");
        n = strcmp(tok[2], "all") == 0 ? MAX_IO : num_arg(tok[2], MAX_IO);
        val_line(step, c2s ? &C : &S, deliver(c2s ? &C : &S, c2s ? &S : &C, n, op[7] == '_'));
        return;
    }
    if (strcmp(op, "eof") == 0) {
        Side *x;

        if (ntok != 2)
            die("eof c|s");
        x = side_of(tok[1]);
        if (pair_mode)
            BIO_shutdown_wr(x == &C ? S.wbio : C.wbio);
        else
            BIO_set_mem_eof_return(x->rbio, 0);
        out_line(step, "-", "-", x, 0);
        return;
    }
    if (strcmp(op, "new") == 0) {
        new_conn();
        out_line(step, "-", "-", NULL, 0);
        return;
    }
    if (strcmp(op, "resumable") == 0) {
        val_line(step, NULL, saved != NULL && SSL_SESSION_is_resumable(saved));
        return;
    }
    if (strcmp(op, "drive_handshake") == 0) {
        char r[16], wrote[64];

        /* no acting side: the bytes column holds both totals, "client,server" */
        snprintf(r, sizeof(r), "%d", drive_handshake());
        snprintf(wrote, sizeof(wrote), "%lu,%lu", (unsigned long)BIO_number_written(C.wbio),
                 (unsigned long)BIO_number_written(S.wbio));
        printf("%s\t%s\t-\t-\t-\t%s\n", step, r, wrote);
        fflush(stdout);
        return;
    }
    if (ntok < 2)
        die("expected: <side> <operation> ...");
    {
        Side *x = side_of(op);
        const char *what = tok[1];
        const char *arg = ntok > 2 ? tok[2] : NULL;
        int ret;

        if (strcmp(what, "handshake") == 0) {
            ret = SSL_do_handshake(live(x));
            io_line(step, x, ret, SSL_get_error(x->ssl, ret));
        } else if (strcmp(what, "read") == 0 || strcmp(what, "peek") == 0) {
            long n = num_arg(arg, MAX_IO);

            if (n < 1)
                die("read/peek need at least 1 byte");
            ret = what[0] == 'r' ? SSL_read(live(x), x->rbuf, (int)n) : SSL_peek(live(x), x->rbuf, (int)n);
            io_line(step, x, ret, SSL_get_error(x->ssl, ret));
        } else if (strcmp(what, "write") == 0 || strcmp(what, "write_moved") == 0) {
            /* write: always the start of the side's buffer; write_moved: one byte further on */
            long n = num_arg(arg, MAX_IO - 1);

            ret = SSL_write(live(x), x->wbuf + (what[5] == '_' ? 1 : 0), (int)n);
            io_line(step, x, ret, SSL_get_error(x->ssl, ret));
        } else if (strcmp(what, "shutdown") == 0) {
            ret = SSL_shutdown(live(x));
            io_line(step, x, ret, SSL_get_error(x->ssl, ret));
        } else if (strcmp(what, "set_shutdown") == 0) {
            SSL_set_shutdown(live(x), (int)num_arg(arg, 3));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "quiet") == 0) {
            SSL_set_quiet_shutdown(live(x), (int)num_arg(arg, 1));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "ctx_quiet") == 0) {
            SSL_CTX_set_quiet_shutdown(x->ctx, (int)num_arg(arg, 1));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "set_option") == 0) {
            SSL_set_options(live(x), option_bit(arg));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "clear_option") == 0) {
            SSL_clear_options(live(x), option_bit(arg));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "ctx_set_option") == 0) {
            SSL_CTX_set_options(x->ctx, option_bit(arg));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "set_mode") == 0) {
            SSL_set_mode(live(x), mode_bit(arg));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "clear_mode") == 0) {
            SSL_clear_mode(live(x), mode_bit(arg));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "key_update") == 0) {
            long req = num_arg(arg, 1);

            val_line(step, x, SSL_key_update(live(x), req ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED));
        } else if (strcmp(what, "renegotiate") == 0) {
            /* TLS 1.2: schedule a renegotiation (a server's HelloRequest, a client's ClientHello), sent by the
             * side's next handshake, read or write; both contexts set SSL_OP_NO_RENEGOTIATION (memtls never
             * renegotiates), so a scenario clears it on the initiating side first */
            val_line(step, x, SSL_renegotiate(live(x)));
        } else if (strcmp(what, "verify_pha") == 0) {
            val_line(step, x, SSL_verify_client_post_handshake(live(x)));
        } else if (strcmp(what, "peer_cert") == 0) {
            val_line(step, x, SSL_get0_peer_certificate(live(x)) != NULL);
        } else if (strcmp(what, "ctx_max_early_data") == 0) {
            SSL_CTX_set_max_early_data(x->ctx, (uint32_t)num_arg(arg, 1L << 30));
            out_line(step, "-", "-", x, 1);
        } else if (strcmp(what, "write_early") == 0) {
            /* SSL_write_early_data: the bytes written (memtls's return), or its 0 with SSL_get_error */
            size_t written = 0;

            ret = SSL_write_early_data(live(x), x->wbuf, (size_t)num_arg(arg, MAX_IO - 1), &written);
            io_line(step, x, ret == 1 ? (int)written : ret, SSL_get_error(x->ssl, ret));
        } else if (strcmp(what, "read_early") == 0) {
            /* SSL_read_early_data: SUCCESS -> the bytes, FINISH -> 0 (no error code), ERROR -> -1 with SSL_get_error */
            size_t got = 0;
            long n = num_arg(arg, MAX_IO);

            if (n < 1)
                die("read_early needs at least 1 byte");
            ret = SSL_read_early_data(live(x), x->rbuf, (size_t)n, &got);
            if (ret == SSL_READ_EARLY_DATA_FINISH)
                out_line(step, "0", "-", x, 1);
            else if (ret == SSL_READ_EARLY_DATA_SUCCESS)
                io_line(step, x, (int)got, SSL_ERROR_NONE);
            else
                io_line(step, x, -1, SSL_get_error(x->ssl, -1));
        } else if (strcmp(what, "early_status") == 0) {
            /* SSL_EARLY_DATA_NOT_SENT 0, _REJECTED 1, _ACCEPTED 2 */
            val_line(step, x, SSL_get_early_data_status(live(x)));
        } else if (strcmp(what, "new_ticket") == 0) {
            val_line(step, x, SSL_new_session_ticket(live(x)));
        } else if (strcmp(what, "num_tickets") == 0) {
            val_line(step, x, SSL_set_num_tickets(live(x), (size_t)num_arg(arg, 64)));
        } else if (strcmp(what, "pending") == 0) {
            val_line(step, x, SSL_pending(live(x)));
        } else if (strcmp(what, "rbio_pending") == 0) {
            /* bytes waiting unread in the side's read BIO (records behind a close_notify stay there) */
            val_line(step, x, (long)BIO_ctrl_pending(x->rbio));
        } else if (strcmp(what, "session") == 0) {
            /* keep the client's current session for `new`; report whether it is resumable */
            if (x != &C)
                die("only the client keeps sessions");
            SSL_SESSION_free(saved);
            saved = SSL_get1_session(live(x));
            val_line(step, x, saved != NULL && SSL_SESSION_is_resumable(saved));
        } else if (strcmp(what, "reused") == 0) {
            val_line(step, x, SSL_session_reused(live(x)));
        } else if (strcmp(what, "free") == 0) {
            SSL_free(live(x));
            x->ssl = NULL;
            out_line(step, "-", "-", x, 1);
        } else {
            die("unknown operation '%s'", what);
        }
    }
}

int main(int argc, char **argv)
{
    char line[1024];

    int arg = 4;
    int usage = 0;

    if (argc < 4)
        usage = 1;
    if (!usage && argc > arg) {
        if (strcmp(argv[arg], "tls1.2") == 0)
            version = TLS1_2_VERSION;
        else if (strcmp(argv[arg], "tls1.3") != 0)
            usage = 1;
        arg++;
    }
    if (!usage && argc > arg && (strcmp(argv[arg], "tickets") == 0 || strcmp(argv[arg], "no_ticket") == 0)) {
        no_ticket = strcmp(argv[arg], "no_ticket") == 0;
        arg++;
    }
    if (!usage && argc > arg && strcmp(argv[arg], "pha") == 0 && argc >= arg + 3) {
        pha_cert = argv[arg + 1];
        pha_key = argv[arg + 2];
        arg += 3;
    }
    if (usage || arg != argc) {
        fprintf(stderr, "usage: %s server-cert.pem server-key.pem ca.pem [tls1.2|tls1.3 [tickets|no_ticket] [pha client-cert.pem client-key.pem]] < scenario\n", argv[0]);
        return 2;
    }
    C.ctx = make_ctx(0, NULL, NULL, argv[3]);
    S.ctx = make_ctx(1, argv[1], argv[2], argv[3]);
    C.wbuf = OPENSSL_malloc(MAX_IO);
    S.wbuf = OPENSSL_malloc(MAX_IO);
    C.rbuf = OPENSSL_malloc(MAX_IO);
    S.rbuf = OPENSSL_malloc(MAX_IO);
    if (C.wbuf == NULL || S.wbuf == NULL || C.rbuf == NULL || S.rbuf == NULL)
        die("out of memory");
    for (long i = 0; i < MAX_IO; i++)
        C.wbuf[i] = S.wbuf[i] = (unsigned char)('a' + i % 26);
    new_conn();
    while (fgets(line, sizeof(line), stdin) != NULL) {
        char *tok[8], step[1024] = "", *p;
        int ntok = 0;

        lineno++;
        if ((p = strchr(line, '#')) != NULL)
            *p = '\0';
        for (p = strtok(line, " \t\r\n"); p != NULL && ntok < 8; p = strtok(NULL, " \t\r\n"))
            tok[ntok++] = p;
        if (ntok == 0)
            continue;
        for (int i = 0; i < ntok; i++) {
            if (i > 0)
                strcat(step, " ");
            strcat(step, tok[i]);
        }
        run_step(tok, ntok, step);
    }
    free_conn(&C);
    free_conn(&S);
    SSL_SESSION_free(saved);
    SSL_CTX_free(C.ctx);
    SSL_CTX_free(S.ctx);
    return 0;
}
