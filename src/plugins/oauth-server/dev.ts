/**
 * @module
 * The local sign-in, for development: a page of this server's that takes any user name and
 * signs that user in as `dev:<name>`. It proves nothing, so the plugin serves it only on
 * loopback hosts (`npm start`) and refuses every request on any other host.
 */
import { html } from 'hono/html'
import { IdentityError, type IdentityProvider } from './identity'
import { page, pageResponse } from './page'

/** What a user name may be: short, and plain enough to read in logs. */
const LOGIN = /^[A-Za-z0-9._-]{1,64}$/

/** The local sign-in. */
export function devIdentity(): IdentityProvider {
  return {
    label: 'the local sign-in',
    prepare: async () => ({}),
    begin: ({ state, callbackUrl, headers }) =>
      pageResponse(
        page(
          'Sign in (local development)',
          html`<p>Any user name signs in as that user. This sign-in works only on this computer
              (<code>OAUTH_IDENTITY=dev</code>): deploy with <code>github</code> or <code>oidc</code>.</p>
            <form method="get" action="${new URL(callbackUrl).pathname}">
              <input type="hidden" name="state" value="${state}">
              <p><label>User name <input name="login" required autofocus autocomplete="username"
                pattern="[A-Za-z0-9._\\-]{1,64}" value="developer"></label></p>
              <div class="actions"><button type="submit">Sign in</button></div>
            </form>`,
        ),
        200,
        headers,
      ),
    finish: async ({ url }) => {
      const login = url.searchParams.get('login') ?? ''
      if (!LOGIN.test(login)) {
        throw new IdentityError(
          'A user name is 1 to 64 letters, digits, dots, dashes or underscores.',
        )
      }
      return { subject: `dev:${login}`, name: login }
    },
  }
}
