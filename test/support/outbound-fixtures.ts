/**
 * @module
 * The third parties the OAuth tests talk to, as data both sides share: the Worker under test
 * (inside workerd) and the outbound fetch handler that plays them (in Node, `outbound-fetch.ts`).
 */

/** A Client ID Metadata Document client: its id is where its document is. */
export const CIMD_CLIENT_ID = 'https://client.example/mcp/client.json'
/** The redirect URI that document lists (a loopback one, as Claude Code's). */
export const CIMD_REDIRECT_URI = 'http://127.0.0.1:33418/callback'
/** A client whose document lists only another redirect URI. */
export const CIMD_OTHER_CLIENT_ID = 'https://client.example/mcp/other.json'
export const CIMD_OTHER_REDIRECT_URI = 'https://client.example/elsewhere'

/** The GitHub OAuth app and the user who signs in there. */
export const GITHUB_APP = { clientId: 'Iv1.testapp', clientSecret: 'github-test-secret' }
export const GITHUB_USER = { id: 583231, login: 'octocat' }
/** The one code the fake GitHub accepts (with the verifier whose challenge it was sent). */
export const GITHUB_CODE = 'github-test-code'

/** The OpenID provider and this server's client there. */
export const OIDC_ISSUER = 'https://idp.example'
export const OIDC_CLIENT = { clientId: 'mcp-server', clientSecret: 'oidc-test-secret' }

/**
 * What the fake OpenID provider's code stands for: the claims its ID token will carry. A test
 * plays the provider's login page, so it puts the nonce it was sent into the code.
 */
export interface OidcCodeClaims {
  readonly sub: string
  readonly nonce: string
  readonly email?: string
}

/** The code for `claims` (base64url JSON). */
export function oidcCode(claims: OidcCodeClaims): string {
  return btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
