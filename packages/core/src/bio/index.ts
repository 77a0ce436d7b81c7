/** BIOs: OpenSSL's memory flavours (BIO_s_mem and BIO_new_bio_pair). Pure: no I/O, no `node:` imports. */
export type { Bio, BioPairEnd } from './bio.js';
export { DEFAULT_BIO_PAIR_SIZE, newBioPair } from './bio-pair.js';
export { MemoryBio } from './memory-bio.js';
