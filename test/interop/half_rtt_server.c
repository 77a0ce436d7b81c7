/*
 * A libssl TLS 1.3 server that sends 0.5-RTT data (RFC 8446 §2.3, §4.2.10): application data written with
 * SSL_write_early_data after its Finished and before the client's Finished, the one case `openssl s_server`
 * cannot produce. Built by test/interop/half-rtt.test.ts at test time (cc ... -lssl -lcrypto); no binary is
 * committed.
 *
 * usage: half_rtt_server CERT KEY NACCEPT
 * Prints "port N" once listening on 127.0.0.1 (an ephemeral port). Per connection: SSL_read_early_data until
 * FINISH (early data echoed to stdout as "early <bytes>"), SSL_write_early_data("half-rtt <k>\n"),
 * SSL_do_handshake, SSL_write("after <k>\n"), then SSL_read of one line ("read <line>"), SSL_shutdown twice.
 * Any failure prints OpenSSL's error queue to stderr and exits 1.
 */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what) {
  fprintf(stderr, "%s failed\n", what);
  ERR_print_errors_fp(stderr);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s CERT KEY NACCEPT\n", argv[0]);
    return 2;
  }
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 || SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) fail("context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_early_data(ctx, 16384);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 || getsockname(s, (struct sockaddr *)&a, &alen) != 0) fail("listen");
  printf("port %d\n", ntohs(a.sin_port));
  fflush(stdout);
  int n = atoi(argv[3]);
  for (int k = 1; k <= n; k++) {
    int c = accept(s, NULL, NULL);
    if (c < 0) fail("accept");
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, c);
    char buf[4096];
    size_t got = 0;
    for (;;) {
      int r = SSL_read_early_data(ssl, buf, sizeof buf, &got);
      if (r == SSL_READ_EARLY_DATA_ERROR) fail("SSL_read_early_data");
      if (r == SSL_READ_EARLY_DATA_FINISH) break;
      printf("early %.*s\n", (int)got, buf);
    }
    char msg[64];
    size_t written = 0;
    int len = snprintf(msg, sizeof msg, "half-rtt %d\n", k);
    if (SSL_write_early_data(ssl, msg, (size_t)len, &written) != 1) fail("SSL_write_early_data");
    if (SSL_do_handshake(ssl) != 1) fail("SSL_do_handshake");
    len = snprintf(msg, sizeof msg, "after %d\n", k);
    if (SSL_write(ssl, msg, len) != len) fail("SSL_write");
    int r = SSL_read(ssl, buf, sizeof buf - 1);
    if (r <= 0) fail("SSL_read");
    printf("read %.*s", r, buf);
    printf("status %s reused %d\n", SSL_get_early_data_status(ssl) == SSL_EARLY_DATA_ACCEPTED ? "accepted" : "not-accepted", SSL_session_reused(ssl));
    fflush(stdout);
    if (SSL_shutdown(ssl) == 0) {
      while (SSL_read(ssl, buf, sizeof buf) > 0) {
      }
      if (SSL_shutdown(ssl) != 1) fail("SSL_shutdown");
    }
    SSL_free(ssl);
    close(c);
  }
  SSL_CTX_free(ctx);
  return 0;
}
