/**
 * @module
 * Carries who signed in from the identity provider's callback to the consent form's post,
 * without storage: a short-lived HS256 JWT (signed with `OAUTH_COOKIE_SECRET`) bound to the
 * library's consent handle, which is itself bound to the browser and works once. A proof for
 * another consent page, expired, or signed with another key is refused.
 */
import { jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'
import type { Identity } from './identity'

/** As long as the library's consent handle lives. */
const LIFETIME_SECONDS = 600

const Claims = z.object({
  sub: z.string().min(1),
  name: z.string(),
  hnd: z.string(),
  scp: z.array(z.string()),
})

/** Who signed in, and the scopes the consent page shows. */
export interface SignIn {
  readonly identity: Identity
  readonly scopes: readonly string[]
}

const keys = new Map<string, Uint8Array>()

function keyOf(secret: string): Uint8Array {
  let key = keys.get(secret)
  if (key === undefined) {
    key = new TextEncoder().encode(secret)
    keys.set(secret, key)
  }
  return key
}

/** Signs `signIn` for the consent page whose handle is `handle`. */
export function signSignIn(secret: string, handle: string, signIn: SignIn): Promise<string> {
  return new SignJWT({ name: signIn.identity.name, hnd: handle, scp: [...signIn.scopes] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(signIn.identity.subject)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(keyOf(secret))
}

/** The sign-in `proof` carries for the consent page `handle`, or undefined when it doesn't. */
export async function verifySignIn(
  secret: string,
  handle: string,
  proof: string,
): Promise<SignIn | undefined> {
  try {
    const { payload } = await jwtVerify(proof, keyOf(secret), { algorithms: ['HS256'] })
    const claims = Claims.parse(payload)
    if (claims.hnd !== handle) return undefined
    return { identity: { subject: claims.sub, name: claims.name }, scopes: claims.scp }
  } catch {
    return undefined
  }
}
