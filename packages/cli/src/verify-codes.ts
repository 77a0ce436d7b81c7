/**
 * OpenSSL's certificate verification results as s_client prints them: `X509_V_ERR_*` name → number and text.
 * Numbers are those of OpenSSL 3.0's x509_vfy.h, texts those of its X509_verify_cert_error_string
 * (x509_txt.c), checked against the OpenSSL 3.0.19 library on the development machine.
 */

/** Every code the memtls verifier can produce, and the common neighbours. */
const CODES: Record<string, readonly [number, string]> = {
  X509_V_OK: [0, 'ok'],
  X509_V_ERR_UNSPECIFIED: [1, 'unspecified certificate verification error'],
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: [2, 'unable to get issuer certificate'],
  X509_V_ERR_CERT_SIGNATURE_FAILURE: [7, 'certificate signature failure'],
  X509_V_ERR_CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  X509_V_ERR_CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  X509_V_ERR_CERT_CHAIN_TOO_LONG: [22, 'certificate chain too long'],
  X509_V_ERR_PATH_LENGTH_EXCEEDED: [25, 'path length constraint exceeded'],
  X509_V_ERR_INVALID_PURPOSE: [26, 'unsuitable certificate purpose'],
  X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: [34, 'unhandled critical extension'],
  X509_V_ERR_INVALID_EXTENSION: [41, 'invalid or inconsistent certificate extension'],
  X509_V_ERR_PERMITTED_VIOLATION: [47, 'permitted subtree violation'],
  X509_V_ERR_EXCLUDED_VIOLATION: [48, 'excluded subtree violation'],
  X509_V_ERR_APPLICATION_VERIFICATION: [50, 'application verification failure'],
  X509_V_ERR_HOSTNAME_MISMATCH: [62, 'hostname mismatch'],
  X509_V_ERR_EE_KEY_TOO_SMALL: [66, 'EE certificate key too weak'],
  X509_V_ERR_CA_KEY_TOO_SMALL: [67, 'CA certificate key too weak'],
  X509_V_ERR_IP_ADDRESS_MISMATCH: [64, 'IP address mismatch'],
  X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM: [76, 'Cannot find certificate signature algorithm'],
  X509_V_ERR_INVALID_CA: [79, 'invalid CA certificate'],
};

/** `X509_V_ERR_CERT_HAS_EXPIRED` (or Node's `CERT_HAS_EXPIRED`) → `{ num: 10, text: 'certificate has expired' }`. */
export function verifyCode(name: string): { num: number; text: string } {
  const full = name.startsWith('X509_V_') ? name : `X509_V_ERR_${name}`;
  const hit = CODES[full];
  // An unknown name keeps its words rather than pretending to a number: 1 is OpenSSL's "unspecified".
  return hit ? { num: hit[0], text: hit[1] } : { num: 1, text: `unspecified certificate verification error (${name})` };
}

/** `Verify return code: 20 (unable to get local issuer certificate)`. */
export function verifyReturnLine(name: string): string {
  const { num, text } = verifyCode(name);
  return `Verify return code: ${num} (${text})`;
}
