/**
 * @module
 * The page `GET /` shows a browser: what this server is, its endpoints and protocol versions,
 * what its definition offers, and copy-paste configs for the usual clients. Self-contained (inline
 * CSS, no scripts, no external assets, not even a favicon request), so it works offline and under
 * a policy that allows nothing else. What the definition offers (the catalogue) is listed only to
 * a request that may see it: with auth on, `tools/list` needs a credential, and the page does not
 * undo that. It is rendered once per isolate; a request adds its origin, auth mode, whether it
 * sees the catalogue, and its style's nonce.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { McpServerDefinition } from '../src/define-mcp-server'
import {
  MODERN_PROTOCOL_VERSIONS,
  SSE_VERSIONS,
  STREAMABLE_HTTP_VERSIONS,
} from '../src/protocol/versions'
import { serverEntries } from '../src/server-entries'
import { homePageCatalog } from './home-page-catalog'
import { clientConfigs } from './home-page-configs'

/** Options of {@link homePage}. */
export interface HomePageOptions {
  /** Whether the HTTP+SSE transport (`/sse`, `/messages`) is served. */
  readonly sse: boolean
}

/** What one request adds to the page. */
export interface HomePageRequest {
  /** The origin the page was requested at (`new URL(c.req.url).origin`). */
  readonly origin: string
  /** The auth mode there: `none`, `bearer`, `oauth`, or a plugin's own. */
  readonly authMode: string
  /**
   * Whether this request sees the tools, resources and prompts; when not, the page says they
   * are listed to signed-in clients.
   */
  readonly catalog: boolean
  /** The nonce the response's Content-Security-Policy allows the inline style with, if any. */
  readonly styleNonce?: string | undefined
}

/** What Hono's `html` template produces. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

/** Renders the page for one request (for `c.html`). */
export type HomePage = (request: HomePageRequest) => Html

const STYLE = raw(`
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5 }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem }
h1 .version, h2 .count { font-weight: normal; opacity: 0.7 }
table { border-collapse: collapse; width: 100% }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.6rem }
th, td { border-bottom: 1px solid #8884 }
pre { white-space: pre-wrap; overflow-wrap: anywhere }
pre { padding: 0.75rem; border-radius: 0.4rem; background: #8882 }
code { font-family: ui-monospace, monospace }
.none { opacity: 0.7 }
`)

/** The endpoints table, with the protocol revisions each one serves. */
function endpoints(sse: boolean): Html {
  const sessionful = STREAMABLE_HTTP_VERSIONS.join(', ')
  return html`<section id="endpoints">
    <h2>Endpoints</h2>
    <table>
      <thead><tr><th>Path</th><th>Transport</th><th>Protocol versions</th></tr></thead>
      <tbody>
        <tr>
          <td><code>/mcp</code></td>
          <td>Streamable HTTP (POST, GET, DELETE)</td>
          <td>${MODERN_PROTOCOL_VERSIONS.join(', ')} (stateless, no session); ${sessionful}
            (sessions)</td>
        </tr>
        ${
          sse &&
          html`<tr>
            <td><code>/sse</code>, <code>/messages</code></td>
            <td>HTTP+SSE (deprecated)</td>
            <td>${SSE_VERSIONS.join(', ')}</td>
          </tr>`
        }
        <tr>
          <td><a href="/health"><code>/health</code></a></td>
          <td>discovery JSON (also <code>/</code>, for clients that are not browsers)</td>
          <td></td>
        </tr>
      </tbody>
    </table>
  </section>`
}

/** What the page says in place of the catalogue to a request that may not see it. */
function catalogWithheld(authMode: string): Html {
  return html`<section id="catalog-withheld">
    <h2>Tools, resources and prompts</h2>
    <p>This server requires authentication (<code>${authMode}</code>): its tools, resources and
      prompts are listed to signed-in clients, over MCP (<code>tools/list</code>,
      <code>resources/list</code>, <code>prompts/list</code>) and here to a request that carries
      a valid token. A browser opening this page sends none.</p>
  </section>`
}

/**
 * Builds the home page of `definition`. Cheap to call: the definition's entries are read (and
 * its `setup` run, if nothing ran it yet) on the first render that shows them, and that part of
 * the page is kept for every later one.
 *
 * @example
 * ```ts
 * const page = homePage(server, { sse: true })
 * app.get('/', (c) =>
 *   c.html(page({ origin: new URL(c.req.url).origin, authMode: 'none', catalog: true })),
 * )
 * ```
 */
export function homePage<Env>(
  definition: McpServerDefinition<Env>,
  options: HomePageOptions,
): HomePage {
  const { name, version } = definition
  let catalog: Html | undefined
  const fixedEndpoints = endpoints(options.sse)
  return function renderHomePage({ origin, authMode, catalog: shown, styleNonce }) {
    if (shown) catalog ??= homePageCatalog(serverEntries(definition))
    return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${name} ${version}</title>
    <link rel="icon" href="data:,">
    <style${styleNonce === undefined ? '' : html` nonce="${styleNonce}"`}>${STYLE}</style>
  </head>
  <body>
    <header>
      <h1>${name} <span class="version">${version}</span></h1>
      <p>A Model Context Protocol server. MCP clients connect to <code>${origin}/mcp</code>;
        this page is what a browser gets at <code>/</code>.</p>
    </header>
    <main>
      ${fixedEndpoints}
      ${shown ? catalog : catalogWithheld(authMode)}
      ${clientConfigs({ name, origin, authMode, sse: options.sse })}
    </main>
  </body>
</html>`
  }
}
