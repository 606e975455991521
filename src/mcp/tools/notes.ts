/**
 * @module
 * `remember` and `recall`: notes in a notebook that outlives eviction, restarts and deploys. On
 * a session the session itself is the default notebook. A 2026-07-28 request has no session:
 * `remember` then mints a notebook handle (a durable object of its own, the caller's only) and
 * returns its id, which the client passes back as `notebook` to `recall` or to add more notes.
 * Either era can pass a notebook id. A whole notebook comes a page at a time: a few notes, never
 * more than 512 KiB of them, and a cursor to ask for the next page.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'
import type { HandleStorage } from '../../handles'
import type { ToolContext } from '../../tool-context'

const NOTE_PREFIX = 'note:'

/** The most a page of notes holds, in bytes of its JSON (UTF-8): far below the largest reply. */
const PAGE_BYTES = 512 * 1024

const encoder = new TextEncoder()

const notebook = z
  .string()
  .optional()
  .describe(
    'A notebook id that remember returned; omit for this session’s notes (without a session, remember starts a new notebook)',
  )
const rememberInput = z.object({
  key: z.string().min(1).max(200).describe('Name of the note'),
  note: z
    .string()
    .max(64 * 1024)
    .describe('What to remember'),
  notebook,
})
const recallInput = z.object({
  key: z.string().min(1).optional().describe('Name of the note; omit for a page of all notes'),
  cursor: z
    .string()
    .min(1)
    .optional()
    .describe('Where the previous page ended (the cursor it named); omit for the first page'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('The most notes a page holds; a page also stops at 512 KiB'),
  notebook,
})

/** Where notes go: a notebook handle (with its id), or the session (no id). */
interface Notebook {
  readonly id?: string
  readonly storage: HandleStorage
}

const text = (value: string, isError = false) => ({
  content: [{ type: 'text' as const, text: value }],
  ...(isError && { isError }),
})

/**
 * A page of the notebook's notes: the first `limit` after `cursor`, as many as fit in
 * {@link PAGE_BYTES} (one at least), and where to go on when more follow.
 */
async function notesPage(book: Notebook, cursor: string | undefined, limit: number) {
  const entries = await book.storage.list<string>(NOTE_PREFIX, {
    ...(cursor !== undefined && { startAfter: NOTE_PREFIX + cursor }),
    limit: limit + 1,
  })
  const lines: string[] = []
  let bytes = 0
  let last: string | undefined
  let more = false
  for (const [key, note] of entries) {
    const line = `${key.slice(NOTE_PREFIX.length)}: ${note}`
    const size = encoder.encode(JSON.stringify(line)).byteLength
    if (lines.length === limit || (lines.length > 0 && bytes + size > PAGE_BYTES)) {
      more = true
      break
    }
    lines.push(line)
    bytes += size
    last = key.slice(NOTE_PREFIX.length)
  }
  if (lines.length === 0) {
    return text(
      cursor === undefined ? 'No notes yet.' : `No more notes after ${JSON.stringify(cursor)}.`,
    )
  }
  const page = text(lines.join('\n'))
  if (!more) return page
  const next = `More notes follow: call recall with cursor ${JSON.stringify(last)} for the next page.`
  return { content: [...page.content, { type: 'text' as const, text: next }] }
}

/** The session's storage, awaited like a handle's. */
function sessionNotebook(tool: ToolContext): Notebook {
  const storage = tool.storage
  return {
    storage: {
      get: async (key) => storage.get(key),
      put: async (key, value) => storage.put(key, value),
      delete: async (key) => storage.delete(key),
      list: async (prefix, options) => storage.list(prefix, options),
    },
  }
}

/**
 * The notebook a call names, or the session's; undefined for an id that is no notebook of the
 * caller's (unknown, expired or someone else's look alike).
 */
async function notebookOf(
  tool: ToolContext,
  id: string | undefined,
): Promise<Notebook | undefined> {
  if (id !== undefined) return tool.handles.open(id)
  return tool.era === 'legacy' ? sessionNotebook(tool) : undefined
}

/** Registers `remember` and `recall` on `server`. */
export function registerNotes(server: McpServerSetup): void {
  server.registerTool(
    'remember',
    {
      title: 'Remember',
      description:
        'Stores a note under a key, in this session or in a notebook (a new one when there is no session: pass its id back).',
      inputSchema: rememberInput,
    },
    async ({ key, note, notebook: id }, tool) => {
      const book =
        id === undefined && tool.era === 'modern'
          ? await tool.handles.create()
          : await notebookOf(tool, id)
      if (book === undefined) return text(`No notebook "${id}".`, true)
      await book.storage.put(NOTE_PREFIX + key, note)
      return text(
        book.id === undefined
          ? `Remembered "${key}".`
          : `Remembered "${key}" in notebook ${book.id}.`,
      )
    },
  )

  server.registerTool(
    'recall',
    {
      title: 'Recall',
      description:
        'Returns the note stored under a key, or a page of all notes (with a cursor for the next), of this session or of a notebook.',
      inputSchema: recallInput,
    },
    async ({ key, cursor, limit, notebook: id }, tool) => {
      const book = await notebookOf(tool, id)
      if (book === undefined) {
        return text(
          id === undefined
            ? 'Without a session, pass the notebook id that remember returned.'
            : `No notebook "${id}".`,
          true,
        )
      }
      if (key !== undefined) {
        const note = await book.storage.get<string>(NOTE_PREFIX + key)
        return note === undefined ? text(`No note named "${key}".`, true) : text(note)
      }
      return notesPage(book, cursor, limit)
    },
  )
}
