/**
 * The exact refusal texts of OpenBao 2.x (and HashiCorp Vault, which shares the code), anchored so
 * "any error" never matches (docs/vault-compatibility.md).
 */
/** ACL denial: `1 error occurred:\n\t* permission denied\n\n`; unknown, revoked or expired token: `permission denied`. */
export const PERMISSION_DENIED = /^(1 error occurred:\n\t\* )?permission denied\n*$/;
/** Unknown role_id, and unknown, expired, used-up or destroyed secret_id: one text, so a caller learns nothing. */
export const INVALID_ROLE_ID = /^invalid role or secret ID$/;
export const INVALID_SECRET_ID = INVALID_ROLE_ID;
/** A login without the field names it: `missing role_id` (HTTP 500, as in Vault) / `missing secret_id` (HTTP 400). */
export const missingField = (field: string): RegExp => new RegExp(`^missing ${field}$`);
