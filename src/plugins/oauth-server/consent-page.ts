/**
 * @module
 * The consent page: who is signed in, which client asks (its name, and for a Client ID Metadata
 * Document client the domain that published it; a registered client's name is its own claim),
 * where the access goes (the redirect URI's host, with a warning when that is this computer),
 * and the scopes. Its form posts back the library's consent handle, which works once, for ten
 * minutes, in the browser it was issued to (the CSRF token), and the signed sign-in proof.
 * Everything shown comes from the client or the identity provider and is escaped.
 */
import type { ConsentDescription } from '@cloudflare/workers-oauth-provider'
import { html } from 'hono/html'
import type { Identity } from './identity'
import { type Html, page } from './page'

/** What the page shows and posts. */
export interface ConsentPageInput {
  readonly details: ConsentDescription
  readonly identity: Identity
  /** The scopes approving grants. */
  readonly scopes: readonly string[]
  /** The library's consent handle. */
  readonly handle: string
  /** The signed proof of who signed in, bound to the handle. */
  readonly proof: string
  /** The path the form posts to. */
  readonly action: string
}

function clientOrigin(details: ConsentDescription): Html {
  return details.clientDomain
    ? html`<p>Published by <strong>${details.clientDomain}</strong>.</p>`
    : html`<p class="muted">This app registered itself: its name is its own claim.</p>`
}

function destination(details: ConsentDescription): Html {
  const warning = details.redirectIsLoopback
    ? html`<p class="warn"><strong>This sends access to an app on your computer.</strong> Continue
        only if you just started signing in from it.</p>`
    : ''
  return html`<p>Access will be sent to <strong>${details.redirectHost}</strong>.</p>${warning}`
}

/** Renders the consent page. */
export function consentPage(input: ConsentPageInput): Html {
  const { details, identity, scopes } = input
  const listed =
    scopes.length > 0
      ? html`<ul class="scopes">${scopes.map((scope) => html`<li><code>${scope}</code></li>`)}</ul>`
      : html`<p class="muted">No scopes.</p>`
  return page(
    `Allow ${details.clientName}?`,
    html`<p>Signed in as <strong>${identity.name}</strong>
        <span class="muted">(<code>${identity.subject}</code>)</span>.</p>
      <p><strong>${details.clientName}</strong> asks to use this MCP server as you.</p>
      ${clientOrigin(details)}
      ${destination(details)}
      <p>It will be allowed:</p>
      ${listed}
      <form method="post" action="${input.action}">
        <input type="hidden" name="handle" value="${input.handle}">
        <input type="hidden" name="proof" value="${input.proof}">
        <div class="actions">
          <button type="submit" name="decision" value="approve">Allow</button>
          <button type="submit" name="decision" value="deny">Deny</button>
        </div>
      </form>`,
  )
}
