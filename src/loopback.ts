/**
 * @module
 * Whether a host name is this machine's: what the Host/Origin guard and the OAuth server's
 * local-only checks trust without an allow-list.
 */

/** Whether `hostname` (as in a URL: IPv6 in brackets) is a loopback name or address. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  )
}
