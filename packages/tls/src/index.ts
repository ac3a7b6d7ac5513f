export { certs, certFiles, haveCerts, issueAll, CERT_SERVICES, type CertsOptions, type IssueSummary } from './certs';
export { check, servedCert, liveTargets, EXPIRY_WARN_DAYS, type CheckOptions, type ServedCert } from './check';
export { enable, disable, applyTlsState, parseMode, type EnableOptions, type ApplyOutcome } from './enable';
export { renew, type RenewOptions } from './renew';
export { handshake, daysLeft, type HandshakeOptions, type HandshakeOutcome, type StartTls, type TlsTarget } from './handshake';
export { opensslProbe, type OpensslOutcome } from './openssl-probe';
export { tlsTarget, redisTlsTargets, TLS_SERVICES } from './targets';
export { ensureIntermediate, ensurePkiMount, ensureRole, ensureRoot, issue, pkiClient, readCa, CERT_USER, DNS_NAMES, PKI_INT_MOUNT, PKI_MOUNT, type IssuedCert } from './pki';
