/**
 * @module
 * The home page's catalog: the tools, resources, resource templates and prompts a server
 * definition registers, with their titles and descriptions. Everything here comes from the app's
 * definition and goes through Hono's `html` template, which escapes every interpolation.
 */
import { html } from 'hono/html'
import type { ServerEntries } from '../src/server-entries'
import type { Html } from './home-page'

/** One catalog row: a name, an optional URI (or URI template), title and description. */
interface CatalogRow {
  readonly name: string
  readonly uri?: string
  readonly title?: string | undefined
  readonly description?: string | undefined
}

/**
 * `text` with its Markdown code spans (`` `like this` ``) as `<code>`: descriptions are written
 * for clients that render Markdown. Every part is escaped; an unpaired backtick stays as it is.
 */
export function withCodeSpans(text: string | undefined): Html | undefined {
  if (text === undefined) return undefined
  const parts = text.split(/`([^`]+)`/)
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`
}

/** A table of `rows` under `heading`, or a line that says there are none. */
function catalogSection(id: string, heading: string, rows: readonly CatalogRow[], uri?: string) {
  const body =
    rows.length === 0
      ? html`<p class="none">None.</p>`
      : html`<table>
          <thead>
            <tr><th>Name</th>${uri && html`<th>${uri}</th>`}<th>Title</th><th>Description</th></tr>
          </thead>
          <tbody>
            ${rows.map(
              (row) =>
                html`<tr>
                  <td><code>${row.name}</code></td>
                  ${uri && html`<td><code>${row.uri}</code></td>`}
                  <td>${row.title}</td>
                  <td>${withCodeSpans(row.description)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
  return html`<section id="${id}">
    <h2>${heading} <span class="count">(${rows.length})</span></h2>
    ${body}
  </section>`
}

/**
 * Renders what `entries` offer: tools, resources, resource templates and prompts, in
 * registration order. A tool's title is its `title`, else its annotations' (as the spec ranks
 * them).
 */
export function homePageCatalog(entries: ServerEntries): Html {
  const tools = entries.tools.map(({ name, config }) => ({
    name,
    title: config.title ?? config.annotations?.title,
    description: config.description,
  }))
  const resources: CatalogRow[] = []
  const templates: CatalogRow[] = []
  for (const entry of entries.resources) {
    const { title, description } = entry.metadata
    if ('uri' in entry) resources.push({ name: entry.name, uri: entry.uri, title, description })
    else templates.push({ name: entry.name, uri: entry.template.uriTemplate, title, description })
  }
  const prompts = entries.prompts.map(({ name, title, description }) => ({
    name,
    title,
    description,
  }))
  return html`${catalogSection('tools', 'Tools', tools)}
    ${catalogSection('resources', 'Resources', resources, 'URI')}
    ${catalogSection('resource-templates', 'Resource templates', templates, 'URI template')}
    ${catalogSection('prompts', 'Prompts', prompts)}`
}
