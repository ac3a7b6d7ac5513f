/**
 * The exact refusal texts the suite accepts, per server family (docs/vault-compatibility.md, row 6).
 * Anchored where the server's whole message is known, so "any error" never matches.
 */
export const PERMISSION_DENIED = /permission denied/i;
/** RustyVault and older Vault: `invalid role_id`; recent Vault/OpenBao: `invalid role or secret ID`. */
export const INVALID_ROLE_ID = /^invalid role[_ ]id$|invalid role or secret id/i;
/** RustyVault and older Vault: `invalid secret id`; recent Vault/OpenBao: `invalid role or secret ID`. */
export const INVALID_SECRET_ID = /^invalid secret[_ ]id$|invalid role or secret id/i;
/** Vault names the missing field; RustyVault 0.2 answers its generic `Request field is not found.`. */
export const missingField = (field: string): RegExp => new RegExp(`missing ${field}|^Request field is not found\\.$`, 'i');
