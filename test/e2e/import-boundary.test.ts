/**
 * The import boundary `npm run lint` keeps (biome.json's overrides and
 * `lint/durable-value-imports.grit`): a probe file is written where the rule applies, linted
 * with the project's Biome, and removed. Each case must fire the rule it names, or pass.
 */
import { execFile } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../..')
const BIOME = join(ROOT, 'node_modules/.bin/biome')

interface Finding {
  readonly category: string
  readonly message: string
}

/** Lints `source` as the file at `path` (relative to the repo) and returns what Biome found. */
async function lintAs(path: string, source: string): Promise<Finding[]> {
  const file = join(ROOT, path)
  await writeFile(file, source)
  try {
    const { stdout } = await promisify(execFile)(BIOME, ['lint', '--reporter=json', path], {
      cwd: ROOT,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }))
    const report = JSON.parse(stdout) as { diagnostics: Finding[] }
    return report.diagnostics.map(({ category, message }) => ({ category, message }))
  } finally {
    await rm(file, { force: true })
  }
}

const VALUE_FROM_DURABLE =
  "routes/ and src/ import only types from durable/ (import type …); the object's code runs in the object."
const SESSION_INTERNALS =
  "Only durable/session/ uses a session's internals; others reach a session through session-do.ts and the call contract (session-calls.ts)."
const SRC_IMPORTS_ROUTES =
  "src/ is shared by the Worker and the objects: it never imports the Worker's routes/."

describe('the import boundary', () => {
  it('refuses a value import of durable/ in routes/', async () => {
    const source =
      "import { SessionDO } from '../durable/session/session-do'\nexport const x = SessionDO\n"
    expect(await lintAs('routes/boundary-probe.ts', source)).toEqual([
      { category: 'plugin', message: VALUE_FROM_DURABLE },
    ])
  })

  it('refuses a value import of durable/ in src/, even mixed with types', async () => {
    const source =
      "import { type DurableObjectState, HandleDO } from '../durable/handle/handle-do'\nexport const x: [DurableObjectState, typeof HandleDO] | undefined = undefined\n"
    expect(await lintAs('src/boundary-probe.ts', source)).toContainEqual({
      category: 'plugin',
      message: VALUE_FROM_DURABLE,
    })
  })

  it('lets routes/ import the types of a session’s public face', async () => {
    const source =
      "import type { SessionCall } from '../durable/session/session-calls'\nimport type { SessionDO } from '../durable/session/session-do'\nexport type X = SessionCall | SessionDO\n"
    expect(await lintAs('routes/boundary-probe.ts', source)).toEqual([])
  })

  it('refuses session internals outside durable/session/, types included', async () => {
    const internal =
      "import type { EventLog } from '../../durable/session/event-log/event-log'\nexport type X = EventLog\n"
    expect(await lintAs('src/modern/boundary-probe.ts', internal)).toEqual([
      { category: 'lint/style/noRestrictedImports', message: SESSION_INTERNALS },
    ])
    const fromHub =
      "import type { EventLog } from '../session/event-log/event-log'\nexport type X = EventLog\n"
    expect(await lintAs('durable/hub/boundary-probe.ts', fromHub)).toEqual([
      { category: 'lint/style/noRestrictedImports', message: SESSION_INTERNALS },
    ])
  })

  it('refuses any import of routes/ from src/', async () => {
    const source =
      "import type { SessionStub } from '../routes/session-stub'\nexport type X = SessionStub\n"
    expect(await lintAs('src/boundary-probe.ts', source)).toEqual([
      { category: 'lint/style/noRestrictedImports', message: SRC_IMPORTS_ROUTES },
    ])
  })
})
