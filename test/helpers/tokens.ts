/**
 * Access tokens for the OAuth tests, signed with the fixture's keys (generated locally with
 * WebCrypto; no network).
 */
import { importJWK, type JWK, SignJWT } from 'jose'
import keys from '../fixtures/secure/keys.json'
import { ISSUER, RESOURCE } from '../fixtures/secure/worker'

/** Claims and signing choices for {@link token}. */
export interface TokenOptions {
  readonly scope?: string
  readonly audience?: string
  readonly issuer?: string
  /** Seconds from now; negative for an expired token. Default 300. */
  readonly expiresIn?: number
  /** Seconds from now before which the token is not valid. */
  readonly notBefore?: number
  /** Sign with the key the server doesn't trust. */
  readonly untrusted?: boolean
}

/** A signed JWT access token for `sub`. */
export async function token(sub: string, options: TokenOptions = {}): Promise<string> {
  const pair = options.untrusted ? keys.other : keys.trusted
  const key = await importJWK(pair.private as JWK, 'ES256')
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT(options.scope === undefined ? {} : { scope: options.scope })
    .setProtectedHeader({ alg: 'ES256', kid: pair.private.kid })
    .setSubject(sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? RESOURCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300))
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
  return jwt.sign(key)
}

/** `Authorization` header for `sub`. */
export async function auth(sub: string, options?: TokenOptions): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await token(sub, options)}` }
}
