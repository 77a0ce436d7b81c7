/** Certificates and trust: the cert/ module's surface (PEM, keys, X.509 parsing, host names, path validation). */
export { loadCertificates, spkiSha256 } from './anchors.js';
export {
  type CertExtension, type CertKeyType, type CertSignatureAlgorithm, type ParsedCertificate, parseCertificate,
  type SignatureFamily,
} from './certificate.js';
export {
  type BasicConstraints, type GeneralSubtrees, type IpSubtree, KeyUsage, type NameConstraints, type SubjectAltName,
} from './extensions.js';
export { checkHostname, type HostnameCheck, matchDnsName, parseIpAddress } from './hostname.js';
export { type ParsedPrivateKey, parsePrivateKey } from './key.js';
export { certificatesFromPem, type PemBlock, parsePem } from './pem.js';
export { certSignatureScheme } from './scheme.js';
export {
  anchorsFrom, type ClientCertVerifier, type LeafKey, PolicyVerifier, pinsFrom, type ServerCertVerifier, type VerifiedSession,
  type VerifierPolicy, type VerifyInfo, type VerifyOutcome,
} from './verifier.js';
export {
  type ChainVerifyFailure, type ChainVerifyOptions, type ChainVerifyResult, reasonForVerifyCode, VERIFY_ERROR_STRINGS,
  type VerifiedChain, type VerifyCode, verifyCertificateChain,
} from './verify.js';
