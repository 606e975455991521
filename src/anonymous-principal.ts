/**
 * @module
 * The principal of a caller when no auth plugin names one: `anonymous`, the same for everyone
 * (their sessions, handles and listen streams are one principal's), with its limits counted per
 * client address so that one client can't take everyone's share. The address is the one
 * Cloudflare gives (`CF-Connecting-IP`, which a client can't set through Cloudflare's edge); an
 * IPv6 client is its /64, since one host usually holds a whole /64. Without the header (a
 * request from inside the Worker, a test) every caller shares `anonymous`'s limits.
 */
import { ANONYMOUS, type Principal } from './types'

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const IPV6 = /^[0-9a-f:]{2,39}$/i

/** The anonymous principal of a request from `address` (its `CF-Connecting-IP` header). */
export function anonymousPrincipal(address: string | undefined): Principal {
  const client = address === undefined ? undefined : clientOf(address.trim())
  if (client === undefined) return ANONYMOUS
  return Object.freeze({ name: ANONYMOUS.name, quotaKey: `${ANONYMOUS.name}@${client}` })
}

/** The client an address stands for: an IPv4 address, or an IPv6 address's /64; else none. */
function clientOf(address: string): string | undefined {
  if (IPV4.test(address)) return address
  if (!IPV6.test(address) || !address.includes(':')) return undefined
  const halves = address.toLowerCase().split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const tail = halves.length === 1 || halves[1] === '' ? [] : halves[1]!.split(':')
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  if (groups.some((group) => group.length === 0 || group.length > 4)) return undefined
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
