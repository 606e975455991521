/**
 * @module
 * `npm run bench`: the app against its floors (`floors.ts`: the SDK floor, SDK v1 on Durable
 * Objects by hand, for the sessionful era; bare SDK v2 for 2026-07-28 calls; the one-hop
 * baseline for information), all under workerd directly, interleaved in the same rounds. Prints
 * one table with each figure as a ratio to its floor and the target it must meet; `--json`
 * prints it for machines.
 * Options: `--idle N` (idle sessions held, default 1000), `--rounds N` (default 5), `--verbose`
 * (each round's figures too), `--setup-sessions N` (sessions set up per round by the setup rows,
 * default 1500), `--slices N` (parts each run of a round is cut into, taking
 * turns with the other runs of its group; default 4), `--only mcp,sse,setup,modern,idle` (those groups of the table only),
 * `--storage memory|disk` (where the objects' SQLite files live, default memory: see
 * `workerd.ts`), `--release v0.1.0` (that tag's app in the same rounds, checked out and
 * installed beside the repo by `test/e2e/release-checkout.ts`; no figure may lose more than 5%
 * to it). Then the connected-idle row (`connected-idle.ts`: sessions holding
 * streams open, then one shared write), with its own options: `--connected-n 1000,5000`
 * (`0` skips it), `--connected-seconds 60`, `--connected-transport mcp|sse|both`.
 */

import { INSTALL_TIMEOUT_MS, releaseCheckout, taggedCommit } from '../test/e2e/release-checkout.ts'
import { type ConnectedIdleRow, connectedIdle, connectedIdleOptions } from './connected-idle.ts'
import { connectedIdleTable } from './connected-idle-table.ts'
import { floors } from './floors.ts'
import { storageOption } from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : Number(args[index + 1])
}
const json = args.includes('--json')
const verbose = args.includes('--verbose')
const IDLE = option('--idle', 1_000)
const ROUNDS = option('--rounds', 5)
const SETUP_SESSIONS = option('--setup-sessions', 1_500)
const SLICES = option('--slices', 4)
const onlyAt = args.indexOf('--only')
const ONLY = onlyAt === -1 ? undefined : (args[onlyAt + 1] ?? '').split(',')
const releaseAt = args.indexOf('--release')
const RELEASE = releaseAt === -1 ? undefined : args[releaseAt + 1]

const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`)
}

async function main(): Promise<void> {
  // Read first, so a bad option fails before the long rounds.
  const connected = connectedIdleOptions(args)
  const storage = storageOption(args)
  let release: { tag: string; root: string } | undefined
  if (RELEASE !== undefined) {
    const commit = taggedCommit(RELEASE)
    if (commit === undefined) throw new Error(`--release: this clone has no tag ${RELEASE}`)
    log(`checking out and installing ${RELEASE} (up to ${INSTALL_TIMEOUT_MS / 60_000} min)…`)
    release = { tag: RELEASE, root: await releaseCheckout(RELEASE, commit) }
  }
  const floor = await floors({
    rounds: ROUNDS,
    idle: IDLE,
    setupSessions: SETUP_SESSIONS,
    slices: SLICES,
    verbose,
    only: ONLY,
    storage,
    log,
    ...(release && { release }),
  })
  // After the floors' workers are stopped: each connected-idle row runs in a workerd of its own.
  const idleRows: ConnectedIdleRow[] = []
  if (connected.sizes.length > 0) {
    log(`connected idle: N = ${connected.sizes.join(', ')}, ${connected.idleSeconds} s each…`)
    idleRows.push(...(await connectedIdle(connected)))
  }
  if (json) {
    const report = {
      setup: { rounds: ROUNDS, idle: IDLE },
      rows: floor.rows,
      connectedIdle: { options: connected, rows: idleRows },
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    process.stdout.write(floor.table)
    if (idleRows.length > 0) {
      process.stdout.write(
        `\n${connectedIdleTable(idleRows, connected.idleSeconds, connected.storage)}`,
      )
    }
  }
  process.exitCode = floor.ok && idleRows.every((r) => r.misses.length === 0) ? 0 : 1
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 2
})
