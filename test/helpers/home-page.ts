/**
 * Reading the home page in tests: what a browser sends for it, the page's sections and text,
 * the names of what a definition offers, and the headers every HTML answer must carry.
 */
import { expect } from 'vitest'
import type { McpServerDefinition } from '../../src/define-mcp-server'
import { serverEntries } from '../../src/server-entries'

/** What Chromium and Firefox send when they navigate. */
export const BROWSERS = [
  [
    'Chromium',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  ],
  ['Firefox', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
] as const
export const BROWSER_ACCEPT = BROWSERS[0][1]

const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

/** `text` with the entities Hono's escaping produces decoded. */
export const decode = (text: string) =>
  text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!)

/** The inner HTML of the `<section id="…">` (one without nested sections). */
export function section(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)
  if (!match) throw new Error(`no section #${id}`)
  return match[1]!
}

/** The ids of the page's sections, in order. */
export const sectionIds = (page: string) =>
  [...page.matchAll(/<section id="([^"]+)">/g)].map((match) => match[1]!)

/** The text of a section's `<pre><code>` block. */
export function codeIn(page: string, id: string): string {
  const match = /<pre><code>([\s\S]*?)<\/code><\/pre>/.exec(section(page, id))
  if (!match) throw new Error(`no code in #${id}`)
  return decode(match[1]!)
}

/** The names in a catalog section's rows, in order. */
export function rowNames(page: string, id: string): string[] {
  const rows = section(page, id).matchAll(/<tr>\s*<td><code>([\s\S]*?)<\/code><\/td>/g)
  return [...rows].map((row) => decode(row[1]!))
}

/** A page's text, roughly as a browser shows it: tags dropped, whitespace collapsed. */
export const textOf = (page: string) => decode(page.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ')

/** The names of every tool, resource, resource template and prompt `definition` registers. */
export function catalogNames<Env>(definition: McpServerDefinition<Env>): string[] {
  const entries = serverEntries(definition)
  return [
    ...entries.tools.map((tool) => tool.name),
    ...entries.resources.map((resource) => resource.name),
    ...entries.prompts.map((prompt) => prompt.name),
  ]
}

/** Which of `names` occur in `page` as words, markup included. */
export const namesIn = (page: string, names: readonly string[]) =>
  names.filter((name) =>
    new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(page),
  )

/** The sections of a page that lists the catalogue, and of one that withholds it. */
export const CATALOG_SECTIONS = ['endpoints', 'tools', 'resources', 'resource-templates', 'prompts']
export const WITHHELD_SECTIONS = ['endpoints', 'catalog-withheld']

/**
 * Checks the HTML answer's headers, exactly (beside `x-request-id`, whose value is the
 * request's): the page's policy allows its one inline style by the nonce the `<style>` carries.
 * Returns that nonce.
 */
export function expectPageHeaders(res: Response, page: string, vary = 'Accept'): string {
  const nonce = /<style nonce="([A-Za-z0-9+/]{22}==)">/.exec(page)?.[1]
  expect(nonce, 'the <style> carries a 16-byte base64 nonce').toBeDefined()
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-request-id'))
  expect(headers).toEqual({
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'content-type': 'text/html; charset=UTF-8',
    'referrer-policy': 'no-referrer',
    vary,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  })
  return nonce!
}
