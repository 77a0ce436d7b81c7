/**
 * `-starttls proto`: the plaintext part of a protocol that upgrades to TLS, as OpenSSL's s_client speaks it,
 * over a fresh TCP connection. When it resolves, the server has agreed to start TLS and no plaintext byte is
 * left unread: the caller runs the handshake on the same socket.
 *
 * Rules:
 * - Each reply is bounded (64 KiB) and the whole exchange has a deadline (15 s); a refusal, a closed
 *   connection or a malformed reply rejects with a StarttlsError naming the protocol and the reply.
 * - Bytes that arrive after the reply that grants the upgrade, before our ClientHello, are refused (the
 *   CVE-2021-23222 class: plaintext injected in front of the TLS stream must never be taken as protected).
 */
import type net from 'node:net';
import type { STARTTLS_PROTOCOLS } from './args.js';

export type StarttlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

/** The server refused the upgrade, or the exchange broke. */
export class StarttlsError extends Error {}

const MAX_REPLY = 64 * 1024;
const DEADLINE_MS = 15_000;

/** One plaintext conversation: writes, and reads replies whose end a `complete` function finds. */
class Conversation {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended: string | null = null;
  private readonly sock: net.Socket;
  private readonly proto: string;
  private readonly log: (line: string) => void;

  constructor(sock: net.Socket, proto: string, log: (line: string) => void) {
    this.sock = sock;
    this.proto = proto;
    this.log = log;
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('error', this.onError);
  }

  private readonly onData = (d: Buffer): void => {
    this.buf = Buffer.concat([this.buf, d]);
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = 'the server closed the connection';
    this.wake?.();
  };
  private readonly onError = (e: Error): void => {
    this.ended = e.message;
    this.wake?.();
  };

  /** A line of the trace. */
  note(text: string): void {
    this.log(`STARTTLS(${this.proto}): ${text}`);
  }

  send(text: string | Buffer): void {
    if (typeof text === 'string') for (const l of text.split(/\r?\n/).filter((x) => x)) this.log(`STARTTLS(${this.proto}) >>> ${l}`);
    this.sock.write(text);
  }

  /** Wait until `complete(buffered)` returns the length of a whole reply; consume and return it. */
  async reply(complete: (b: Buffer) => number): Promise<string> {
    for (;;) {
      const n = complete(this.buf);
      if (n > 0) {
        const text = this.buf.subarray(0, n).toString('latin1');
        this.buf = this.buf.subarray(n);
        for (const l of text.split(/\r?\n/).filter((x) => x)) this.log(`STARTTLS(${this.proto}) <<< ${l}`);
        return text;
      }
      if (this.buf.length > MAX_REPLY) throw new StarttlsError(`-starttls ${this.proto}: a reply longer than ${MAX_REPLY} bytes`);
      if (this.ended) throw new StarttlsError(`-starttls ${this.proto}: ${this.ended} before the upgrade`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  /** The upgrade is granted: stop reading plaintext. Refuses bytes that came after the grant. */
  finish(): void {
    this.sock.off('data', this.onData);
    this.sock.off('end', this.onEnd);
    this.sock.off('error', this.onError);
    this.sock.pause();
    const stray = this.buf.length + this.sock.readableLength;
    if (stray > 0) throw new StarttlsError(`-starttls ${this.proto}: ${stray} bytes of plaintext arrived after the server agreed to start TLS; refusing to go on`);
  }
}

/** Length of the first complete line (with its newline), or 0. */
const lineEnd = (b: Buffer, from = 0): number => {
  const nl = b.indexOf(0x0a, from);
  return nl < 0 ? 0 : nl + 1;
};

/** SMTP / FTP: a (possibly multi-line) reply ends with a line `NNN ` (a dash after the code continues it). */
function numericReply(b: Buffer): number {
  for (let start = 0, end = lineEnd(b); end > 0; start = end, end = lineEnd(b, start)) {
    if (/^\d{3}(?: |\r?\n)/.test(b.subarray(start, end).toString('latin1'))) return end;
  }
  return 0;
}

/** IMAP: lines up to and including the one tagged `tag`. */
function taggedReply(tag: string): (b: Buffer) => number {
  return (b) => {
    for (let start = 0, end = lineEnd(b); end > 0; start = end, end = lineEnd(b, start)) {
      if (b.subarray(start, end).toString('latin1').startsWith(`${tag} `)) return end;
    }
    return 0;
  };
}

/** XMPP: everything up to the end of the element `<name .../>` or `</name>`. */
function xmlUpTo(name: string): (b: Buffer) => number {
  return (b) => {
    const text = b.toString('latin1');
    const m = new RegExp(`<(?:[\\w-]+:)?${name}\\b[^>]*/>|</(?:[\\w-]+:)?${name}>`).exec(text);
    return m ? m.index + m[0].length : 0;
  };
}

function expect(proto: string, reply: string, ok: RegExp, what: string): void {
  if (!ok.test(reply)) throw new StarttlsError(`-starttls ${proto}: the server refused ${what}: ${reply.trim().split(/\r?\n/).pop() ?? ''}`);
}

/**
 * Speak `proto` on a connected socket until the server agrees to start TLS.
 * @param host - the server's name (XMPP's `to` domain).
 */
export async function starttls(sock: net.Socket, proto: StarttlsProtocol, host: string, log: (line: string) => void): Promise<void> {
  const c = new Conversation(sock, proto, log);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StarttlsError(`-starttls ${proto}: no upgrade within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  });
  try {
    await Promise.race([talk(c, proto, host), deadline]);
    c.finish();
  } finally {
    clearTimeout(timer);
  }
}

async function talk(c: Conversation, proto: StarttlsProtocol, host: string): Promise<void> {
  switch (proto) {
    case 'smtp': {
      expect(proto, await c.reply(numericReply), /^220/, 'the session (greeting)');
      c.send('EHLO memtls.client.example\r\n');
      const ehlo = await c.reply(numericReply);
      expect(proto, ehlo, /^250/, 'EHLO');
      if (!/^250[- ]STARTTLS\b/im.test(ehlo)) c.note('the server does not offer STARTTLS; trying anyway');
      c.send('STARTTLS\r\n');
      expect(proto, await c.reply(numericReply), /^220/, 'STARTTLS');
      return;
    }
    case 'ftp': {
      expect(proto, await c.reply(numericReply), /^220/, 'the session (greeting)');
      c.send('AUTH TLS\r\n');
      expect(proto, await c.reply(numericReply), /^234/, 'AUTH TLS');
      return;
    }
    case 'pop3': {
      expect(proto, await c.reply((b) => lineEnd(b)), /^\+OK/, 'the session (greeting)');
      c.send('STLS\r\n');
      expect(proto, await c.reply((b) => lineEnd(b)), /^\+OK/, 'STLS');
      return;
    }
    case 'imap': {
      expect(proto, await c.reply((b) => lineEnd(b)), /^\* (OK|PREAUTH)/, 'the session (greeting)');
      c.send('. CAPABILITY\r\n');
      const caps = await c.reply(taggedReply('.'));
      if (!/\bSTARTTLS\b/i.test(caps)) c.note('the server does not offer STARTTLS; trying anyway');
      c.send('. STARTTLS\r\n');
      expect(proto, (await c.reply(taggedReply('.'))).split(/\r?\n/).filter((l) => l.startsWith('. ')).join(''), /^\. OK/, 'STARTTLS');
      return;
    }
    case 'xmpp': {
      c.send(`<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='${xmlAttr(host)}' version='1.0'>`);
      const features = await c.reply(xmlUpTo('features'));
      expect(proto, features, /<starttls\b/, 'STARTTLS (not among its stream features)');
      c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      const answer = await c.reply((b) => Math.max(xmlUpTo('proceed')(b), xmlUpTo('failure')(b)));
      expect(proto, answer, /<proceed\b/, 'STARTTLS');
      return;
    }
    case 'postgres': {
      // SSLRequest: length 8, code 80877103 (1234 << 16 | 5679); the answer is one byte, 'S' or 'N'.
      c.send(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
      const answer = await c.reply((b) => (b.length > 0 ? 1 : 0));
      expect(proto, answer, /^S$/, `SSL (answer ${JSON.stringify(answer)})`);
      return;
    }
  }
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');
}
