/** The mutation operators of `applyOps` (mutate.ts) as JSON types: indices wrap around, positions are permille, bytes are hex. */
/** A mutation operator, as JSON (see mutate.ts). */
export type Op =
  | {
    /** The operator. */
    op: 'flip';
    /** Byte position (modulo the length). */
    pos: number;
    /** Bit number, 0 to 7. */
    bit: number;
    }
  | {
    /** The operator. */
    op: 'truncate';
    /** Position in permille of the length (0 to 1000). */
    at: number;
    }
  | {
    /** The operator. */
    op: 'insert';
    /** Position in permille of the length (0 to 1000). */
    at: number;
    /** Bytes, in hex. */
    bytes: string;
    }
  | {
    /** The operator. */
    op: 'split';
    /** Record index (modulo the number of records). */
    rec: number;
    /** Position in permille of the length (0 to 1000). */
    at: number;
    }
  | {
    /** The operator. */
    op: 'merge';
    /** Record index (modulo the number of records). */
    rec: number;
    }
  | {
    /** The operator. */
    op: 'swap';
    /** Record index (modulo the number of records). */
    rec: number;
    }
  | {
    /** The operator. */
    op: 'dup';
    /** Record index (modulo the number of records). */
    rec: number;
    }
  | {
    /** The operator. */
    op: 'drop';
    /** Record index (modulo the number of records). */
    rec: number;
    }
  | {
    /** The operator. */
    op: 'msgFlip';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Byte position (modulo the length). */
    pos: number;
    /** Bit number, 0 to 7. */
    bit: number;
    }
  | {
    /** The operator. */
    op: 'msgType';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** The new type (content type or handshake type). */
    type: number;
    }
  | {
    /** The operator. */
    op: 'msgTrunc';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Position in permille of the length (0 to 1000). */
    at: number;
    }
  | {
    /** The operator. */
    op: 'msgExtend';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Bytes, in hex. */
    bytes: string;
    }
  | {
    /** The operator. */
    op: 'msgLen';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Added to the length field. */
    delta: number;
    }
  | {
    /** The operator. */
    op: 'msgBody';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Bytes, in hex. */
    bytes: string;
    }
  | {
    /** The operator. */
    op: 'msgDup';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    }
  | {
    /** The operator. */
    op: 'msgDrop';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    }
  | {
    /** The operator. */
    op: 'msgSwap';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    }
  | {
    /** The operator. */
    op: 'msgInsert';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** The new type (content type or handshake type). */
    type: number;
    /** Bytes, in hex. */
    bytes: string;
    }
  | {
    /** The operator. */
    op: 'extDrop';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Extension index (modulo the number of extensions). */
    ext: number;
    }
  | {
    /** The operator. */
    op: 'extDup';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Extension index (modulo the number of extensions). */
    ext: number;
    }
  | {
    /** The operator. */
    op: 'extData';
    /** Handshake message index (modulo the number of messages). */
    msg: number;
    /** Extension index (modulo the number of extensions). */
    ext: number;
    /** Bytes, in hex. */
    bytes: string;
    }
  | {
    /** The operator. */
    op: 'recType';
    /** Record index (modulo the number of records). */
    rec: number;
    /** The new type (content type or handshake type). */
    type: number;
    }
  | {
    /** The operator. */
    op: 'recVersion';
    /** Record index (modulo the number of records). */
    rec: number;
    /** The new version. */
    version: number;
    }
  | {
    /** The operator. */
    op: 'recInsert';
    /** Record index (modulo the number of records). */
    rec: number;
    /** The new type (content type or handshake type). */
    type: number;
    /** Bytes, in hex. */
    bytes: string;
    };
