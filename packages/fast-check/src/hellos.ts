/**
 * Generators of ClientHellos and ServerHellos for TLS 1.3 (RFC 8446 §4.1.2, §4.1.3) and TLS 1.2 (RFC 5246
 * §7.4.1): well-formed ones with any extension order, optional and unknown extensions and GREASE values (RFC
 * 8701), and almost-well-formed ones that carry exactly one named defect, so that a counterexample says which.
 */
import fc from 'fast-check';
import { CT, concat, type Ext, encodeExts, encodeHello, frame, type Hello, HT, record, u16list, vec8, vec16 } from './wire.js';

/** The 16 GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ... 0xfafa): cipher suites, groups, versions, extensions. */
export const GREASE_VALUES: readonly number[] = Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x101);

/** Which version a hello is for. */
export type HelloVersion = 'tls1.3' | 'tls1.2';

/** Options of the hello generators. */
export interface HelloOptions {
  /** Default 'tls1.3'. */
  version?: HelloVersion;
  /** The server name to send (ClientHello; default: a server_name extension is optional, with 'localhost'). */
  serverName?: string;
}

const u16 = (n: number): Uint8Array => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const grease = fc.constantFrom(...GREASE_VALUES);
/** Extension types no TLS library implements (between the registered ones and the private-use range). */
const unknownType = fc.integer({ min: 0x0100, max: 0xfe00 }).filter((t) => !GREASE_VALUES.includes(t) && t !== 0xff01);
const unknownExt: fc.Arbitrary<Ext> = fc.record({ type: unknownType, data: fc.uint8Array({ maxLength: 32 }) });
const greaseExt: fc.Arbitrary<Ext> = fc.record({ type: grease, data: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 4 })) });
const x25519Share = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => {
  b[0] = (b[0] as number) | 1; // never the all-zero point
  return b;
});

const SUITES13 = [0x1301, 0x1302, 0x1303];
const SUITES12 = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009c, 0x009d];
const SIG_ALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0807, 0x0806, 0x0601];

/** Ordered with the required extensions and an optional subset, then shuffled. */
const shuffled = (all: Ext[]): fc.Arbitrary<Ext[]> => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });

/** Well-formed ClientHellos: every offer a current client makes, in any order, with GREASE and unknown extensions. */
export function clientHello(o: HelloOptions = {}): fc.Arbitrary<Hello> {
  const v13 = (o.version ?? 'tls1.3') === 'tls1.3';
  return fc
    .record({
      random: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      sessionId: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 32, maxLength: 32 })),
      suites: fc.shuffledSubarray(v13 ? [...SUITES13, ...SUITES12] : SUITES12, { minLength: 1 }).map((s) => (v13 && !s.some((x) => SUITES13.includes(x)) ? [0x1301, ...s] : s)),
      greaseSuite: fc.option(grease, { nil: undefined }),
      greaseVersion: fc.option(grease, { nil: undefined }),
      greaseGroup: fc.option(grease, { nil: undefined }),
      share: x25519Share,
      sni: o.serverName === undefined ? fc.option(fc.constant('localhost'), { nil: undefined }) : fc.constant(o.serverName),
      alpn: fc.option(fc.shuffledSubarray(['h2', 'http/1.1', 'x'], { minLength: 1 }), { nil: undefined }),
      extra: fc.uniqueArray(fc.oneof(unknownExt, greaseExt), { maxLength: 3, selector: (e) => e.type }),
      ems: fc.boolean(),
    })
    .chain((r) => {
      const exts: Ext[] = [
        { type: 10, data: u16list([...(r.greaseGroup === undefined ? [] : [r.greaseGroup]), 0x001d, 0x0017, 0x0018]) },
        { type: 13, data: u16list(SIG_ALGS) },
        ...r.extra,
      ];
      if (v13) {
        exts.push({ type: 43, data: vec8(concat(...[...(r.greaseVersion === undefined ? [] : [r.greaseVersion]), 0x0304, 0x0303].map(u16))) });
        exts.push({ type: 51, data: vec16(concat(u16(0x001d), vec16(r.share))) });
        exts.push({ type: 45, data: vec8(new Uint8Array([1])) });
      } else {
        exts.push({ type: 11, data: vec8(new Uint8Array([0])) }, { type: 0xff01, data: vec8(new Uint8Array(0)) });
        if (r.ems) exts.push({ type: 23, data: new Uint8Array(0) });
      }
      if (r.sni !== undefined) exts.push({ type: 0, data: vec16(concat(new Uint8Array([0]), vec16(ascii(r.sni)))) });
      if (r.alpn) exts.push({ type: 16, data: vec16(concat(...r.alpn.map((p) => vec8(ascii(p))))) });
      const suites = [...(r.greaseSuite === undefined ? [] : [r.greaseSuite]), ...r.suites];
      return shuffled(exts).map((extensions): Hello => ({ legacyVersion: 0x0303, random: r.random, sessionId: r.sessionId, suites, compression: new Uint8Array([0]), extensions }));
    });
}

/** Well-formed ServerHellos (TLS 1.3: supported_versions and an x25519 key_share; TLS 1.2: an ECDHE suite). */
export function serverHello(o: HelloOptions = {}): fc.Arbitrary<Hello> {
  const v13 = (o.version ?? 'tls1.3') === 'tls1.3';
  return fc
    .record({
      random: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      sessionId: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 32, maxLength: 32 })),
      suite: fc.constantFrom(...(v13 ? SUITES13 : SUITES12)),
      share: x25519Share,
      ems: fc.boolean(),
    })
    .chain((r) => {
      const exts: Ext[] = v13
        ? [
            { type: 43, data: u16(0x0304) },
            { type: 51, data: concat(u16(0x001d), vec16(r.share)) },
          ]
        : [{ type: 0xff01, data: vec8(new Uint8Array(0)) }, ...(r.ems ? [{ type: 23, data: new Uint8Array(0) }] : [])];
      return shuffled(exts).map((extensions): Hello => ({ legacyVersion: 0x0303, random: r.random, sessionId: r.sessionId, suites: [r.suite], compression: new Uint8Array([0]), extensions }));
    });
}

/** The one defect an almost-well-formed hello carries. */
export type HelloDefect =
  | {
    /** Which defect. */
    defect: 'extensionLength';
    /** Extension index (modulo the number of extensions). */
    ext: number;
    /** Added to the length field. */
    delta: number;
    }
  | {
    /** Which defect. */
    defect: 'extensionsBlockLength';
    /** Added to the length field. */
    delta: number;
    }
  | {
    /** Which defect. */
    defect: 'duplicateExtension';
    /** Extension index (modulo the number of extensions). */
    ext: number;
    }
  | {
    /** Which defect. */
    defect: 'truncated';
    /** Permille of the body kept. */
    keep: number;
    }
  | {
    /** Which defect. */
    defect: 'trailingBytes';
    /** Bytes, in hex. */
    bytes: Uint8Array;
    }
  | {
    /** Which defect. */
    defect: 'legacyVersion';
    /** The new version. */
    version: number;
    }
  | {
    /** Which defect. */
    defect: 'sessionIdLength';
    /** The length written. */
    length: number;
    }
  | {
    /** Which defect. */
    defect: 'noNullCompression';
    }
  | {
    /** Which defect. */
    defect: 'emptyCipherSuites';
    }
  | {
    /** Which defect. */
    defect: 'emptyExtensionData';
    /** Extension index (modulo the number of extensions). */
    ext: number;
    };

/** A hello with its defect, and the framed handshake message that carries it. */
export interface DefectiveHello {
  /** The well-formed hello the defect was put into. */
  hello: Hello;
  /** The defect. */
  defect: HelloDefect;
  /** The handshake message (type, length, body) with the defect. */
  message: Uint8Array;
}

const defect: fc.Arbitrary<HelloDefect> = fc.oneof(
  fc.record({ defect: fc.constant('extensionLength' as const), ext: fc.nat({ max: 20 }), delta: fc.constantFrom(-3, -1, 1, 2, 255, 0x4000) }),
  fc.record({ defect: fc.constant('extensionsBlockLength' as const), delta: fc.constantFrom(-2, -1, 1, 7) }),
  fc.record({ defect: fc.constant('duplicateExtension' as const), ext: fc.nat({ max: 20 }) }),
  fc.record({ defect: fc.constant('truncated' as const), keep: fc.integer({ min: 0, max: 999 }) }),
  fc.record({ defect: fc.constant('trailingBytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ defect: fc.constant('legacyVersion' as const), version: fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0304, 0x7f1c, 0xfefd) }),
  fc.record({ defect: fc.constant('sessionIdLength' as const), length: fc.constantFrom(33, 64, 255) }),
  fc.record({ defect: fc.constant('noNullCompression' as const) }),
  fc.record({ defect: fc.constant('emptyCipherSuites' as const) }),
  fc.record({ defect: fc.constant('emptyExtensionData' as const), ext: fc.nat({ max: 20 }) }),
);

/** `h` encoded as a handshake message with `d` put in (ClientHello when `client`). */
export function withDefect(h: Hello, d: HelloDefect, client: boolean): Uint8Array {
  const exts = h.extensions.slice();
  const k = exts.length ? ('ext' in d ? d.ext % exts.length : 0) : -1;
  let hello = h;
  switch (d.defect) {
    case 'duplicateExtension':
      if (k >= 0) exts.splice(k, 0, exts[k] as Ext);
      hello = { ...h, extensions: exts };
      break;
    case 'emptyExtensionData':
      if (k >= 0) exts[k] = { type: (exts[k] as Ext).type, data: new Uint8Array(0) };
      hello = { ...h, extensions: exts };
      break;
    case 'legacyVersion':
      hello = { ...h, legacyVersion: d.version };
      break;
    case 'noNullCompression':
      hello = { ...h, compression: client ? new Uint8Array([1]) : new Uint8Array([1]) };
      break;
    case 'emptyCipherSuites':
      hello = { ...h, suites: client ? [] : [0] };
      break;
    default:
      break;
  }
  let body = encodeHello(hello, client).subarray(4);
  const extStart = body.length - encodeExts(hello.extensions).length;
  switch (d.defect) {
    case 'sessionIdLength':
      body = body.slice();
      body[34] = d.length;
      break;
    case 'extensionsBlockLength': {
      body = body.slice();
      const len = (((body[extStart] as number) << 8) | (body[extStart + 1] as number)) + d.delta;
      body[extStart] = (len >> 8) & 0xff;
      body[extStart + 1] = len & 0xff;
      break;
    }
    case 'extensionLength': {
      if (k < 0) break;
      body = body.slice();
      let p = extStart + 2;
      for (let i = 0; i < k; i++) p += 4 + (((body[p + 2] as number) << 8) | (body[p + 3] as number));
      const len = ((((body[p + 2] as number) << 8) | (body[p + 3] as number)) + d.delta) & 0xffff;
      body[p + 2] = len >> 8;
      body[p + 3] = len & 0xff;
      break;
    }
    case 'truncated':
      body = body.slice(0, Math.floor((d.keep * body.length) / 1000));
      break;
    case 'trailingBytes':
      body = concat(body, d.bytes);
      break;
    default:
      break;
  }
  return frame(client ? HT.CLIENT_HELLO : HT.SERVER_HELLO, body);
}

/** ClientHellos with exactly one defect (named in the result). */
export function almostClientHello(o: HelloOptions = {}): fc.Arbitrary<DefectiveHello> {
  return fc.tuple(clientHello(o), defect).map(([hello, d]) => ({ hello, defect: d, message: withDefect(hello, d, true) }));
}

/** ServerHellos with exactly one defect (named in the result). */
export function almostServerHello(o: HelloOptions = {}): fc.Arbitrary<DefectiveHello> {
  return fc.tuple(serverHello(o), defect).map(([hello, d]) => ({ hello, defect: d, message: withDefect(hello, d, false) }));
}

/** A handshake message in plaintext records of at most `fragment` bytes each (default: one record). */
export function handshakeRecords(message: Uint8Array, fragment = 16384): Uint8Array {
  const parts: Uint8Array[] = [];
  const f = Math.max(1, fragment);
  for (let o = 0; o < message.length || o === 0; o += f) parts.push(record(CT.HANDSHAKE, message.subarray(o, o + f), 0x0301));
  return concat(...parts);
}
