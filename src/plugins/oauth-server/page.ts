/**
 * @module
 * The frame of the authorization server's pages (the local sign-in, consent, errors): a complete
 * HTML document with inline CSS and nothing else, served with headers that forbid framing,
 * caching and every external load. Everything interpolated is escaped by Hono's `html`.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

/** What Hono's `html` template produces. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

/**
 * Nothing loads but the page itself: no scripts, no fonts, no images (but the empty `data:` icon
 * that keeps browsers from asking for `/favicon.ico`), and no page may frame it.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"

const STYLE = raw(`
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5 }
body { max-width: 34rem; margin: 3rem auto; padding: 0 1rem }
.card { border: 1px solid #8886; border-radius: 0.6rem; padding: 1.2rem 1.5rem }
.warn { border-left: 0.25rem solid #c80; padding-left: 0.75rem }
.muted { opacity: 0.75 }
code { font-family: ui-monospace, monospace; overflow-wrap: anywhere }
ul.scopes { padding-left: 1.2rem }
button, input { font: inherit; padding: 0.35rem 0.9rem }
.actions { display: flex; gap: 0.75rem; margin-top: 1.2rem }
`)

/** A whole page: `title` in the tab and as the heading, `body` below it. */
export function page(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <link rel="icon" href="data:,">
    <style>${STYLE}</style>
  </head>
  <body>
    <main class="card">
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`
}

/**
 * The response for a page, with `headers` (the library's cookies, when it set any). Its own
 * headers win over the library's `frame-ancestors`-only policy: this one says that and more.
 */
export async function pageResponse(
  body: Html,
  status = 200,
  headers: Headers = new Headers(),
): Promise<Response> {
  headers.set('Content-Type', 'text/html; charset=utf-8')
  headers.set('Content-Security-Policy', PAGE_CSP)
  headers.set('X-Frame-Options', 'DENY')
  headers.set('Cache-Control', 'no-store')
  // Not `no-referrer`: with it, browsers send `Origin: null` on the form's post, which the Origin
  // guard refuses. `same-origin` keeps the page's URL from every other site all the same.
  headers.set('Referrer-Policy', 'same-origin')
  headers.set('X-Content-Type-Options', 'nosniff')
  return new Response(await body, { status, headers })
}

/** A page that says what went wrong, for a request that can't go back to its client. */
export function errorPage(status: number, message: string, headers?: Headers): Promise<Response> {
  return pageResponse(
    page(
      'Sign-in failed',
      html`<p>${message}</p><p class="muted">Start again from the app you were signing in to.</p>`,
    ),
    status,
    headers,
  )
}
