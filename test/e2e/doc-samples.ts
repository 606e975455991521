/**
 * @module
 * Reads the project's documentation for the sample tests: the Markdown files a user reads
 * (`README.md`, `docs/*.md`, and the unreleased part of `CHANGELOG.md`), their fenced code
 * blocks, their TypeScript samples and where each compiles, their links, and what
 * `wrangler.toml` holds to check TOML samples against.
 *
 * Runs in Node (vitest project `e2e`).
 */
import fs from 'node:fs'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { parse } from 'smol-toml'
import { REPO_ROOT } from './dev-server'

/** The documents whose samples are checked, relative to the repo root. */
export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', ...docs, 'CHANGELOG.md']
}

/**
 * A document's text as checked: the whole file, except the changelog, whose released sections
 * (from the first `## v…` heading) describe earlier layouts and are left as they were.
 */
export function docText(doc: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8')
  return doc === 'CHANGELOG.md' ? text.split(/^## v/m)[0]! : text
}

/** One fenced code block of a document. */
export interface DocBlock {
  readonly doc: string
  /** The fence's language (`ts`, `sh`, `json`, `toml`, `text`, …; empty when unnamed). */
  readonly lang: string
  /** The block's text, without the indentation of its fence. */
  readonly text: string
  /** The next fenced block of the same document, if any (a sample's shown output). */
  readonly next: DocBlock | undefined
}

/** Every fenced block of `doc`, in order. */
export function docBlocks(doc: string): DocBlock[] {
  const found = [...docText(doc).matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```/gm)].map(
    ([, indent, lang, body]) => ({
      doc,
      lang: lang!,
      text: body!.replaceAll(new RegExp(`^${indent}`, 'gm'), ''),
    }),
  )
  const blocks: DocBlock[] = []
  for (let i = found.length - 1; i >= 0; i--) {
    blocks.unshift({ ...found[i]!, next: blocks[0] })
  }
  return blocks
}

/** Every fenced block of every document. */
export function allBlocks(): DocBlock[] {
  return docFiles().flatMap(docBlocks)
}

/** A TypeScript sample, which names the file it belongs in on its first line. */
export interface TsSample {
  readonly doc: string
  /** Where the document says it goes, relative to the repo root. */
  readonly declared: string
  /**
   * Where it is compiled: `declared`, or a sibling when that file exists or an earlier sample
   * already claimed it (a sample for `src/index.ts` stands beside the real one).
   */
  readonly compiledAt: string
  readonly text: string
  /** The block after it: a client sample's output. */
  readonly next: DocBlock | undefined
}

/** Every `ts` block of every document, each with where it compiles. */
export function tsSamples(): TsSample[] {
  const claimed = new Set<string>()
  return allBlocks()
    .filter((block) => block.lang === 'ts')
    .map((block, index) => {
      const declared = /^\/\/ (\S+\.ts)\n/.exec(block.text)?.[1]
      if (declared === undefined) {
        throw new Error(
          `${block.doc}: a ts sample does not start with "// <path>.ts":\n${block.text}`,
        )
      }
      const taken = claimed.has(declared) || fs.existsSync(path.join(REPO_ROOT, declared))
      claimed.add(declared)
      const base = path.basename(block.doc, '.md').toLowerCase()
      const compiledAt = taken
        ? path.join(path.dirname(declared), `${base}-sample-${index + 1}.ts`)
        : declared
      return { doc: block.doc, declared, compiledAt, text: block.text, next: block.next }
    })
}

/** GitHub's anchor for a heading's text. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-')
}

/** The anchors of `doc`: its headings' slugs and its explicit `<a id>`s. */
export function anchorsOf(doc: string): Set<string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8')
  return new Set([
    ...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)),
    ...[...text.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1]!),
  ])
}

/** The Markdown links of `doc` that point into the repository (not to a URL). */
export function localLinks(doc: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8').replace(/```[\s\S]*?```/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target))
}

/**
 * What is wrong with `link` from `doc`: a file outside the repository or missing, or an anchor
 * that names no heading of its document; `undefined` when it resolves.
 */
export function brokenLink(doc: string, link: string): string | undefined {
  const [file, anchor] = link.split('#') as [string, string | undefined]
  const target = file === '' ? doc : path.normalize(path.join(path.dirname(doc), file))
  if (target.startsWith('..') || path.isAbsolute(target)) return `${doc}: ${link} leaves the repo`
  if (!fs.existsSync(path.join(REPO_ROOT, target))) return `${doc}: ${link} names no file`
  if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
    return `${doc}: ${link} names no heading of ${target}`
  }
  return undefined
}

/** `wrangler.toml`, parsed. */
export function wranglerToml(): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
}

/**
 * What a TOML sample says that `wrangler.toml` doesn't: each key must be one it has, with the
 * same value (a table key by key; each entry of an array of tables, such as `[[migrations]]`,
 * must be one of its entries), except `[vars]`, whose names must be vars the server reads
 * (`knownVars`).
 */
export function tomlMismatches(
  sample: Record<string, unknown>,
  wrangler: Record<string, unknown>,
  knownVars: ReadonlySet<string>,
  where = '',
): string[] {
  return Object.entries(sample).flatMap(([key, value]): string[] => {
    const name = `${where}${key}`
    if (name === 'vars') {
      return Object.entries(value as Record<string, unknown>)
        .filter(([v, text]) => !knownVars.has(v) || typeof text !== 'string')
        .map(([v]) => `[vars] ${v} is not a string var the server reads`)
    }
    if (!(key in wrangler)) return [`wrangler.toml has no ${name}`]
    const actual = wrangler[key]
    if (Array.isArray(value) && Array.isArray(actual)) {
      return value
        .filter((entry) => !actual.some((a) => isDeepStrictEqual(a, entry)))
        .map((entry) => `wrangler.toml's ${name} has no entry ${JSON.stringify(entry)}`)
    }
    if (isTable(value) && isTable(actual)) {
      return tomlMismatches(value, actual, knownVars, `${name}.`)
    }
    return isDeepStrictEqual(value, actual)
      ? []
      : [`${name} is ${JSON.stringify(value)}, wrangler.toml has ${JSON.stringify(actual)}`]
  })
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The first-column names of the table under `## <section>` in `doc` (`| \`NAME\` |` rows). */
export function tableNames(doc: string, section: string): string[] {
  const part = docText(doc).split(`\n## ${section}\n`)[1]
  if (part === undefined) throw new Error(`${doc} has no "## ${section}" section`)
  return [...part.split('\n## ')[0]!.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!)
}
