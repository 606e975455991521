/**
 * @module
 * Sign-in with GitHub: a GitHub OAuth app (client id and secret) signs the user in, with PKCE,
 * and asks for no scope: the public profile is all this server reads. The principal is
 * `github:<numeric id>` (stable across renames), and the login is the name shown. GitHub's
 * token is used once, to read the profile, and kept nowhere.
 */
import { z } from 'zod'
import {
  authorizationRedirect,
  IdentityError,
  type IdentityProvider,
  randomToken,
} from './identity'

const AUTHORIZE_URL = 'https://github.com/login/oauth/authorize'
const TOKEN_URL = 'https://github.com/login/oauth/access_token'
const USER_URL = 'https://api.github.com/user'
/** GitHub's API refuses requests without a User-Agent. */
const USER_AGENT = 'mcp-workers'

const TokenAnswer = z.union([
  z.object({ access_token: z.string().min(1) }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
])
const User = z.object({ id: z.number().int(), login: z.string().min(1) })

/** The settings of a GitHub OAuth app. */
export interface GithubIdentityOptions {
  readonly clientId: string
  readonly clientSecret: string
}

/** Sign-in with GitHub. */
export function githubIdentity(options: GithubIdentityOptions): IdentityProvider {
  return {
    label: 'GitHub',
    prepare: async () => ({ verifier: randomToken() }),
    begin: async ({ state, data, callbackUrl, headers }) => {
      const params = { client_id: options.clientId, redirect_uri: callbackUrl, state }
      return authorizationRedirect(AUTHORIZE_URL, params, data.verifier ?? '', headers)
    },
    finish: async ({ url, data, callbackUrl }) => {
      const code = url.searchParams.get('code')
      if (!code) throw new IdentityError('GitHub sent no authorization code.')
      const exchange = await fetch(TOKEN_URL, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': USER_AGENT,
        },
        body: new URLSearchParams({
          client_id: options.clientId,
          client_secret: options.clientSecret,
          code,
          redirect_uri: callbackUrl,
          code_verifier: data.verifier ?? '',
        }),
      })
      const answer = TokenAnswer.safeParse(await exchange.json().catch(() => undefined))
      if (!exchange.ok || !answer.success) {
        throw new IdentityError(`GitHub did not answer the sign-in (HTTP ${exchange.status}).`)
      }
      if ('error' in answer.data) {
        throw new IdentityError(`GitHub refused the sign-in: ${answer.data.error}.`)
      }
      const profile = await fetch(USER_URL, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${answer.data.access_token}`,
          'user-agent': USER_AGENT,
          'x-github-api-version': '2022-11-28',
        },
      })
      const user = User.safeParse(await profile.json().catch(() => undefined))
      if (!profile.ok || !user.success) {
        throw new IdentityError(`GitHub did not say who signed in (HTTP ${profile.status}).`)
      }
      return { subject: `github:${user.data.id}`, name: user.data.login }
    },
  }
}
